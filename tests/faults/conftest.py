"""Real processes for the fault tests: a Redis server of their own (stopped and started at will,
unlike the machine's), Celery workers in subprocesses, and this process's Celery app pointed at
that Redis with tasks sent to the broker (the rest of the suite runs them eagerly)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.core.management import call_command

from hdsready.models import Organisation, User
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.hdsready.test_celery_worker import _test_database_url

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
# How long the tests wait for work to finish before they fail with the processes' output.
DONE_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], *, timeout: float, output: Callable[[], str]):
    """Poll `check` until it holds; fail with `output()` (the processes' logs) if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {timeout:.0f} s.\n{output()}")


@pytest.fixture
def scoped(transactional_db: None, organisation: Organisation, officer: User) -> Organisation:
    """An organisation with its scope, whose dossiers the worker lays out. The built-in
    catalogs do not survive the flush that ends a transactional test: loaded again here."""
    call_command("catalog_sync", stdout=StringIO())
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        actor=officer,
    )
    return organisation


@dataclass
class RedisServer:
    """`redis-server` on a free port, its append-only file in a directory of its own (as the
    compose file runs it), so a stop and a start keep what was queued."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = f"--port {self.port} --bind 127.0.0.1 --appendonly yes --dir {self.directory}"
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", *options.split(), "--save", ""],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for("Redis answers", self.answers, timeout=START_TIMEOUT, output=self.output)

    def stop(self) -> None:
        """SIGTERM: Redis writes its append-only file and exits, as on a restart."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def output(self) -> str:
        return (self.directory / "redis.log").read_text(errors="replace")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Celery]:
    """This process's tasks go to the test's Redis, not run in-process: a Celery app of its
    own, made current (hdsready.queue looks tasks up in the current app)."""
    # Celery reads these two from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", redis_server.url)
    previous = current_app._get_current_object()
    app = Celery("hdsready-faults", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False
    )
    app.autodiscover_tasks()
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()
        app.close()


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return f"--- worker log {self.log}:\n" + self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a lost machine or container."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


WorkerFactory = Callable[..., Worker]


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[WorkerFactory]:
    """Start `celery worker` (prefork, one pool process) in a session of its own and wait until
    it is ready. Stopped at the end of the test, before the database is flushed."""
    started: list[Worker] = []

    def start(*, broker_url: str, database_url: str | None = None, **env: str) -> Worker:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": database_url or _test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "true",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "MAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tests.faults.worker_app", "worker",
                 "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "-n", f"fault{len(started) + 1}@%h"],
                cwd=ROOT,
                env=environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes the pool too
            )  # fmt: skip
        worker = Worker(process, log)
        started.append(worker)

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"The worker exited with {process.returncode}.\n{worker.output()}")
            return " ready." in log.read_text(errors="replace")

        wait_for("The worker is ready", ready, timeout=START_TIMEOUT, output=worker.output)
        return worker

    yield start
    for worker in started:  # nothing to finish: killed, not shut down warm (seconds each)
        if worker.process.poll() is None:
            worker.kill()
