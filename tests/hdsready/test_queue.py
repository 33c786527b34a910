"""The outbox of hdsready.queue: a task is a row committed with the change, sent after the
commit; what the broker refuses waits for the relay. (With real processes: tests/faults.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from hdsready.models import QueuedTask
from hdsready.queue import RELAY_AFTER, enqueue, outbox_relay

TASK = "hdsready.tasks.invitations_expire"
pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(task, task id) of every send; the broker is up unless `broker_down` says otherwise."""
    calls: list[tuple[str, str]] = []

    def apply_async(self: Task, args=None, kwargs=None, **options):
        calls.append((self.name, options["task_id"]))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return calls


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Task, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)


def test_the_task_is_committed_with_the_change_then_sent_and_forgotten(
    sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(TASK, 7, "x")
        row = QueuedTask.objects.get()
        assert (row.task, row.args) == (TASK, [7, "x"])
        assert sent == []  # nothing leaves before the commit

    assert sent == [(TASK, str(row.pk))]  # the row's id is the task's id
    assert not QueuedTask.objects.exists()


def test_an_unknown_task_fails_before_anything_is_written():
    with pytest.raises(KeyError):
        enqueue("hdsready.tasks.no_such_task")
    assert not QueuedTask.objects.exists()


def test_what_the_broker_refuses_waits_for_the_relay(
    broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(TASK)
    row = QueuedTask.objects.get()
    now = timezone.now()
    assert outbox_relay(now=now + RELAY_AFTER * 2) == 0  # still down: kept
    assert QueuedTask.objects.filter(pk=row.pk).exists()

    monkeypatch.undo()
    calls: list[str] = []
    monkeypatch.setattr(
        Task, "apply_async", lambda self, *a, **kw: calls.append(str(kw["task_id"]))
    )
    assert outbox_relay(now=now) == 0  # too young: its own process may still send it
    assert outbox_relay(now=now + RELAY_AFTER + timedelta(seconds=1)) == 1
    assert calls == [str(row.pk)]
    assert not QueuedTask.objects.exists()


def test_the_relay_stops_at_the_first_refusal_and_keeps_the_rest(monkeypatch):
    old = timezone.now() - timedelta(hours=1)
    rows = [
        QueuedTask.objects.create(task=TASK, created_at=old + timedelta(seconds=i))
        for i in range(3)
    ]
    accepted = iter([True, False])

    def flaky(self: Task, *args, **kwargs):
        if not next(accepted):
            raise OperationalError("connection lost")

    monkeypatch.setattr(Task, "apply_async", flaky)
    assert outbox_relay(now=timezone.now()) == 1
    assert list(QueuedTask.objects.values_list("pk", flat=True)) == [rows[1].pk, rows[2].pk]
