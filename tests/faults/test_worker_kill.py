"""A Celery worker killed (SIGKILL) in the middle of a dossier layout or of the reminder sweep
loses no job and does nothing twice, once a worker runs again.

Real processes: a Redis server of the test's own, workers in subprocesses against the test
database. The worker stops at a chosen point (tests/faults/worker_app.py writes a marker and
waits there), so the kill lands exactly in the middle of the job.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from audits.deadlines import paris_date
from audits.models import Reminder
from audits.tasks import reminders_sweep_task
from dossiers.models import Dossier, DossierKind, DossierStatus, RenderUnit, UnitStatus
from dossiers.services.request import DossierTarget, dossier_request
from evidence.models import EvidenceItem
from hdsready.models import Notification, Organisation, QueuedTask, TrailEvent, User
from hdsready.queue import outbox_relay
from tests.evidence.helpers import make_item
from tests.faults.conftest import DONE_TIMEOUT, RedisServer, Worker, WorkerFactory, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The worker started after a kill takes back, at once, what the killed one held for longer
# than this (the production value, one hour, must exceed the longest task).
VISIBILITY_TIMEOUT = 1


def wait_for_marker(marker: Path, worker: Worker) -> int:
    """The id of the process that stopped at the stall point."""
    wait_for(
        "The worker reaches the stall point",
        lambda: marker.exists() and marker.read_text() != "",
        timeout=DONE_TIMEOUT,
        output=worker.output,
    )
    return int(marker.read_text())


def after_visibility_timeout(marker: Path) -> None:
    """The killed worker got its message before it wrote the marker: once the timeout has run
    from there, the next worker's start takes the message back."""
    remaining = marker.stat().st_mtime + VISIBILITY_TIMEOUT + 0.1 - time.time()
    if remaining > 0:
        time.sleep(remaining)


def request_soa(organisation: Organisation, officer: User) -> Dossier:
    return dossier_request(
        organisation=organisation,
        target=DossierTarget(kind=DossierKind.SOA),
        language="fr",
        actor=officer,
    )


def wait_finished(dossier: Dossier, *workers: Worker) -> Dossier:
    def finished() -> bool:
        dossier.refresh_from_db()
        return dossier.status in {DossierStatus.READY, DossierStatus.FAILED}

    wait_for(
        f"Dossier {dossier.pk} is laid out",
        finished,
        timeout=DONE_TIMEOUT,
        output=lambda: f"status {dossier.status}\n" + "\n".join(w.output() for w in workers),
    )
    return dossier


def assert_laid_out_once(dossier: Dossier, media: Path, *workers: Worker) -> None:
    logs = "\n".join(w.output() for w in workers)
    assert dossier.status == DossierStatus.READY, f"{dossier.error}\n{logs}"
    assert TrailEvent.objects.filter(kind="dossier.ready", object_id=str(dossier.pk)).count() == 1
    units = RenderUnit.objects.filter(pk__in=dossier.parts.values("unit"))
    assert {unit.status for unit in units} == {UnitStatus.READY}
    # One stored PDF per unit and one for the dossier: nothing laid out and kept twice.
    assert sorted(p.name for p in (media / "dossiers" / "units").rglob("*.pdf")) == sorted(
        Path(unit.file.name).name for unit in units
    )
    assert [p.name for p in (media / "dossiers" / dossier.organisation.slug).iterdir()] == [
        Path(dossier.file.name).name
    ]
    assert not QueuedTask.objects.exists()


def test_layout_survives_its_pool_process_killed(
    broker, redis_server: RedisServer, start_worker: WorkerFactory, scoped, officer, tmp_path
):
    """The OOM killer's case: the pool process laying out units dies, the worker stays. The
    task goes back to the queue and the same task takes its claimed units again."""
    marker = tmp_path / "stalled"
    worker = start_worker(
        broker_url=redis_server.url, FAULT_STALL="render", FAULT_MARKER=str(marker)
    )
    dossier = request_soa(scoped, officer)

    pool_process = wait_for_marker(marker, worker)
    assert pool_process != worker.process.pid
    claimed = RenderUnit.objects.filter(status=UnitStatus.RENDERING)
    assert claimed.exists()
    os.kill(pool_process, signal.SIGKILL)

    dossier = wait_finished(dossier, worker)
    assert_laid_out_once(dossier, tmp_path / "media", worker)


def test_layout_survives_its_worker_killed(
    broker, redis_server: RedisServer, start_worker: WorkerFactory, scoped, officer, tmp_path
):
    """The whole worker killed (its machine or container lost) while it lays out units: the
    next worker gets the message again and finishes the dossier once."""
    marker = tmp_path / "stalled"
    first = start_worker(
        broker_url=redis_server.url, FAULT_STALL="render", FAULT_MARKER=str(marker)
    )
    dossier = request_soa(scoped, officer)
    wait_for_marker(marker, first)
    assert RenderUnit.objects.filter(status=UnitStatus.RENDERING).exists()
    first.kill()

    after_visibility_timeout(marker)
    second = start_worker(
        broker_url=redis_server.url, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    dossier = wait_finished(dossier, first, second)
    assert_laid_out_once(dossier, tmp_path / "media", first, second)


def test_reminder_sweep_survives_its_worker_killed(
    broker, redis_server: RedisServer, start_worker: WorkerFactory, organisation, officer, tmp_path
):
    """The worker dies in the middle of the daily sweep, after the first reminder was committed
    and before its e-mail reached the broker. The sweep runs again on the next worker: every
    reminder is there once, every notification once, every e-mail goes out once."""
    due_on = paris_date(now=timezone.now()) + timedelta(days=7)
    for number in range(3):
        item = make_item(organisation, officer, title=f"Policy {number}")
        EvidenceItem.objects.filter(pk=item.pk).update(review_due_on=due_on)
    marker = tmp_path / "stalled"
    first = start_worker(
        broker_url=redis_server.url, FAULT_STALL="mail-publish", FAULT_MARKER=str(marker)
    )
    reminders_sweep_task.delay()
    wait_for_marker(marker, first)
    assert Reminder.objects.count() == 1  # the first one committed, the sweep mid-way
    first.kill()

    after_visibility_timeout(marker)
    second = start_worker(
        broker_url=redis_server.url, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    wait_for(
        "The sweep runs again",
        lambda: Reminder.objects.count() == 3,
        timeout=DONE_TIMEOUT,
        output=lambda: first.output() + second.output(),
    )
    # What beat's relay does a minute later: the e-mail the killed worker never handed over.
    outbox_relay(now=timezone.now() + timedelta(minutes=1))
    mail_dir = tmp_path / "mail"

    def mails() -> list[str]:
        files = sorted(mail_dir.glob("*.log")) if mail_dir.is_dir() else []
        return [line for path in files for line in path.read_text().splitlines()]

    wait_for(
        "Three e-mails are sent",
        lambda: sum(line.startswith("To: ") for line in mails()) >= 3,
        timeout=DONE_TIMEOUT,
        output=lambda: first.output() + second.output(),
    )
    notifications = Notification.objects.filter(user=officer)
    assert notifications.count() == 3
    assert len(set(notifications.values_list("text", flat=True))) == 3
    # Every task of the second worker is done (it runs one at a time): nothing more comes.
    reminders_sweep_task.apply_async(ignore_result=False).get(timeout=DONE_TIMEOUT)
    assert [line for line in mails() if line.startswith("To: ")] == [f"To: {officer.email}"] * 3
    assert Reminder.objects.count() == 3
    assert not QueuedTask.objects.exists()
