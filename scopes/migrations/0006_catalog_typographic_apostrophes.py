"""Refresh the built-in catalogs in existing databases: French titles and summaries now use the
typographic apostrophe, as the interface does. The same idempotent loader as 0002, 0005 and
`catalog_sync`: rows are updated in place, so readiness entries and findings keep pointing at
them."""

from django.db import migrations

from scopes.catalog.loader import load_builtin_catalogs


class Migration(migrations.Migration):
    dependencies = [("scopes", "0005_catalog_wording")]

    operations = [migrations.RunPython(load_builtin_catalogs, migrations.RunPython.noop)]
