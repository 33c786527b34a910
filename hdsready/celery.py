"""The Celery app. Configuration comes from Django settings (CELERY_*), one settings file."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsready.settings")

app = Celery("hdsready")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
