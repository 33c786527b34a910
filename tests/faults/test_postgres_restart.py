"""PostgreSQL restarted under a running app: the web server and the Celery worker, neither
restarted, work again at their first request and first task after it.

Real processes, none shared with the machine: a PostgreSQL cluster of the test's own (initdb on
a free port, as the `postgres` user when run as root), migrated; the app served by gunicorn
(one sync worker, so one persistent connection, CONN_MAX_AGE) and a Celery worker, both on that
cluster; the cluster stopped and started with pg_ctl between requests.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hdsready.tasks import invitations_expire
from tests.faults.conftest import (
    DONE_TIMEOUT,
    ROOT,
    START_TIMEOUT,
    RedisServer,
    WorkerFactory,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.slow

# The schema, then an organisation and a signed-in officer (second factor passed): one process.
SEED = """
from django.core.management import call_command
call_command("migrate", no_input=True, verbosity=0)
from tests.conftest import verified_client_for
from tests.factories import OrganisationFactory, make_member
from hdsready.models import Role
organisation = OrganisationFactory(name="Clinicloud", slug="clinicloud")
officer = make_member(organisation, Role.OFFICER, email="officer@clinicloud.test")
print(verified_client_for(officer).session.session_key)
"""


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    pg_ctl = found[-1] if found else shutil.which("pg_ctl")
    assert pg_ctl, "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    return Path(pg_ctl).parent


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/hdsready"

    def run(self, program: str, *args: str) -> None:
        # initdb and postgres refuse to run as root: as the postgres user then.
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_owner, str(_postgres_bin() / program), *args],
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT,
        )

    def pg_ctl(self, *args: str) -> None:
        self.run("pg_ctl", "-D", str(self.directory / "data"), "-w", *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.directory / "server.log"), "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def output(self) -> str:
        return (self.directory / "server.log").read_text(errors="replace")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    # Not under pytest's tmp_path: its parents are closed to the postgres user.
    directory = Path(tempfile.mkdtemp(prefix="hdsready-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, free_port())
    cluster.run("initdb", "-D", str(directory / "data"), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync")  # fmt: skip
    cluster.start()
    try:
        cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                    "hdsready")  # fmt: skip
        yield cluster
    finally:
        cluster.run("pg_ctl", "-D", str(directory / "data"), "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


def app_env(cluster: Cluster, redis_server: RedisServer) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": cluster.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT * 2,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    session: str

    def get(self, path: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": f"sessionid={self.session}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def server(cluster: Cluster, redis_server: RedisServer, tmp_path: Path) -> Iterator[Server]:
    env = app_env(cluster, redis_server)
    session = manage(env, "shell", "-c", SEED).strip().splitlines()[-1]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "hdsready.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(process, port, log, session)
    wait_for("gunicorn listens", lambda: "Booting worker" in server.output(),
             timeout=START_TIMEOUT, output=server.output)  # fmt: skip
    yield server
    process.kill()
    process.wait(timeout=30)


def test_app_and_worker_work_again_after_a_postgres_restart(
    cluster: Cluster,
    redis_server: RedisServer,
    broker,
    server: Server,
    start_worker: WorkerFactory,
) -> None:
    home = "/o/clinicloud/"
    worker = start_worker(broker_url=redis_server.url, database_url=cluster.url)

    def task_runs() -> int:
        return invitations_expire.apply_async(ignore_result=False).get(timeout=DONE_TIMEOUT)

    # Both hold a connection now (kept for CONN_MAX_AGE seconds).
    assert server.get(home) == 200, server.output()
    assert task_runs() == 0, worker.output()

    cluster.stop()
    cluster.start()

    # The first request and the first task after the restart: no error, no restart. (The
    # web server's connection is a dead one now: CONN_HEALTH_CHECKS finds it out.)
    assert server.get(home) == 200, server.output() + cluster.output()
    assert task_runs() == 0, worker.output()

    # A request while the database is down gets an error page; the server stays up.
    cluster.stop()
    assert server.get(home) >= 500
    cluster.start()
    assert server.get(home) == 200, server.output() + cluster.output()
    assert task_runs() == 0, worker.output()
    assert server.process.poll() is None
    assert worker.process.poll() is None
