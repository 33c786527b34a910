# The dossier models, taken over from the audits app with their tables (issue #11): state only,
# the tables audits 0002 created are kept with their rows; 0002 gives them this app's names.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('audits', '0004_dossiers_leave_for_their_app'),
        ('hdsready', '0003_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RenderUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_hash', models.CharField(max_length=64, unique=True)),
                        ('template', models.CharField(max_length=100)),
                        ('context', models.JSONField()),
                        ('language', models.CharField(max_length=8)),
                        ('weight', models.PositiveIntegerField(default=1)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('rendering', 'Rendering'), ('ready', 'Ready'), ('failed', 'Failed')], db_index=True, default='pending', max_length=12)),
                        ('file', models.FileField(blank=True, max_length=255, upload_to='')),
                        ('page_count', models.PositiveIntegerField(default=0)),
                        ('outline', models.JSONField(default=list)),
                        ('error', models.TextField(blank=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('rendered_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'audits_renderunit',
                    },
                ),
                migrations.CreateModel(
                    name='Dossier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('stage1', 'Documentary dossier (stage 1)'), ('stage2', 'On-site audit dossier (stage 2)'), ('corrections', 'Correction dossier'), ('full', 'Full certification dossier'), ('soa', 'Statement of Applicability')], max_length=16, verbose_name='kind')),
                        ('language', models.CharField(default='fr', max_length=8, verbose_name='language')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('subtitle', models.CharField(blank=True, max_length=300)),
                        ('content_hash', models.CharField(db_index=True, max_length=64)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('rendering', 'Rendering'), ('assembling', 'Assembling'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=12, verbose_name='status')),
                        ('error', models.TextField(blank=True)),
                        ('file', models.FileField(blank=True, max_length=255, upload_to='')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('size', models.PositiveBigIntegerField(default=0)),
                        ('page_count', models.PositiveIntegerField(default=0, verbose_name='pages')),
                        ('requested_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('audit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='dossiers', to='audits.audit')),
                        ('cycle', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='dossiers', to='audits.cycle')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='hdsready.organisation')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('reused_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.dossier')),
                    ],
                    options={
                        'db_table': 'audits_dossier',
                        'verbose_name': 'dossier',
                        'verbose_name_plural': 'dossiers',
                        'ordering': ('-requested_at', '-pk'),
                    },
                ),
                migrations.CreateModel(
                    name='DossierUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField()),
                        ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parts', to='dossiers.dossier')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.renderunit')),
                    ],
                    options={
                        'db_table': 'audits_dossierunit',
                        'ordering': ('dossier', 'position'),
                    },
                ),
                migrations.AddField(
                    model_name='dossier',
                    name='units',
                    field=models.ManyToManyField(related_name='+', through='dossiers.DossierUnit', to='dossiers.renderunit'),
                ),
                migrations.AddConstraint(
                    model_name='dossierunit',
                    constraint=models.UniqueConstraint(fields=('dossier', 'position'), name='dossier_unit_position'),
                ),
            ],
            database_operations=[],
        ),
    ]
