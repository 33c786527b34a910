"""Bytes of real files of each kind, and uploads built by the real upload handler."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from evidence.models import EvidenceItem
from evidence.services import ItemData, evidence_item_create
from evidence.uploads import HashedUploadedFile, HashingUploadHandler
from hdsready.models import Organisation, User

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
TEXT = b"Firewall review 2025: every rule checked, none left open.\n"
HTML = b"<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head></html>\n"
# A real executable of this machine, the bytes an attacker would rename to policy.pdf.
ELF = Path("/bin/true").read_bytes()


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("backup-report.txt", "Backups restored on 2025-03-01.")
    return buffer.getvalue()


def hashed_upload(
    content: bytes, name: str = "policy.pdf", content_type: str = "application/pdf"
) -> HashedUploadedFile:
    """The file Django hands a view: fed through our handler chunk by chunk, as the parser does."""
    handler = HashingUploadHandler()
    handler.new_file("file", name, content_type, len(content))
    for start in range(0, len(content), handler.chunk_size):
        handler.receive_data_chunk(content[start : start + handler.chunk_size], start)
    return handler.file_complete(len(content))


def make_item(
    organisation: Organisation, actor: User, title: str = "Backup policy"
) -> EvidenceItem:
    return evidence_item_create(
        organisation=organisation, data=ItemData(title=title, owner=actor), actor=actor
    )
