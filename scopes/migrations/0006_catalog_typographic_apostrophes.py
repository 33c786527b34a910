"""Refresh the built-in catalogs in existing databases: French titles and summaries now use the
typographic apostrophe, as the interface does. The same idempotent loader as 0002, 0005 and
`catalog_sync`: rows are updated in place, so readiness entries and findings keep pointing at
them."""

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
    dependencies = [("scopes", "0005_catalog_wording")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
