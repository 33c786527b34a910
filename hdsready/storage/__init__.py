"""The default storage, encrypted at rest (hdsready/encryption.py has the format): files are
encrypted as they are saved and decrypted as they are read, streamed, over the local disk or an
S3-compatible bucket. Every caller keeps using `default_storage`; the SHA-256 they record and
check stays the plaintext's.

`open_stored`/`save_stored` reach the stored (encrypted) bytes: backups copy those, so an
archive is as unreadable as the disk without the keys.
"""

from __future__ import annotations

import io
import os
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.files.utils import validate_file_name

from hdsready.encryption import (
    Keyring,
    encrypting,
    open_plaintext,
    read_header,
)

# A file being re-encrypted is written beside its original under this suffix, then swapped in.
REENCRYPTING_SUFFIX = ".reencrypting"


def keyring() -> Keyring:
    """Read at each use, so a test (or a reloaded setting) changes it without a new storage."""
    ring: Keyring = settings.EVIDENCE_KEYS
    return ring


class EncryptedStorageMixin(Storage):
    """Encrypts on save, decrypts on open; the backend below stores the ciphertext."""

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if mode != "rb":
            raise ValueError("Encrypted files are opened read-only, in binary ('rb').")
        stored = self.open_stored(name)
        return File(open_plaintext(stored, keyring(), name=name), name=name)

    def _save(self, name: str, content: File[Any]) -> str:
        if content.seekable():
            content.seek(0)
        encrypted = File(encrypting(content, keyring()), name=name)
        encrypted.content_type = "application/octet-stream"  # type: ignore[attr-defined]
        return self._save_stored(name, encrypted)

    def size(self, name: str) -> int:
        """The plaintext's size (the stored file is larger by the header and one tag per
        segment)."""
        with self._open(name) as handle:
            return int(handle.seek(0, io.SEEK_END))

    # -- the stored bytes, below the encryption --------------------------------------------------

    def open_stored(self, name: str) -> IO[bytes]:
        stored: IO[bytes] = super()._open(name, "rb")  # type: ignore[misc,unused-ignore]
        return stored

    def save_stored(self, name: str, content: File[Any]) -> str:
        """Store bytes as they are (already encrypted, e.g. from a backup) under an available
        name, as Storage.save does."""
        validate_file_name(name, allow_relative_path=True)
        name = self.get_available_name(name)
        return self._save_stored(name, content)

    def _save_stored(self, name: str, content: File[Any]) -> str:
        saved: str = super()._save(name, content)  # type: ignore[misc,unused-ignore]
        return saved

    def stored_key_id(self, name: str) -> str | None:
        """The id of the key the stored file is encrypted under; None for plaintext."""
        with self.open_stored(name) as stored:
            header = read_header(stored, name=name)
        return header.key_id if header is not None else None

    def replace_stored(self, *, source: str, target: str) -> None:
        """Put the stored file `source` in place of `target` in one step: a reader sees the old
        file or the new one, never a part."""
        raise NotImplementedError


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    def replace_stored(self, *, source: str, target: str) -> None:
        os.replace(self.path(source), self.path(target))


def stored_files(storage: Storage, path: str = "") -> list[str]:
    """Every file name under `path`, sorted (the order a rotation walks them)."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # nothing stored yet: no media directory
        return []
    names = [f"{path}/{name}" if path else name for name in files]
    for directory in directories:
        names.extend(stored_files(storage, f"{path}/{directory}" if path else directory))
    return sorted(names)


def stored_open(name: str) -> IO[bytes]:
    """The default storage's bytes of `name` as stored (encrypted), for backups."""
    storage = default_storage
    if isinstance(storage, EncryptedStorageMixin):
        return storage.open_stored(name)
    return storage.open(name, "rb")


def stored_save(name: str, content: File[Any]) -> str:
    """Store bytes as they were stored (from a backup) in the default storage."""
    storage = default_storage
    if isinstance(storage, EncryptedStorageMixin):
        return storage.save_stored(name, content)
    return storage.save(name, content)
