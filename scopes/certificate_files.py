"""The files of the certificates, kept by the evidence app (above scopes): it registers a source
in its `AppConfig.ready()`, so scopes' pages and API show a certificate's file without
importing evidence (tests/test_architecture.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hdsready.models import Organisation


@dataclass(frozen=True)
class CertificateFileFacts:
    name: str
    sha256: str
    version: int
    download_url: str
    evidence_url: str


@dataclass(frozen=True)
class CertificateFileSource:
    # The latest file of each certificate that has one, by certificate pk, in a number of
    # queries that does not grow with the certificates.
    files: Callable[[Organisation, Sequence[int]], Mapping[int, CertificateFileFacts]]
    # Where a page posts a certificate's new file.
    upload_url: Callable[[Organisation, int], str]


_SOURCES: list[CertificateFileSource] = []


def certificate_files_register(source: CertificateFileSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def certificate_files_of(
    *, organisation: Organisation, pks: Sequence[int]
) -> dict[int, CertificateFileFacts]:
    found: dict[int, CertificateFileFacts] = {}
    for source in _SOURCES:
        found.update(source.files(organisation, pks))
    return found


def certificate_upload_url(*, organisation: Organisation, pk: int) -> str | None:
    return next((source.upload_url(organisation, pk) for source in _SOURCES), None)
