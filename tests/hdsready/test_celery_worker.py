"""A task runs end to end through a real Celery worker, Redis and the test database.

The rest of the suite runs tasks eagerly (CELERY_TASK_ALWAYS_EAGER=true); this test turns
eagerness off for itself, starts `celery worker` in a subprocess on a queue of its own (so a
stray worker on the same Redis cannot take the task) and waits for the e-mail the worker writes
with the file backend.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery.signals import after_task_publish
from django.conf import settings
from kombu import Exchange, Queue

from hdsready.celery import app
from hdsready.models import Organisation, Role, TrailEvent, User
from hdsready.services.invitations import invitation_send

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 60.0
MAIL_TIMEOUT = 30.0
MAIL_SEPARATOR = b"-" * 79 + b"\n"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    nodename: str
    queue: str
    log: Path
    mail_dir: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _test_database_url() -> str:
    """The URL of the database pytest-django created (its NAME is the test database's now)."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", "the worker test needs PostgreSQL"
    credentials = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(str(db["PASSWORD"]), safe="")
    host = str(db.get("HOST") or "localhost")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(str(db['NAME']), safe='')}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _queue_delete(name: str) -> None:
    """Purge and delete the test queue (its Redis lists and its binding)."""
    with app.connection_for_write() as connection:
        queue = Queue(name, Exchange(name), routing_key=name)(connection.default_channel)
        queue.declare()  # records the binding in this channel, so delete() can remove it
        queue.purge()
        queue.delete()


@pytest.fixture
def celery_not_eager(transactional_db: None) -> Iterator[str]:
    """In this process: send tasks to the broker, on a queue no other worker listens to."""
    queue = f"hdsready-test-{uuid.uuid4().hex}"
    saved: dict[str, Any] = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        for key, value in saved.items():
            setattr(app.conf, key, value)


@pytest.fixture
def celery_worker(celery_not_eager: str, tmp_path: Path) -> Iterator[Worker]:
    queue = celery_not_eager
    nodename = f"{queue}@pytest"
    mail_dir = tmp_path / "mail"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": str(app.conf.broker_url),
        "CELERY_RESULT_BACKEND": str(app.conf.broker_url),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The tasks the worker enqueues itself (a sweep's e-mails) stay on the test queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DEBUG": "true",
        "MAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hdsready",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        queue,
        "-n",
        nodename,
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    worker = Worker(process=process, nodename=nodename, queue=queue, log=log, mail_dir=mail_dir)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        _stop(process)
        _queue_delete(queue)


def _wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"The Celery worker exited with {worker.process.returncode} before it was "
                f"ready. Its output:\n{worker.output()}"
            )
        if app.control.ping(destination=[worker.nodename], timeout=1.0):
            return
    pytest.fail(
        f"The Celery worker {worker.nodename} did not answer a ping within "
        f"{WORKER_READY_TIMEOUT:.0f} s. Its output:\n{worker.output()}"
    )


def _wait_for_mail(worker: Worker) -> list[EmailMessage]:
    """The messages of the first complete file the file backend wrote."""
    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        for path in sorted(worker.mail_dir.glob("*.log")) if worker.mail_dir.is_dir() else []:
            content = path.read_bytes()
            if content.endswith(MAIL_SEPARATOR):  # the backend writes it after each message
                return [
                    message_from_bytes(chunk, policy=policy.default)
                    for chunk in content.split(MAIL_SEPARATOR)
                    if chunk.strip()
                ]
        if worker.process.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(
        f"No e-mail in {worker.mail_dir} within {MAIL_TIMEOUT:.0f} s. "
        f"The worker's output:\n{worker.output()}"
    )


def _plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, f"no text/plain part in:\n{message}"
    return str(body.get_content())


@pytest.fixture
def published() -> Iterator[list[dict[str, Any]]]:
    """The tasks this process publishes to the broker (none when they run eagerly)."""
    sent: list[dict[str, Any]] = []

    def record(sender: str | None = None, headers: Any = None, **kwargs: Any) -> None:
        sent.append({"task": sender, "id": headers["id"], "queue": kwargs.get("routing_key")})

    after_task_publish.connect(record, weak=False)
    try:
        yield sent
    finally:
        after_task_publish.disconnect(record)
        for task in sent:
            app.AsyncResult(task["id"]).forget()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker(
    celery_worker: Worker,
    published: list[dict[str, Any]],
    organisation: Organisation,
    officer: User,
) -> None:
    invitation, raw_token = invitation_send(
        organisation=organisation,
        email="Nouvelle.Recrue@Example.org",
        role=Role.CONTRIBUTOR,
        actor=officer,
    )

    # Sent to the broker on commit, on the worker's own queue, not run here.
    assert [(task["task"], task["queue"]) for task in published] == [
        ("hdsready.tasks.mail_send", celery_worker.queue)
    ]
    # The worker ran it against the test database and found the pending invitation: its
    # e-mail is written (the app keeps no task results, CELERY_TASK_IGNORE_RESULT).
    messages = _wait_for_mail(celery_worker)

    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "nouvelle.recrue@example.org"
    text = _plain_text(message)
    assert f"/invitations/{raw_token}/" in text
    assert "Clinicloud" in text
    assert TrailEvent.objects.filter(
        kind="invitation.sent",
        organisation=organisation,
        actor=officer,
        object_id=str(invitation.pk),
    ).exists()
