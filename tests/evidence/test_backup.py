"""`manage.py backup` writes one archive; `manage.py restore` rebuilds a new, empty instance from
it, where every evidence file matches its hash and the audit trail's chain is intact."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from evidence.services import evidence_version_add
from hdsready.models import Organisation, TrailEvent, User
from tests.evidence.conftest import Store
from tests.evidence.helpers import PDF, TEXT, hashed_upload, make_item

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
RESTORED_DB = "hdsready_restore_check"


def _admin(sql: str) -> None:
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"] or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


@pytest.fixture
def archive(tmp_path: Path, organisation: Organisation, officer: User, store: Store) -> Path:
    item = make_item(organisation, officer)
    evidence_version_add(item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer)
    evidence_version_add(item=item, upload=hashed_upload(TEXT, "notes.txt"), actor=officer)
    path = tmp_path / "backup.tar"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "the database and 2 files" in out.getvalue()
    return path


@pytest.fixture
def new_instance(tmp_path: Path) -> dict[str, str]:
    _admin(f"DROP DATABASE IF EXISTS {RESTORED_DB}")
    _admin(f"CREATE DATABASE {RESTORED_DB}")
    database = connection.settings_dict
    place = tmp_path / "new-instance"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{database['USER'] or 'postgres'}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{RESTORED_DB}",
        "HDSREADY_VAR_DIR": str(place),
        "MEDIA_ROOT": str(place / "media"),
        "TRAIL_CHECKPOINT_DIR": str(place / "checkpoints"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # The archive holds the files encrypted: the new instance needs the same keys.
        "EVIDENCE_KEYS": ",".join(
            f"{key_id}:{base64.b64encode(key).decode()}"
            for key_id, key in settings.EVIDENCE_KEYS.keys.items()
        ),
    }
    env.pop("CELERY_BROKER_URL", None)
    yield env
    _admin(f"DROP DATABASE IF EXISTS {RESTORED_DB} WITH (FORCE)")


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_archive_holds_the_dump_the_files_a_manifest_and_a_checkpoint(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "database.dump" in names
    assert len(manifest["files"]) == 2
    assert all(f"files/{entry['name']}" in names for entry in manifest["files"])
    assert f"checkpoints/{manifest['trail_checkpoint']}" in names
    assert manifest["problems"] == []


def test_a_new_instance_restored_from_the_archive_verifies(
    archive: Path, new_instance: dict[str, str]
) -> None:
    events = TrailEvent.objects.count()
    restored = manage(new_instance, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "2 files" in restored.stdout
    trail = manage(new_instance, "trail_verify")
    assert trail.returncode == 0, trail.stderr
    assert f"{events} rows verified" in trail.stdout
    assert "1 signed checkpoints matched" in trail.stdout
    files = manage(new_instance, "evidence_verify")
    assert files.returncode == 0, files.stdout + files.stderr
    assert "2 versions verified" in files.stdout
    again = manage(new_instance, "restore", str(archive))
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_a_damaged_archive_restores_nothing(
    archive: Path, new_instance: dict[str, str], tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.tar"
    flipped: list[str] = []
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("files/") and not flipped:
                data = data[:-1] + bytes([data[-1] ^ 1])
                flipped.append(member.name)
            target.addfile(member, io.BytesIO(data))
    assert flipped
    result = manage(new_instance, "restore", str(damaged))
    assert result.returncode != 0
    assert "does not match its SHA-256" in result.stderr
    tables = manage(new_instance, "showmigrations", "hdsready")
    assert "[X]" not in tables.stdout  # the database was not loaded


def test_restore_refuses_a_database_that_is_not_empty(archive: Path) -> None:
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
