"""Stored files encrypted at rest: the file format and the keyring (HDS v2: protection of the
hosted information; the tool that holds a host's evidence keeps it unreadable on its disks, in its
bucket and in its backups without a key that lives outside the database).

Format 1, a STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) over AES-256-GCM:

    header  = MAGIC (8 bytes, the last one the format version) | key id length (1) | key id
              | salt (32) | nonce prefix (7) | segment size (4, big-endian) | key check (16)
    segment = AES-256-GCM(file key, nonce = prefix | counter (4, big-endian) | last flag (1),
                          plaintext of `segment size` bytes (the last one shorter, maybe empty),
                          associated data = header) -> ciphertext | tag (16)

The file key and the key check come from the keyring's key by HKDF-SHA256 with the file's random
salt: no two files share a key, so random nonces never collide across files. The counter in the
nonce refuses reordered segments, the last flag a file cut at a segment boundary, the header as
associated data a changed key id or segment size. The key check tells a wrong key (operator's
error) from damaged bytes (tampering) before any segment is read.

Readers and writers hold one segment at a time: memory stays flat whatever the size.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import struct
from dataclasses import dataclass
from typing import IO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"\x89HDSENC\x01"
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
SALT_SIZE = 32
PREFIX_SIZE = 7
CHECK_SIZE = 16
KEY_SIZE = 32
MAX_SEGMENTS = 2**32
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FIXED_AFTER_ID = SALT_SIZE + PREFIX_SIZE + 4 + CHECK_SIZE


class ByteSource(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class EncryptionKeyError(Exception):
    """The keyring cannot read or write a stored file: a key is missing or wrong. An operator's
    matter (the configuration), not the file's: nothing is served and nothing is overwritten."""


class EncryptedFileDamaged(Exception):
    """The stored bytes fail authentication: altered, cut short, reordered or not ours."""


class KeyringError(ValueError):
    """EVIDENCE_KEYS is malformed."""


@dataclass(frozen=True)
class Keyring:
    """Keys by id, the first one current: files are written under it, and every key still reads
    the files written under it until a rotation re-encrypts them."""

    keys: dict[str, bytes]

    @property
    def current_id(self) -> str:
        if not self.keys:
            raise EncryptionKeyError("No encryption key is configured (EVIDENCE_KEYS).")
        return next(iter(self.keys))

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise EncryptionKeyError(
                f"The key {key_id!r} is not in EVIDENCE_KEYS: files encrypted under it cannot be "
                "read. Add it back (after the current key) and retry."
            ) from None


def parse_keyring(value: str) -> Keyring:
    """`id:base64key` entries separated by commas, spaces or new lines; the first is current.
    A key is 32 random bytes, base64-encoded (README, Encryption at rest)."""
    keys: dict[str, bytes] = {}
    for entry in re.split(r"[\s,]+", value.strip()):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise KeyringError(
                f"EVIDENCE_KEYS entry {key_id[:20]!r}...: write each key as id:base64 (an id of "
                "letters, digits, '.', '_' or '-')."
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise KeyringError(f"EVIDENCE_KEYS key {key_id!r} is not valid base64.") from None
        if len(key) != KEY_SIZE:
            raise KeyringError(
                f"EVIDENCE_KEYS key {key_id!r} has {len(key)} bytes: a key is {KEY_SIZE} bytes."
            )
        if key_id in keys:
            raise KeyringError(f"EVIDENCE_KEYS names the key {key_id!r} twice.")
        keys[key_id] = key
    if not keys:
        raise KeyringError("EVIDENCE_KEYS holds no key.")
    return Keyring(keys)


def new_key_entry(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_SIZE)).decode()}"


def _derive(key: bytes, salt: bytes, key_id: str) -> tuple[bytes, bytes]:
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE + CHECK_SIZE,
        salt=salt,
        info=b"hdsready stored file v1|" + key_id.encode(),
    ).derive(key)
    return material[:KEY_SIZE], material[KEY_SIZE:]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", counter, last)


