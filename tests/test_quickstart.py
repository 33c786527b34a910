"""The quick start of `make run` on a bare machine: SQLite, no broker, demo data, a server.

Each step runs as `make run` runs it, in a subprocess whose environment has neither
DATABASE_URL nor CELERY_BROKER_URL, so a change that needs PostgreSQL or Redis to start
cannot slip in unnoticed.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MANAGE = str(ROOT / "manage.py")
SERVER_TIMEOUT = 30.0
DEMO_EMAILS = (
    "officer@demo.hdsready.test",
    "contributor@demo.hdsready.test",
    "manager@demo.hdsready.test",
)
# The seeds `make run` runs, read from its recipe.
MAKE_RUN_SEEDS = re.findall(
    r"manage\.py (seed_demo\w*) --force",
    (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0],
)
# Settings read from the environment that would take the quick start off its bare-machine path.
_DROPPED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "SECRET_KEY",
    "TRAIL_KEY",
    "EVIDENCE_KEYS",
    "TRAIL_CHECKPOINT_DIR",
    "MAIL_BACKEND",
    "MEDIA_ROOT",
    "SQLITE_PATH",
    "HDSREADY_VAR_DIR",
)


def _bare_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED and key.removesuffix("_FILE") not in _DROPPED
    }
    env.update(
        DEBUG="true",
        SQLITE_PATH=str(tmp_path / "q.sqlite3"),
        HDSREADY_VAR_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args[1:]))} exited with {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http on localhost)
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


@pytest.mark.slow
def test_quickstart_on_sqlite_without_a_broker(tmp_path: Path) -> None:
    env = _bare_env(tmp_path)

    _ok(_manage(env, "migrate", "--no-input", "-v0"))
    assert (tmp_path / "q.sqlite3").is_file()

    seeded = _ok(_manage(env, "seed_demo", "--force"))
    for email in DEMO_EMAILS:
        line = next((ln for ln in seeded.splitlines() if email in ln), None)
        assert line is not None, f"{email} missing from the seed_demo output:\n{seeded}"
        assert "password:" in line
        assert "TOTP secret:" in line

    # Every other seed `make run` runs, in its order: none prints an e-mail (the console mail
    # backend of development) below the personas; seed_demo_scope's EXI 14 alert did.
    assert MAKE_RUN_SEEDS[:2] == ["seed_demo", "seed_demo_scope"], MAKE_RUN_SEEDS
    # Nor the in-process tasks' log lines (a line per task, kombu's warning about its broker).
    for seed in MAKE_RUN_SEEDS[1:]:
        result = _manage(env, seed, "--force")
        output = _ok(result)
        assert "Subject:" not in output, f"{seed} printed an e-mail:\n{output}"
        for noise in ("succeeded in", "No hostname was supplied"):
            assert noise not in result.stderr, f"{seed} printed {noise!r}:\n{result.stderr}"

    verified = _ok(_manage(env, "trail_verify"))
    assert "rows verified" in verified

    port = _free_port()
    log = tmp_path / "runserver.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/login/"
        status, body = 0, ""
        deadline = time.monotonic() + SERVER_TIMEOUT
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(url)
            except OSError:  # not listening yet
                time.sleep(0.2)
                continue
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, (
            f"GET {url} did not answer 200 within {SERVER_TIMEOUT:.0f} s (last status "
            f"{status}, server exit code {server.poll()}). Server output:\n"
            + log.read_text(encoding="utf-8", errors="replace")
        )
        assert '<form method="post">' in body
        assert 'name="csrfmiddlewaretoken"' in body
        assert 'name="username"' in body
        assert 'name="password"' in body
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage(_bare_env(tmp_path, DEBUG="false"), "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr + result.stdout


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_a_trail_key(tmp_path: Path) -> None:
    result = _manage(_bare_env(tmp_path, DEBUG="false", SECRET_KEY="s" * 50), "check")

    assert result.returncode != 0
    assert "TRAIL_KEY must be set" in result.stderr + result.stdout


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_evidence_keys(tmp_path: Path) -> None:
    result = _manage(
        _bare_env(tmp_path, DEBUG="false", SECRET_KEY="s" * 50, TRAIL_KEY="t" * 50), "check"
    )

    assert result.returncode != 0
    assert "EVIDENCE_KEYS must be set" in result.stderr + result.stdout
    assert not (tmp_path / "evidence-keys").exists()


@pytest.mark.slow
def test_development_makes_its_evidence_key_once(tmp_path: Path) -> None:
    """A fresh machine gets a key file (owner-only) on the first start, and keeps it."""
    assert _manage(_bare_env(tmp_path), "check").returncode == 0
    key_file = tmp_path / "evidence-keys"
    first = key_file.read_text()
    assert first.startswith("dev1:")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _manage(_bare_env(tmp_path), "check").returncode == 0
    assert key_file.read_text() == first
