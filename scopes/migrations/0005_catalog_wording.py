"""Refresh the built-in catalogs in existing databases with the corrected wording (EXI 05 keeps
its families and items, EXI 14 is about losing a certificate, EXI 15, 19 and 23 say what the
référentiel says). The same idempotent loader as 0002 and `catalog_sync`: rows are updated in
place, so readiness entries and findings keep pointing at them."""

from django.db import migrations

from scopes.catalog.loader import load_builtin_catalogs


class Migration(migrations.Migration):
    dependencies = [("scopes", "0004_certificate_iso_standard_subcontractor_part")]

    operations = [migrations.RunPython(load_builtin_catalogs, migrations.RunPython.noop)]