@dataclass(frozen=True)
class Header:
    key_id: str
    salt: bytes
    prefix: bytes
    segment_size: int
    check: bytes
    raw: bytes

    @classmethod
    def new(cls, keyring: Keyring, segment_size: int = SEGMENT_SIZE) -> tuple[Header, AESGCM]:
        key_id = keyring.current_id
        salt, prefix = os.urandom(SALT_SIZE), os.urandom(PREFIX_SIZE)
        file_key, check = _derive(keyring.key(key_id), salt, key_id)
        raw = (
            MAGIC
            + bytes([len(key_id)])
            + key_id.encode()
            + salt
            + prefix
            + struct.pack(">I", segment_size)
            + check
        )
        return cls(key_id, salt, prefix, segment_size, check, raw), AESGCM(file_key)

    def cipher(self, keyring: Keyring, *, name: str) -> AESGCM:
        """The file's cipher, once the key check says the keyring's key is the one it was
        written under."""
        file_key, check = _derive(keyring.key(self.key_id), self.salt, self.key_id)
        if check != self.check:
            raise EncryptionKeyError(
                f"The key {self.key_id!r} in EVIDENCE_KEYS is not the key {name} was encrypted "
                "with: restore the right key (same id) and retry."
            )
        return AESGCM(file_key)

    @property
    def size(self) -> int:
        return len(self.raw)


def read_header(handle: IO[bytes], *, name: str) -> Header | None:
    """The header at the start of `handle`, or None for a file stored in plaintext (before
    encryption was turned on: readable until a rotation encrypts it). Leaves `handle` just
    past the header, or at 0 for plaintext."""
    start = _read_exactly(handle, len(MAGIC) + 1)
    if start[: len(MAGIC) - 1] != MAGIC[:-1]:
        handle.seek(0)
        return None
    if len(start) < len(MAGIC) + 1:
        raise EncryptedFileDamaged(f"{name}: the encryption header is cut short.")
    if start[: len(MAGIC)] != MAGIC:
        raise EncryptedFileDamaged(f"{name}: unknown encryption format {start[len(MAGIC) - 1]}.")
    id_length = start[-1]
    rest = _read_exactly(handle, id_length + _FIXED_AFTER_ID)
    if len(rest) < id_length + _FIXED_AFTER_ID:
        raise EncryptedFileDamaged(f"{name}: the encryption header is cut short.")
    try:
        key_id = rest[:id_length].decode("ascii")
    except UnicodeDecodeError:
        raise EncryptedFileDamaged(f"{name}: the encryption header is damaged.") from None
    at = id_length
    salt = rest[at : at + SALT_SIZE]
    at += SALT_SIZE
    prefix = rest[at : at + PREFIX_SIZE]
    at += PREFIX_SIZE
    (segment_size,) = struct.unpack(">I", rest[at : at + 4])
    at += 4
    check = rest[at : at + CHECK_SIZE]
    if not KEY_ID.match(key_id) or not 0 < segment_size <= 16 * 1024 * 1024:
        raise EncryptedFileDamaged(f"{name}: the encryption header is damaged.")
    return Header(key_id, salt, prefix, segment_size, check, start + rest)


def _read_exactly(handle: ByteSource, size: int) -> bytes:
    parts = []
    while size > 0:
        part = handle.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


class EncryptingReader(io.RawIOBase):
    """Reads as the ciphertext of `source` (a plaintext stream), one segment ahead: what a
    storage backend saves as it reads, never the whole file in memory."""

    def __init__(
        self, source: ByteSource, keyring: Keyring, *, segment_size: int = SEGMENT_SIZE
    ) -> None:
        super().__init__()
        self.source = source
        self.header, self.aead = Header.new(keyring, segment_size)
        self.segment_size = segment_size
        self.counter = 0
        self.out = bytearray(self.header.raw)
        self.next_plain = _read_exactly(source, segment_size)
        self.finished = False

    def readable(self) -> bool:
        return True

    def _encrypt_next(self) -> None:
        plain = self.next_plain
        self.next_plain = _read_exactly(self.source, self.segment_size)
        last = not self.next_plain
        if self.counter >= MAX_SEGMENTS:
            raise ValueError("File too large for the encryption format.")
        nonce = _nonce(self.header.prefix, self.counter, last)
        self.out += self.aead.encrypt(nonce, plain, self.header.raw)
        self.counter += 1
        self.finished = last

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.out and not self.finished:
            self._encrypt_next()
        size = min(len(buffer), len(self.out))
        buffer[:size] = self.out[:size]
        del self.out[:size]
        return size


