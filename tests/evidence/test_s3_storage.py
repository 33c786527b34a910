"""Evidence, dossiers and backups on S3-compatible object storage (STORAGE_BACKEND=s3), against a
real S3 server process (moto's standalone server) started on 127.0.0.1 for these tests."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.management import call_command

from dossiers.models import DossierKind, DossierStatus
from dossiers.services.request import DossierTarget, dossier_open, dossier_request
from evidence.services import (
    EvidenceIntegrityError,
    VerifyProblem,
    evidence_verify_all,
    evidence_version_add,
    evidence_version_open,
)
from hdsready.encryption import MAGIC, Keyring, read_header
from hdsready.models import Organisation, User
from hdsready.storage import REENCRYPTING_SUFFIX
from hdsready.storage.s3 import EncryptedS3Storage
from tests.evidence.helpers import PDF, TEXT, hashed_upload, make_item

BUCKET = "hdsready-evidence"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_server: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-3", **CREDENTIALS)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    # The production settings' S3 storage, pointed at the server (a new STORAGES dict drops
    # Django's cached default storage).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "hdsready.storage.s3.EncryptedS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "eu-west-3",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for entry in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=entry["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> list[str]:
    return sorted(
        entry["Key"] for entry in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    )


@pytest.mark.django_db
def test_evidence_is_stored_in_the_bucket_and_checked_on_read(
    bucket: Any, organisation: Organisation, officer: User
) -> None:
    item = make_item(organisation, officer)
    version = evidence_version_add(
        item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer
    )
    assert keys(bucket) == [version.storage_name]
    stored = bucket.get_object(Bucket=BUCKET, Key=version.storage_name)["Body"].read()
    assert stored.startswith(MAGIC)  # encrypted in the bucket
    assert b"%PDF" not in stored
    with evidence_version_open(version=version, actor=officer, purpose="viewed") as handle:
        assert handle.read() == PDF
    bucket.put_object(Bucket=BUCKET, Key=version.storage_name, Body=PDF + b"%altered")
    with pytest.raises(EvidenceIntegrityError):
        evidence_version_open(version=version, actor=officer, purpose="downloaded")


@pytest.mark.django_db
def test_a_dossier_is_laid_out_into_the_bucket_and_read_back(
    bucket: Any,
    organisation: Organisation,
    officer: User,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_request(
            organisation=organisation,
            target=DossierTarget(kind=DossierKind.SOA),
            language="fr",
            actor=officer,
        )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.READY
    assert str(dossier.file.name) in keys(bucket)
    stored = bucket.get_object(Bucket=BUCKET, Key=str(dossier.file.name))["Body"].read()
    assert not stored.startswith(b"%PDF")
    pdf = tmp_path / "soa.pdf"
    pdf.write_bytes(dossier_open(dossier=dossier, actor=officer))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "applicabilité" in text.lower()


@pytest.mark.django_db(transaction=True)
def test_the_backup_archive_holds_the_bucket_s_files(
    bucket: Any, organisation: Organisation, officer: User, tmp_path: Path
) -> None:
    item = make_item(organisation, officer)
    evidence_version_add(item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer)
    evidence_version_add(item=item, upload=hashed_upload(TEXT, "notes.txt"), actor=officer)
    archive = tmp_path / "backup.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        stored = {name.removeprefix("files/") for name in tar.getnames()}
    assert sorted(entry["name"] for entry in manifest["files"]) == keys(bucket)
    assert set(keys(bucket)) <= stored


@pytest.mark.django_db
def test_a_rotation_cut_in_the_bucket_resumes(
    bucket: Any,
    organisation: Organisation,
    officer: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cut after the second object is copied over its original but before the copy beside it
    is deleted: the rerun deletes that copy, moves the rest, and every version verifies."""
    item = make_item(organisation, officer)
    for content, name in ((PDF, "a.pdf"), (TEXT, "b.txt"), (TEXT * 9000, "c.txt")):
        evidence_version_add(item=item, upload=hashed_upload(content, name), actor=officer)
    old = settings.EVIDENCE_KEYS
    settings.EVIDENCE_KEYS = Keyring({"k-new": bytes(range(32)), **old.keys})
    calls = {"n": 0}
    delete = EncryptedS3Storage.delete

    def cut(self: EncryptedS3Storage, name: str) -> None:
        if name.endswith(REENCRYPTING_SUFFIX) and self.exists(name):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
        delete(self, name)

    monkeypatch.setattr(EncryptedS3Storage, "delete", cut)
    with pytest.raises(KeyboardInterrupt):
        call_command("storage_reencrypt", stdout=io.StringIO())
    monkeypatch.undo()
    assert sum(key.endswith(REENCRYPTING_SUFFIX) for key in keys(bucket)) == 1
    out = io.StringIO()
    call_command("storage_reencrypt", stdout=out)
    assert "1 files re-encrypted" in out.getvalue()
    assert "2 already under it, 1 copies left by an interrupted run removed" in out.getvalue()
    assert not any(key.endswith(REENCRYPTING_SUFFIX) for key in keys(bucket))
    for key in keys(bucket):
        body = bucket.get_object(Bucket=BUCKET, Key=key)["Body"]
        header = read_header(body, name=key)
        assert header is not None
        assert header.key_id == "k-new"
    settings.EVIDENCE_KEYS = Keyring({"k-new": bytes(range(32))})
    results = list(evidence_verify_all())
    assert len(results) == 3
    assert not any(isinstance(result, VerifyProblem) for result in results)
