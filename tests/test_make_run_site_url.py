"""`make run` on another PORT: links in e-mails and in the calendar feed follow the port.

The commands come from `make -n run` (what make would run, not a copy of the recipe), and one
of them, the console invitation, runs for real with the environment make gives it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run_recipe(**env: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line or "honcho" in line]


def test_every_command_of_make_run_gets_a_site_url_on_its_port() -> None:
    lines = _run_recipe(PORT="8123")
    assert len(lines) >= 5  # migrate, three seeds, the server
    for line in lines:
        assert "SITE_URL=http://127.0.0.1:8123 " in line, line


def test_a_site_url_given_wins_over_the_port() -> None:
    for line in _run_recipe(PORT="8123", SITE_URL="https://hds.example.org"):
        assert "SITE_URL=https://hds.example.org " in line, line


@pytest.mark.slow
def test_the_printed_invitation_link_points_at_the_served_port(tmp_path: Path) -> None:
    line = _run_recipe(PORT="8123")[0]
    site_url = re.search(r"SITE_URL=(\S+)", line)
    assert site_url is not None
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL"}
    } | {
        "DEBUG": "true",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "HDSREADY_VAR_DIR": str(tmp_path),
        "SITE_URL": site_url.group(1),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    opened = subprocess.run(
        [
            *manage,
            "organisation_open",
            "--name=Clinicloud",
            "--slug=clinicloud",
            "--officer-email=rssi@clinicloud.test",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert re.search(r"http://127\.0\.0\.1:8123/invitations/[\w-]+/", opened.stdout), opened.stdout
