"""What an evidence file is, judged from its bytes (libmagic), never from its name or the
browser; and what may be shown inline. Pure functions over a path or bytes, no ORM."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

import magic

# Evidence a host collects: documents, images, text, office files, archives, e-mail.
ALLOWED_TYPES: frozenset[str] = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/csv",
        "application/json",
        "application/xml",
        "text/xml",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/zip",
        "application/x-7z-compressed",
        "application/gzip",
        "application/x-tar",
        "message/rfc822",
        "application/vnd.ms-outlook",
    }
)

# Shown in the browser: PDFs in its viewer, images, plain text. Everything else downloads.
INLINE_TYPES: frozenset[str] = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"}
)

# libmagic calls some text files by more specific names: they are still plain text to us.
_TEXT_ALIASES = re.compile(r"^text/(x-[\w.+-]+|html|troff)$")


def sniff_path(path: str) -> str:
    return str(magic.from_file(path, mime=True))


def sniff_bytes(head: bytes) -> str:
    return str(magic.from_buffer(head, mime=True))


def normalise_type(content_type: str) -> str:
    """Script-like or markup text (HTML, shell, ...) is stored and served as plain text."""
    if _TEXT_ALIASES.match(content_type):
        return "text/plain"
    return content_type


def is_allowed(content_type: str) -> bool:
    return normalise_type(content_type) in ALLOWED_TYPES


def is_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES


def display_name(raw: str, *, max_length: int = 120) -> str:
    """A safe name for display and Content-Disposition: no path, no control characters."""
    name = PurePath(raw.replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return "file"
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        if dot and len(suffix) <= 10:
            name = stem[: max_length - len(suffix) - 1] + "." + suffix
        else:
            name = name[:max_length]
    return name
