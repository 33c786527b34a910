# The tables taken over from the audits app get this app's names, and the content types (and the
# permissions attached to them) follow the models, so nothing refers to "audits.dossier" any more
# except the trail rows written before, which are never rewritten (their hash covers the name).

from django.db import migrations

MODELS = ("dossier", "renderunit", "dossierunit")


def _move_content_types(apps, schema_editor, *, source, destination):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=destination, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(
            app_label=destination
        )


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="audits", destination="dossiers")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="dossiers", destination="audits")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dossiers', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(name='renderunit', table=None),
        migrations.AlterModelTable(name='dossier', table=None),
        migrations.AlterModelTable(name='dossierunit', table=None),
        migrations.RunPython(forwards, backwards),
    ]
