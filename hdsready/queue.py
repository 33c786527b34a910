"""Enqueue a Celery task by name, after the current transaction commits.

A service names the task instead of importing its tasks module: the tasks modules import the
services, so an import the other way round made a circle (kept lazy inside functions before).
The task is looked up in the app's registry rather than sent with `send_task`, so
CELERY_TASK_ALWAYS_EAGER still runs it in-process, and an unknown name fails inside the service,
before anything is committed.
"""

from __future__ import annotations

from celery import Task, current_app
from django.db import transaction


def _task(task_name: str) -> Task:
    tasks = current_app.tasks
    if task_name not in tasks:
        # Outside a worker, Celery imports the tasks modules only when asked to.
        current_app.loader.import_default_modules()
    return tasks[task_name]


def enqueue(task_name: str, *args: object) -> None:
    """Schedule `task_name(*args)` once the transaction commits (at once outside one). The
    arguments go through the broker as JSON: primary keys and plain values only."""
    task = _task(task_name)
    transaction.on_commit(lambda: task.delay(*args))


def send_now(task_name: str, *args: object) -> None:
    """Send `task_name(*args)` at once: for callers that already run after the commit (an
    on_commit callback, a task)."""
    _task(task_name).delay(*args)
