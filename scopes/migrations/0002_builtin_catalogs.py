"""Load the built-in catalogs (HDS v2, ISO/IEC 27001:2022). Idempotent: `catalog_sync`
refreshes them later with the same loader."""

from django.db import migrations

from scopes.catalog.loader import load_builtin_catalogs


class Migration(migrations.Migration):
    dependencies = [("scopes", "0001_initial")]

    operations = [migrations.RunPython(load_builtin_catalogs, migrations.RunPython.noop)]
