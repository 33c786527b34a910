"""What the pages and the REST API share when a file goes in or out: the headers of a served
version, and the answer to an upload past the size limit."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from evidence.models import EvidenceVersion

# Served files never run script in our origin: no active content, nothing sniffed. PDFs keep
# the browser's viewer (a CSP sandbox would block it); other inline types are sandboxed too.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
SANDBOXED_CSP = FILE_CSP + "; sandbox"


def file_response(version: EvidenceVersion, handle: IO[bytes], *, inline: bool) -> FileResponse:
    """The bytes of `handle` (opened by evidence_version_open, so checked and logged), shown
    inline or as an attachment named after the version, with the headers that keep them inert."""
    content_type = version.content_type
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=version.original_name,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        FILE_CSP if version.content_type == "application/pdf" else SANDBOXED_CSP
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def too_large_message(request: HttpRequest | Request) -> str | None:
    """The message for the files the upload handler refused as too large, if any."""
    # The upload handler records what it refused while the body is parsed, which happens on the
    # first read of POST or FILES: the CSRF middleware usually did it, but not always (exempt,
    # API or test requests). Read FILES first so the answer never depends on who parsed the body.
    refused = getattr(request, "uploads_too_large", None) if request.FILES is not None else None
    if not refused:
        return None
    return _("%(name)s is larger than the limit of %(limit)s MB: nothing was stored.") % {
        "name": ", ".join(refused),
        "limit": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }
