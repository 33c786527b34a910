"""Enqueue a Celery task by name, in the transaction of the change that calls for it.

A service names the task instead of importing its tasks module: the tasks modules import the
services, so an import the other way round made a circle (kept lazy inside functions before).
The task is looked up in the app's registry rather than sent with `send_task`, so
CELERY_TASK_ALWAYS_EAGER still runs it in-process, and an unknown name fails inside the service,
before anything is committed.

The task is first a row of the outbox (QueuedTask), written in the caller's transaction; once
that commits, the row is sent to the broker and deleted. With the broker down (Redis restarted)
the send fails, the page that asked still answers, and the row waits: the relay (a periodic
task, outbox_relay below) sends what is left once the broker is back. A process killed between
the commit and the send leaves its row too. A row may so be sent twice (sent, then the process
dies before deleting it): every task is idempotent, and keeps the row's id as its task id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from hdsready.models import QueuedTask

logger = logging.getLogger(__name__)

# The relay leaves younger rows to the on-commit send of the process that wrote them.
RELAY_AFTER = timedelta(seconds=30)
RELAY_BATCH = 500


def _task(task_name: str) -> Task:
    tasks = current_app.tasks
    if task_name not in tasks:
        # Outside a worker, Celery imports the tasks modules only when asked to.
        current_app.loader.import_default_modules()
    return tasks[task_name]


def _send(row: QueuedTask) -> bool:
    """Hand one row to the broker; False (logged) when the broker cannot be reached."""
    try:
        _task(row.task).apply_async(row.args, task_id=str(row.pk))
    except OperationalError as error:
        logger.warning("Broker unreachable, %s stays in the outbox: %s", row, error)
        return False
    return True


def _send_and_forget(row: QueuedTask) -> None:
    if _send(row):
        QueuedTask.objects.filter(pk=row.pk).delete()


def enqueue(task_name: str, *args: object) -> None:
    """Schedule `task_name(*args)`: written now, in the current transaction, and sent once it
    commits (at once outside one). The arguments go through the database and the broker as
    JSON: primary keys and plain values only."""
    _task(task_name)  # an unknown name fails here, before the commit
    row = QueuedTask.objects.create(task=task_name, args=list(args))
    transaction.on_commit(partial(_send_and_forget, row))


def outbox_relay(*, now: datetime) -> int:
    """Send the tasks whose send failed or never happened (the broker was down, the process
    died after the commit), oldest first; stop at the first failure. Returns how many were
    sent. Rows are locked while sent, so two relays never send the same one."""
    sent = 0
    with transaction.atomic():
        rows = (
            QueuedTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=now - RELAY_AFTER)
            .order_by("created_at")[:RELAY_BATCH]
        )
        for row in rows:
            if not _send(row):
                break
            row.delete()
            sent += 1
    return sent