def encrypted_size(plain_size: int, header_size: int, segment_size: int = SEGMENT_SIZE) -> int:
    segments = max(1, -(-plain_size // segment_size))
    return header_size + plain_size + segments * TAG_SIZE


def encrypting(source: ByteSource, keyring: Keyring) -> io.BufferedReader:
    """The ciphertext of `source`, as a stream a storage backend saves."""
    return io.BufferedReader(EncryptingReader(source, keyring), buffer_size=SEGMENT_SIZE)


class DecryptingReader(io.RawIOBase):
    """Reads as the plaintext of `handle` (a seekable ciphertext stream whose header was just
    read): seekable, one decrypted segment cached. A segment that fails authentication raises
    EncryptedFileDamaged; nothing of it is returned."""

    def __init__(self, handle: IO[bytes], header: Header, aead: AESGCM, *, name: str) -> None:
        super().__init__()
        self.handle = handle
        self.header = header
        self.aead = aead
        self.name = name
        self.stored_segment = header.segment_size + TAG_SIZE
        body = handle.seek(0, io.SEEK_END) - header.size
        self.segments = max(1, -(-body // self.stored_segment))
        self.plain_size = body - self.segments * TAG_SIZE
        if self.plain_size < 0 or self.segments > MAX_SEGMENTS:
            raise EncryptedFileDamaged(f"{name}: the encrypted file is cut short.")
        self.position = 0
        self.cached: tuple[int, bytes] | None = None
        self.end_checked = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.plain_size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position

    def _segment(self, index: int) -> bytes:
        if self.cached is not None and self.cached[0] == index:
            return self.cached[1]
        self.handle.seek(self.header.size + index * self.stored_segment)
        stored = _read_exactly(self.handle, self.stored_segment)
        last = index == self.segments - 1
        try:
            plain = self.aead.decrypt(
                _nonce(self.header.prefix, index, last), stored, self.header.raw
            )
        except InvalidTag:
            raise EncryptedFileDamaged(
                f"{self.name}: segment {index} fails authentication (altered, cut short or "
                "reordered)."
            ) from None
        if not last and len(plain) != self.header.segment_size:
            raise EncryptedFileDamaged(f"{self.name}: segment {index} has the wrong size.")
        self.cached = (index, plain)
        return plain

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.position >= self.plain_size:
            # The end of the file is only the end once the last segment authenticates as the
            # last one (a file cut to a bare tag reads as an empty last segment otherwise).
            if not self.end_checked:
                self._segment(self.segments - 1)
                self.end_checked = True
            return 0
        index, offset = divmod(self.position, self.header.segment_size)
        plain = self._segment(index)
        size = min(len(buffer), len(plain) - offset)
        buffer[:size] = plain[offset : offset + size]
        self.position += size
        return size

    def close(self) -> None:
        if not self.closed:
            self.handle.close()
        super().close()


def open_plaintext(handle: IO[bytes], keyring: Keyring, *, name: str) -> IO[bytes]:
    """The plaintext of a stored file: decrypted as it is read, or as it is for a file stored
    before encryption. Raises EncryptionKeyError (no key, wrong key) before any byte is read."""
    try:
        header = read_header(handle, name=name)
        if header is None:
            return handle
        reader = DecryptingReader(handle, header, header.cipher(keyring, name=name), name=name)
    except BaseException:
        handle.close()
        raise
    return io.BufferedReader(reader, buffer_size=SEGMENT_SIZE)
