"""The certificates handed to a client as one ZIP (HDS v2 EXI 12: the host gives its clients its
HDS certificate and those of its certified subcontractors): each certificate's file and a
manifest saying, for each, the holder, kind, number, validity, status and SHA-256. Pure: the
caller reads the files (checked against their recorded fingerprints) and the labels."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.utils.text import slugify

MANIFEST_NAME = "manifest.csv"


@dataclass(frozen=True)
class BundleFile:
    original_name: str
    content: bytes  # read through evidence_version_open: checked against the upload's SHA-256


@dataclass(frozen=True)
class BundleEntry:
    holder: str
    kind: str  # the kind's label, in the reader's language
    number: str
    certification_body: str
    issued_on: date
    expires_on: date
    status: str  # the status's label on the day of the bundle
    file: BundleFile | None


def entry_file_name(index: int, entry: BundleEntry) -> str:
    """A name of our own, never the uploader's: position, holder, number, and the extension."""
    assert entry.file is not None  # noqa: S101  (only entries with a file are named)
    suffix = PurePath(entry.file.original_name).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    stem = "-".join(part for part in (slugify(entry.holder), slugify(entry.number)) if part)
    return f"{index:02d}-{stem or 'certificate'}{suffix}"


def build_bundle(entries: Sequence[BundleEntry], *, header: Sequence[str], missing: str) -> bytes:
    """The ZIP: one file per entry that has one, and the manifest listing every entry (an entry
    without a file is listed with `missing` in place of its file name, never dropped)."""
    buffer = io.BytesIO()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(header)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, entry in enumerate(entries, start=1):
            name, sha256 = missing, ""
            if entry.file is not None:
                name = entry_file_name(index, entry)
                archive.writestr(name, entry.file.content)
                sha256 = hashlib.sha256(entry.file.content).hexdigest()
            writer.writerow(
                [
                    entry.holder,
                    entry.kind,
                    entry.number,
                    entry.certification_body,
                    entry.issued_on.isoformat(),
                    entry.expires_on.isoformat(),
                    entry.status,
                    name,
                    sha256,
                ]
            )
        # With a byte order mark, so a spreadsheet opens the accents right.
        archive.writestr(MANIFEST_NAME, "\ufeff" + manifest.getvalue())
    return buffer.getvalue()
