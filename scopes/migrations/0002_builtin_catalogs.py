"""Load the built-in catalogs (HDS v2, ISO/IEC 27001:2022). Idempotent: `catalog_sync`
refreshes them later with the same loader."""

from django.db import migrations


def load(apps, schema_editor):
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
    dependencies = [("scopes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
