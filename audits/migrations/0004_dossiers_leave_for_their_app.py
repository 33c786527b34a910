# The dossier engine moved to its own app, `dossiers` (issue #11). Its models leave this app's
# state only: the tables stay where they are, and dossiers/migrations/0001_initial takes them over
# (then 0002 renames them), so a database that holds dossiers keeps every row.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0003_notification_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='dossier',
                    name='audit',
                ),
                migrations.RemoveField(
                    model_name='dossier',
                    name='cycle',
                ),
                migrations.RemoveField(
                    model_name='dossier',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='dossier',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='dossier',
                    name='reused_from',
                ),
                migrations.RemoveField(
                    model_name='dossier',
                    name='units',
                ),
                migrations.RemoveConstraint(
                    model_name='dossierunit',
                    name='dossier_unit_position',
                ),
                migrations.RemoveField(
                    model_name='dossierunit',
                    name='dossier',
                ),
                migrations.RemoveField(
                    model_name='dossierunit',
                    name='unit',
                ),
                migrations.DeleteModel(
                    name='Dossier',
                ),
                migrations.DeleteModel(
                    name='DossierUnit',
                ),
                migrations.DeleteModel(
                    name='RenderUnit',
                ),
            ],
            database_operations=[],
        ),
    ]
