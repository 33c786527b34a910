"""Backups an operator can restore: one archive with the database, every stored file, a manifest
of their SHA-256 and a signed checkpoint of the audit trail (HDS v2: availability and integrity of
hosted data; the host's own tool must survive the loss of its server).

Files are archived as stored, encrypted (hdsready/encryption.py): the archive is no more readable
than the disk without EVIDENCE_KEYS, and it restores into an instance given the same keys (the
manifest's SHA-256 are of the stored bytes; each file's plaintext SHA-256 stays in the database
and is checked on every read).

The archive is consistent: the database is dumped from one snapshot, and the files copied are the
ones that snapshot references, each hashed as it is read. Stored files are never changed in place
(a new evidence version is a new file), so a file named by the snapshot is the file it meant.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.db import connection, models, transaction

from hdsready.models import Organisation, TrailEvent, User
from hdsready.storage import stored_open, stored_save
from hdsready.trail import Checkpoint, trail_checkpoint_write

FORMAT = "hdsready-backup-1"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be written or restored as asked; nothing was changed."""


@dataclass
class BackupReport:
    path: Path
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


def _stored_names() -> list[str]:
    """Every file name any model's FileField holds (new file fields are covered as they come)."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                names.update(
                    name
                    for name in model._default_manager.exclude(**{model_field.name: ""})
                    .values_list(model_field.name, flat=True)
                    .iterator()
                    if name
                )
    return sorted(names)


def _database_url_parts() -> dict[str, Any]:
    config = connection.settings_dict
    return {
        "host": config["HOST"] or "127.0.0.1",
        "port": str(config["PORT"] or 5432),
        "user": config["USER"] or "postgres",
        "name": config["NAME"],
        "password": config["PASSWORD"] or "",
    }


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs.")
    return found


def _run_pg(program: str, parts: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """One of PostgreSQL's client programs against this instance's database."""
    return subprocess.run(  # noqa: S603  (fixed program, arguments from settings)
        [
            _program(program),
            f"--host={parts['host']}",
            f"--port={parts['port']}",
            f"--username={parts['user']}",
            *args,
        ],
        env={**os.environ, "PGPASSWORD": parts["password"]},
        capture_output=True,
        text=True,
        check=False,
    )


def _dump_database(
    target: Path, checkpoint_dir: Path, now: datetime
) -> tuple[list[str], Checkpoint]:
    """Dump the database from one snapshot into `target`; returns the file names it references
    and a checkpoint of the trail's head as that snapshot sees it."""
    if connection.vendor == "postgresql":
        parts = _database_url_parts()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                row = cursor.fetchone()
                assert row is not None  # noqa: S101  (the function always returns one row)
                snapshot = row[0]
            # Read in the same snapshot as the dump.
            names = _stored_names()
            checkpoint = trail_checkpoint_write(now=now, directory=checkpoint_dir)
            result = _run_pg(
                "pg_dump",
                parts,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                parts["name"],
            )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return names, checkpoint
    source = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        with transaction.atomic():
            names = _stored_names()
            checkpoint = trail_checkpoint_write(now=now, directory=checkpoint_dir)
            copy = sqlite3.connect(target)
            source.backup(copy)
            copy.close()
    finally:
        source.close()
    return names, checkpoint


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(tz=UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


class _HashingReader(io.RawIOBase):
    """Reads a stored file into the archive while hashing it: memory flat whatever its size."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def backup_write(*, output: Path, now: datetime) -> BackupReport:
    """Write the archive at `output` (a .tar): database dump, files, manifest, trail checkpoint."""
    if output.exists():
        raise BackupError(f"{output} exists: choose a new file name.")
    report = BackupReport(path=output)
    with tempfile.TemporaryDirectory(prefix="hdsready-backup-") as work:
        dump = Path(work) / "database.dump"
        names, checkpoint = _dump_database(dump, Path(work) / "checkpoints", now)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "database": {
                "vendor": connection.vendor,
                "sha256": _file_sha256(dump),
                "size": dump.stat().st_size,
            },
            "files": [],
            "trail_checkpoint": checkpoint.path.name if checkpoint.path else None,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname="database.dump")
            if checkpoint.path is not None:
                archive.add(checkpoint.path, arcname=f"checkpoints/{checkpoint.path.name}")
            for name in names:
                try:
                    handle = stored_open(name)
                    size = handle.seek(0, io.SEEK_END)
                    handle.seek(0)
                except (FileNotFoundError, OSError):
                    report.problems.append(f"{name}: missing from the storage")
                    continue
                with handle:
                    reader = _HashingReader(handle)
                    info = tarfile.TarInfo(f"files/{name}")
                    info.size = size
                    info.mtime = int(now.timestamp())
                    archive.addfile(info, io.BufferedReader(reader, CHUNK))
                manifest["files"].append(
                    {"name": name, "size": size, "sha256": reader.digest.hexdigest()}
                )
                report.files += 1
                report.bytes += size
            manifest["problems"] = report.problems
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        partial.rename(output)
    return report


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in archive.getmembers():
        if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
            raise BackupError(f"Unexpected entry in the archive: {member.name!r}.")
        yield member


def _database_is_empty() -> bool:
    """No row in the tables that make an instance: organisations, users, the trail."""
    tables = set(connection.introspection.table_names())
    wanted = [model for model in (Organisation, User, TrailEvent) if model._meta.db_table in tables]
    return not any(model._default_manager.exists() for model in wanted)


def backup_restore(*, archive_path: Path) -> int:
    """Rebuild an empty instance (database and storage) from an archive; returns files restored.

    Every file is checked against the manifest before it is stored; the database dump too.
    """
    if not _database_is_empty():
        raise BackupError("The database is not empty: restore only into a new instance.")
    with (
        tempfile.TemporaryDirectory(prefix="hdsready-restore-") as work,
        tarfile.open(archive_path, "r") as archive,
    ):
        members = {member.name: member for member in _members(archive)}
        if "manifest.json" not in members:
            raise BackupError("No manifest in the archive: not an hdsready backup.")
        manifest_file = archive.extractfile(members["manifest.json"])
        assert manifest_file is not None  # noqa: S101  (a regular file, checked above)
        manifest = json.loads(manifest_file.read())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
        if manifest["database"]["vendor"] != connection.vendor:
            raise BackupError(
                f"The archive holds a {manifest['database']['vendor']} database; this instance "
                f"uses {connection.vendor}."
            )
        dump = Path(work) / "database.dump"
        source = archive.extractfile(members["database.dump"])
        assert source is not None  # noqa: S101
        with dump.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        if _file_sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError("The database dump does not match its SHA-256 in the manifest.")
        # Files first, checked one by one: a damaged archive stops before the database is loaded.
        staged = Path(work) / "files"
        for entry in manifest["files"]:
            member = members.get(f"files/{entry['name']}")
            if member is None:
                raise BackupError(f"{entry['name']} is missing from the archive.")
            target = staged / entry["name"]
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = archive.extractfile(member)
            assert handle is not None  # noqa: S101
            with target.open("wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
            if _file_sha256(target) != entry["sha256"]:
                raise BackupError(f"{entry['name']} does not match its SHA-256 in the manifest.")
        _load_database(dump)
        for entry in manifest["files"]:
            with (staged / entry["name"]).open("rb") as handle:
                stored = stored_save(entry["name"], File(handle))
            if stored != entry["name"]:
                raise BackupError(f"The storage already holds {entry['name']}: not a new instance.")
        checkpoints = [name for name in members if name.startswith("checkpoints/")]
        settings.TRAIL_CHECKPOINT_DIR.mkdir(parents=True, exist_ok=True)
        for name in checkpoints:
            source = archive.extractfile(members[name])
            assert source is not None  # noqa: S101
            (settings.TRAIL_CHECKPOINT_DIR / Path(name).name).write_bytes(source.read())
        return len(manifest["files"])


def _load_database(dump: Path) -> None:
    connection.close()
    if connection.vendor == "postgresql":
        parts = _database_url_parts()
        result = _run_pg(
            "pg_restore",
            parts,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={parts['name']}",
            str(dump),
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    shutil.copyfile(dump, connection.settings_dict["NAME"])
