"""Evidence and dossiers encrypted at rest in the default storage: a wrong or missing key is a
clear 503 that serves and changes nothing; key rotation is resumable and loses nothing."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from dossiers.models import DossierKind, DossierStatus
from dossiers.services.request import DossierTarget, dossier_request
from evidence.models import EvidenceVersion
from evidence.services import (
    VerifyProblem,
    evidence_verify_all,
    evidence_version_add,
    evidence_version_open,
)
from hdsready.encryption import MAGIC, Keyring, read_header
from hdsready.models import TrailEvent
from hdsready.storage import REENCRYPTING_SUFFIX, EncryptedFileSystemStorage
from tests.evidence.helpers import PDF, TEXT, hashed_upload, png

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
RING_1 = Keyring({"k1": KEY_1})
RING_2 = Keyring({"k2": KEY_2, "k1": KEY_1})


@pytest.fixture(autouse=True)
def ring_1(settings: Any) -> None:
    settings.EVIDENCE_KEYS = RING_1


def key_id_of(path: Path) -> str | None:
    with path.open("rb") as raw:
        header = read_header(raw, name=path.name)
    return header.key_id if header is not None else None


def add_versions(item: Any, officer: Any) -> list[EvidenceVersion]:
    contents = [
        (PDF, "policy.pdf"),
        (TEXT, "notes.txt"),
        (png(), "screen.png"),
        (TEXT * 5000, "long.txt"),  # several segments
    ]
    return [
        evidence_version_add(item=item, upload=hashed_upload(content, name), actor=officer)
        for content, name in contents
    ]


def all_verified() -> bool:
    results = list(evidence_verify_all())
    return bool(results) and not any(isinstance(r, VerifyProblem) for r in results)


class TestStored:
    def test_evidence_is_stored_encrypted_and_read_back_checked(self, item, officer, store):
        version = evidence_version_add(
            item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer
        )
        raw = (store.media / version.storage_name).read_bytes()
        assert raw.startswith(MAGIC)
        assert b"%PDF" not in raw
        assert version.sha256 == hashlib.sha256(PDF).hexdigest()  # the plaintext's
        with evidence_version_open(version=version, actor=officer, purpose="viewed") as handle:
            assert handle.read() == PDF

    def test_a_file_stored_before_encryption_still_reads(self, item, officer, store):
        version = evidence_version_add(
            item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer
        )
        (store.media / version.storage_name).write_bytes(PDF)  # as stored before this change
        with evidence_version_open(version=version, actor=officer, purpose="viewed") as handle:
            assert handle.read() == PDF

    def test_the_download_serves_the_plaintext_with_its_length(
        self, item, officer, client_en, store
    ):
        version = evidence_version_add(
            item=item, upload=hashed_upload(TEXT * 5000, "notes.txt"), actor=officer
        )
        response = client_en(officer).get(
            reverse("evidence:version-download", args=[item.organisation.slug, item.pk, 1])
        )
        assert response.status_code == 200
        assert int(response["Content-Length"]) == version.size
        assert b"".join(response.streaming_content) == TEXT * 5000


class TestKeyErrors:
    """A key missing from EVIDENCE_KEYS, or a wrong key under the right id: 503, a message that
    says so, nothing served, the stored file untouched, no integrity incident recorded."""

    @pytest.mark.parametrize(
        "ring", [Keyring({"k2": KEY_2}), Keyring({"k1": KEY_2})], ids=["missing", "wrong"]
    )
    def test_the_page_and_the_api_answer_503(self, ring, item, officer, client_en, store, settings):
        version = evidence_version_add(
            item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer
        )
        path = store.media / version.storage_name
        before = path.read_bytes()
        settings.EVIDENCE_KEYS = ring
        client = client_en(officer)
        slug = item.organisation.slug
        for name in ("evidence:version-download", "evidence:version-view"):
            response = client.get(reverse(name, args=[slug, item.pk, 1]))
            assert response.status_code == 503
            assert b"%PDF" not in response.content
            assert "does not hold the key it is encrypted with" in response.content.decode()
            assert "File unavailable" in response.content.decode()
        api = client.get(f"/api/o/{slug}/evidence/{item.pk}/versions/1/download/")
        assert api.status_code == 503
        assert "does not hold the key" in api.json()["detail"]
        assert path.read_bytes() == before
        kinds = set(TrailEvent.objects.values_list("kind", flat=True))
        assert "evidence.integrity_failed" not in kinds
        assert "evidence.downloaded" not in kinds
        # The key put back, the same file reads again.
        settings.EVIDENCE_KEYS = RING_1
        again = client.get(reverse("evidence:version-download", args=[slug, item.pk, 1]))
        assert again.status_code == 200

    def test_the_verify_command_names_the_key(self, item, officer, settings):
        evidence_version_add(item=item, upload=hashed_upload(PDF, "policy.pdf"), actor=officer)
        settings.EVIDENCE_KEYS = Keyring({"k2": KEY_2})
        out = StringIO()
        with pytest.raises(CommandError, match="1 of 1 versions"):
            call_command("evidence_verify", stdout=out)
        assert "The key 'k1' is not in EVIDENCE_KEYS" in out.getvalue()

    def test_a_dossier_download_answers_503(
        self, organisation, officer, client_en, store, settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            dossier = dossier_request(
                organisation=organisation,
                target=DossierTarget(kind=DossierKind.SOA),
                language="fr",
                actor=officer,
            )
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.READY
        path = store.media / str(dossier.file.name)
        before = path.read_bytes()
        assert not before.startswith(b"%PDF")
        url = reverse("dossiers:dossier-download", args=[organisation.slug, dossier.pk])
        client = client_en(officer)
        served = client.get(url)
        assert served.status_code == 200
        assert served.content.startswith(b"%PDF")
        settings.EVIDENCE_KEYS = Keyring({"k2": KEY_2})
        refused = client.get(url)
        assert refused.status_code == 503
        assert b"%PDF" not in refused.content
        assert path.read_bytes() == before
        assert not TrailEvent.objects.filter(kind="dossier.integrity_failed").exists()


def rotate() -> str:
    out = StringIO()
    call_command("storage_reencrypt", stdout=out)
    return out.getvalue()


class TestRotation:
    def test_rotation_moves_every_file_to_the_current_key(self, item, officer, store, settings):
        versions = add_versions(item, officer)
        legacy = store.media / versions[0].storage_name
        legacy.write_bytes(PDF)  # stored before encryption
        settings.EVIDENCE_KEYS = RING_2
        assert (
            "Current key 'k2': 3 files re-encrypted, 1 plaintext files encrypted, "
            "0 already under it." in rotate()
        )
        assert {key_id_of(path) for path in store.stored_files()} == {"k2"}
        settings.EVIDENCE_KEYS = Keyring({"k2": KEY_2})  # the old key can go now
        assert all_verified()
        assert "0 files re-encrypted, 0 plaintext files encrypted, 4 already under it" in rotate()
        event = TrailEvent.objects.filter(kind="storage.reencrypted").order_by("seq").first()
        assert event is not None
        assert event.data == {
            "key_id": "k2",
            "reencrypted": 3,
            "encrypted_plaintext": 1,
            "already_current": 0,
            "problems": 0,
        }

    @pytest.mark.parametrize("cut_at", range(4))
    @pytest.mark.parametrize("phase", ["written beside", "swapped"])
    def test_an_interrupted_rotation_resumes_and_loses_nothing(
        self, cut_at, phase, item, officer, store, settings, monkeypatch
    ):
        """Cut after the n-th file's copy is written beside it (before the swap), or after
        the swap (before an S3 clean-up): the rerun finishes, nothing is encrypted twice."""
        add_versions(item, officer)
        settings.EVIDENCE_KEYS = RING_2
        calls = {"n": 0}
        original = EncryptedFileSystemStorage.replace_stored

        def cut(self: EncryptedFileSystemStorage, *, source: str, target: str) -> None:
            if calls["n"] == cut_at:
                if phase == "swapped":
                    # What S3 leaves: the target copied, the copy beside not yet deleted.
                    Path(self.path(target)).write_bytes(Path(self.path(source)).read_bytes())
                raise KeyboardInterrupt
            calls["n"] += 1
            original(self, source=source, target=target)

        monkeypatch.setattr(EncryptedFileSystemStorage, "replace_stored", cut)
        with pytest.raises(KeyboardInterrupt):
            rotate()
        monkeypatch.undo()
        settings.EVIDENCE_KEYS = RING_2
        leftovers = [p for p in store.stored_files() if p.name.endswith(REENCRYPTING_SUFFIX)]
        assert len(leftovers) == 1
        # Every file still reads (old key or new) while the rotation is cut.
        assert all_verified()
        report = rotate()
        done_before = cut_at + (1 if phase == "swapped" else 0)
        assert f"{4 - done_before} files re-encrypted" in report
        assert f"{done_before} already under it" in report
        assert [p for p in store.stored_files() if p.name.endswith(REENCRYPTING_SUFFIX)] == []
        assert {key_id_of(path) for path in store.stored_files()} == {"k2"}
        settings.EVIDENCE_KEYS = Keyring({"k2": KEY_2})
        assert all_verified()

    def test_a_file_under_a_missing_key_is_left_and_named(self, item, officer, store, settings):
        """Two files under k1, one under k0; k1 dropped from the keyring: the k0 file moves to
        the new key k2, the k1 files are named and left byte for byte."""
        under_k1 = [
            evidence_version_add(item=item, upload=hashed_upload(c, n), actor=officer)
            for c, n in ((PDF, "a.pdf"), (TEXT, "b.txt"))
        ]
        settings.EVIDENCE_KEYS = Keyring({"k0": KEY_2, "k1": KEY_1})
        under_k0 = evidence_version_add(
            item=item, upload=hashed_upload(TEXT, "c.txt"), actor=officer
        )
        before = {v.pk: (store.media / v.storage_name).read_bytes() for v in under_k1}
        settings.EVIDENCE_KEYS = Keyring({"k2": bytes(range(200, 232)), "k0": KEY_2})
        out = StringIO()
        with pytest.raises(CommandError, match=r"1 files re-encrypted.* 2 files NOT re-encrypted"):
            call_command("storage_reencrypt", stdout=out)
        problems = [line for line in out.getvalue().splitlines() if line.startswith("PROBLEM")]
        assert len(problems) == 2
        assert all("The key 'k1' is not in EVIDENCE_KEYS" in line for line in problems)
        for version in under_k1:
            assert (store.media / version.storage_name).read_bytes() == before[version.pk]
        assert key_id_of(store.media / under_k0.storage_name) == "k2"


def keyring_env(ring: Keyring) -> str:
    return ",".join(
        f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in ring.keys.items()
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_rotation_resumes(item, officer, store, settings):
    """The command killed (SIGKILL) while it writes a copy beside a file: every file still reads
    with its SHA-256, and the next run finishes the rotation."""
    for number in range(6):
        content = PDF + os.urandom(12 * 1024 * 1024) + str(number).encode()
        evidence_version_add(
            item=item, upload=hashed_upload(content, f"{number}.pdf"), actor=officer
        )
    settings.EVIDENCE_KEYS = RING_2
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER'] or 'postgres'}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "MEDIA_ROOT": str(store.media),
        "EVIDENCE_KEYS": keyring_env(RING_2),
    }
    command = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "storage_reencrypt"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # Let it finish one file, then kill it in the middle of another one's copy.
        while time.monotonic() < deadline and command.poll() is None:
            moved = [p for p in store.stored_files() if key_id_of(p) == "k2"]
            beside = [p for p in store.stored_files() if p.name.endswith(REENCRYPTING_SUFFIX)]
            if moved and beside:
                command.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        command.wait(timeout=30)
    assert command.returncode == -signal.SIGKILL, "the command finished before it was killed"
    assert all_verified()
    report = rotate()
    assert "0 plaintext files encrypted" in report
    assert [p for p in store.stored_files() if p.name.endswith(REENCRYPTING_SUFFIX)] == []
    assert {key_id_of(path) for path in store.stored_files()} == {"k2"}
    settings.EVIDENCE_KEYS = Keyring({"k2": KEY_2})
    assert all_verified()
