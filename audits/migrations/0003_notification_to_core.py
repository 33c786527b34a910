# The Notification model moves to the core (hdsready 0004_notification, issue #11) with its
# rows: the table is renamed, not copied, and the content type follows it (with the model's
# permissions), so nothing is lost on a database that applied the earlier migrations.

from django.db import migrations


def content_type_to_core(apps, schema_editor):
    content_type = apps.get_model('contenttypes', 'ContentType')
    if not content_type.objects.filter(app_label='hdsready', model='notification').exists():
        content_type.objects.filter(app_label='audits', model='notification').update(
            app_label='hdsready'
        )


def content_type_back(apps, schema_editor):
    content_type = apps.get_model('contenttypes', 'ContentType')
    if not content_type.objects.filter(app_label='audits', model='notification').exists():
        content_type.objects.filter(app_label='hdsready', model='notification').update(
            app_label='audits'
        )


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0002_dossiers'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('hdsready', '0004_notification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Notification'),
            ],
            database_operations=[
                migrations.AlterModelTable(name='notification', table='hdsready_notification'),
                migrations.RunPython(content_type_to_core, content_type_back),
            ],
        ),
    ]
