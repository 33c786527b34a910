"""Key rotation: every stored file re-encrypted under the current key (the first of
EVIDENCE_KEYS), and the files stored in plaintext before encryption encrypted.

Resumable and safe to cut at any point: each file is written beside its original, read back and
checked to hold the same plaintext (SHA-256), then swapped in at once; a file already under the
current key is skipped, so a second run finishes the first one's work and never encrypts twice.
The original is never changed before its checked replacement exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage

from hdsready.encryption import (
    EncryptedFileDamaged,
    EncryptionKeyError,
    encrypting,
)
from hdsready.storage import (
    REENCRYPTING_SUFFIX,
    EncryptedStorageMixin,
    keyring,
    stored_files,
)
from hdsready.trail import trail_record

CHUNK = 1024 * 1024


@dataclass
class RotationReport:
    key_id: str
    reencrypted: int = 0
    encrypted_plaintext: int = 0
    already_current: int = 0
    leftovers_removed: int = 0
    problems: list[str] = field(default_factory=list)


class _HashingReader:
    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _reencrypt(
    storage: EncryptedStorageMixin, name: str, report: RotationReport, *, leftover: bool
) -> None:
    was = storage.stored_key_id(name)
    beside = name + REENCRYPTING_SUFFIX
    if was == report.key_id:
        report.already_current += 1
        if leftover:  # cut between the swap and the clean-up (S3 copies, then deletes)
            storage.delete(beside)
            report.leftovers_removed += 1
        return
    # Opening decrypts the header first: a missing or wrong key stops here, before any write.
    with storage.open(name) as plain:
        hashing = _HashingReader(plain)
        storage.delete(beside)  # a cut run's leftover
        written = storage.save_stored(beside, File(encrypting(hashing, keyring())))
    expected = hashing.digest.hexdigest()
    with storage.open(written) as check:
        found = _sha256(check)
    if found != expected or storage.stored_key_id(written) != report.key_id:
        storage.delete(written)
        raise EncryptedFileDamaged(f"{name}: the re-encrypted copy does not read back the same.")
    storage.replace_stored(source=written, target=name)
    if was is None:
        report.encrypted_plaintext += 1
    else:
        report.reencrypted += 1


def storage_reencrypt(
    *, on_file: Callable[[str], None] | None = None, storage: Storage | None = None
) -> RotationReport:
    """Re-encrypt every stored file under the current key; report what was done and every file
    that could not be (a key missing from EVIDENCE_KEYS, a damaged file: left as it was).
    Recorded in the audit trail (HDS v2: the host can show when its keys were rotated)."""
    storage = storage or default_storage
    if not isinstance(storage, EncryptedStorageMixin):
        raise EncryptionKeyError("The default storage does not encrypt (STORAGES).")
    report = RotationReport(key_id=keyring().current_id)
    names = stored_files(storage)
    present = set(names)
    for name in names:
        if name.endswith(REENCRYPTING_SUFFIX):
            if name.removesuffix(REENCRYPTING_SUFFIX) not in present:
                storage.delete(name)
                report.leftovers_removed += 1
            continue
        try:
            _reencrypt(storage, name, report, leftover=name + REENCRYPTING_SUFFIX in present)
        except (EncryptionKeyError, EncryptedFileDamaged) as exc:
            report.problems.append(f"{name}: {exc}")
        except FileNotFoundError:
            continue  # deleted since the listing (a dossier part laid out again)
        if on_file is not None:
            on_file(name)
    trail_record(
        kind="storage.reencrypted",
        actor=None,
        data={
            "key_id": report.key_id,
            "reencrypted": report.reencrypted,
            "encrypted_plaintext": report.encrypted_plaintext,
            "already_current": report.already_current,
            "problems": len(report.problems),
        },
    )
    return report
