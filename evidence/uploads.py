"""Streaming uploads: every uploaded file goes to a temporary file on disk while its SHA-256 is
computed, and an upload past the size limit stops being stored as soon as it crosses the limit.

Installed globally (FILE_UPLOAD_HANDLERS) because Django's CSRF middleware parses the request
body before any view runs. Memory stays flat whatever the size: one chunk at a time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    SkipFile,
    TemporaryFileUploadHandler,
)


class HashedUploadedFile(TemporaryUploadedFile):
    """A temporary uploaded file that knows its SHA-256, computed while it was written."""

    sha256: str


class HashingUploadHandler(TemporaryFileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.max_bytes: int = settings.UPLOAD_MAX_BYTES
        self.digest = hashlib.sha256()
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        # Skip TemporaryFileUploadHandler.new_file: it would open a temporary file of its own,
        # only to drop it for ours.
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.hashed = HashedUploadedFile(
            self.file_name or "upload", self.content_type, 0, self.charset, self.content_type_extra
        )
        self.file = self.hashed
        self.digest = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            # The rest of this file is read and dropped (so the view can answer with a clear
            # message) but never stored; the partial temporary file goes now.
            if self.request is not None:
                refused = getattr(self.request, "uploads_too_large", [])
                refused.append(self.file_name)
                setattr(self.request, "uploads_too_large", refused)  # noqa: B010
            self.upload_interrupted()
            raise SkipFile
        self.digest.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUploadedFile:
        self.hashed.seek(0)
        self.hashed.size = file_size
        self.hashed.sha256 = self.digest.hexdigest()
        return self.hashed
