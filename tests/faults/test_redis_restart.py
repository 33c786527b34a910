"""Redis stopped and started again while the app serves pages: pages keep working (sessions
are in the database, the cache in memory), an action that enqueues a task answers as usual and
its task waits in the outbox, and once Redis is back the worker reconnects by itself and the
task runs, once.

Real processes: a Redis server of the test's own, stopped and started; a Celery worker in a
subprocess (started once, never restarted); pages served by this process's test client.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dossiers.models import Dossier, DossierKind, DossierStatus
from hdsready.models import QueuedTask, TrailEvent
from hdsready.queue import outbox_relay
from tests.faults.conftest import DONE_TIMEOUT, RedisServer, WorkerFactory, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_pages_and_tasks_through_a_redis_restart(
    broker,
    redis_server: RedisServer,
    start_worker: WorkerFactory,
    scoped,
    officer,
    client_as,
    tmp_path: Path,
) -> None:
    # Nothing the pages need lives in Redis.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert "redis" not in settings.CACHES["default"]["BACKEND"].lower()
    worker = start_worker(broker_url=redis_server.url)
    client = client_as(officer)
    dossiers = reverse("dossiers:dossier-list", args=[scoped.slug])
    pages = [
        reverse("hdsready:organisation-home", args=[scoped.slug]),
        dossiers,
        reverse("hdsready:notification-list"),
    ]
    assert [client.get(page).status_code for page in pages] == [200] * 3

    redis_server.stop()

    assert [client.get(page).status_code for page in pages] == [200] * 3
    response = client.post(dossiers, {"kind": DossierKind.SOA, "target": "", "language": "fr"})
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dossiers:dossier-detail", args=[scoped.slug, dossier.pk]
    )
    assert client.get(response["Location"]).status_code == 200
    # The broker refused the task: it waits in the outbox, committed with the dossier.
    assert dossier.status == DossierStatus.QUEUED
    assert list(QueuedTask.objects.values_list("task", "args")) == [
        ("dossiers.tasks.dossier_dispatch_task", [dossier.pk])
    ]

    redis_server.start()

    # What beat's relay does within the minute: the worker, never restarted, takes it.
    assert outbox_relay(now=timezone.now() + timedelta(minutes=1)) == 1

    def finished() -> bool:
        dossier.refresh_from_db()
        return dossier.status in {DossierStatus.READY, DossierStatus.FAILED}

    wait_for(
        "The dossier is laid out after the restart",
        finished,
        timeout=DONE_TIMEOUT,
        output=worker.output,
    )
    assert dossier.status == DossierStatus.READY, worker.output()
    assert TrailEvent.objects.filter(kind="dossier.ready", object_id=str(dossier.pk)).count() == 1
    assert not QueuedTask.objects.exists()
    assert [client.get(page).status_code for page in pages] == [200] * 3
    assert worker.process.poll() is None
