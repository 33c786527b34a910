"""Refresh the built-in catalogs in existing databases with the corrected wording (EXI 05 keeps
its families and items, EXI 14 is about losing a certificate, EXI 15, 19 and 23 say what the
référentiel says). The same idempotent loader as 0002 and `catalog_sync`: rows are updated in
place, so readiness entries and findings keep pointing at them."""

from django.db import migrations


def refresh(apps, schema_editor):
    from scopes.catalog import hds_v2, iso27001_2022
    from scopes.catalog.loader import load_catalog

    for module in (hds_v2, iso27001_2022):
        load_catalog(
            framework_model=apps.get_model("scopes", "Framework"),
            requirement_model=apps.get_model("scopes", "Requirement"),
            framework=module.FRAMEWORK,
            nodes=module.NODES,
        )


class Migration(migrations.Migration):
    dependencies = [("scopes", "0004_certificate_iso_standard_subcontractor_part")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
