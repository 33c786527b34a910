"""The streaming upload handler: hashing while writing, the size limit, and flat memory."""

from __future__ import annotations

import hashlib
import json
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files import uploadedfile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse

from evidence.models import EvidenceItem, EvidenceVersion
from evidence.uploads import HashingUploadHandler
from hdsready.encryption import encrypted_size, read_header
from hdsready.models import TrailEvent
from tests.evidence.helpers import PDF, hashed_upload
from tests.scopes.test_scope_services import requirement

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


def upload_url(item):
    return reverse("evidence:version-upload", args=[item.organisation.slug, item.pk])


class TestHandler:
    def test_hashes_while_writing_to_a_temporary_file(self, store):
        content = PDF + bytes(range(256)) * 4096  # spans several handler chunks
        upload = hashed_upload(content, "big.pdf")
        assert upload.sha256 == hashlib.sha256(content).hexdigest()
        assert upload.size == len(content)
        path = Path(upload.temporary_file_path())
        assert path.parent == store.temp
        assert path.read_bytes() == content
        upload.close()
        assert store.temp_files() == []

    def test_one_temporary_file_per_upload(self, monkeypatch, store):
        opened = []
        real = tempfile.NamedTemporaryFile

        def spy(*args, **kwargs):
            opened.append(real(*args, **kwargs))
            return opened[-1]

        monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", spy)
        upload = hashed_upload(PDF)
        assert [f.name for f in opened] == [upload.temporary_file_path()]
        upload.close()

    def test_a_file_past_the_limit_is_dropped(self, settings, store):
        settings.UPLOAD_MAX_BYTES = MiB
        handler = HashingUploadHandler()
        handler.new_file("file", "big.pdf", "application/pdf", 2 * MiB)
        chunk = b"x" * handler.chunk_size
        for start in range(0, MiB, handler.chunk_size):
            handler.receive_data_chunk(chunk, start)
        with pytest.raises(SkipFile):
            handler.receive_data_chunk(b"x", MiB)
        assert store.temp_files() == []


class TestSizeLimit:
    @pytest.fixture(autouse=True)
    def one_megabyte(self, settings):
        settings.UPLOAD_MAX_BYTES = MiB

    def test_too_large_is_refused_with_json(self, client_en, officer, item, store):
        big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (2 * MiB), "application/pdf")
        response = client_en(officer).post(
            upload_url(item), {"file": big}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 400
        assert json.loads(response.content) == {
            "ok": False,
            "error": "scan.pdf is larger than the limit of 1 MB: nothing was stored.",
        }
        assert not EvidenceVersion.objects.exists()
        assert not TrailEvent.objects.filter(kind="evidence.version_added").exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_too_large_from_the_form_shows_a_message(self, client_en, officer, item, store):
        big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (2 * MiB), "application/pdf")
        response = client_en(officer).post(upload_url(item), {"file": big})
        assert response.status_code == 302
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "scan.pdf is larger than the limit of 1 MB: nothing was stored."
        ]
        assert not EvidenceVersion.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_too_large_dropped_on_a_requirement(self, client_en, officer, organisation, store):
        exi02 = requirement("EXI 02")
        response = client_en(officer).post(
            reverse("evidence:requirement-evidence", args=[organisation.slug, exi02.pk]),
            {"file": [SimpleUploadedFile("scan.pdf", PDF + b"0" * (2 * MiB))]},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
        assert "larger than the limit of 1 MB" in json.loads(response.content)["error"]
        assert not EvidenceItem.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_exactly_the_limit_is_accepted(self, client_en, officer, item, store):
        content = PDF + b"0" * (MiB - len(PDF))
        response = client_en(officer).post(
            upload_url(item),
            {"file": SimpleUploadedFile("scan.pdf", content)},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200
        assert json.loads(response.content)["size"] == MiB
        assert len(store.stored_files()) == 1
        assert store.temp_files() == []


class LazyBody:
    """A wsgi.input that makes the request body as it is read: never whole in memory."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        # LimitedStream turns read() into read(whole body): that would defeat the test.
        assert 0 <= size <= 8 * MiB, f"something read {size} bytes of the body at once"
        while len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("a multipart body is not read by lines")


@pytest.mark.slow
def test_200_mb_upload_keeps_memory_flat(client_as, officer, item, store):
    """A 200 MB PDF goes through the whole stack (CSRF middleware parses it, as in production)
    while the Python heap stays under 50 MiB."""
    payload_size = 200 * MiB
    boundary = "hdsready-memory-test-b0undary-7f3a9c"
    csrf_secret = _get_new_csrf_string()
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{csrf_secret}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="datacenter-audit.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    sent = hashlib.sha256()

    def body() -> Iterator[bytes]:
        yield head
        rng = random.Random(200)
        produced = 0
        while produced < payload_size:
            chunk = rng.randbytes(min(MiB, payload_size - produced))
            if produced == 0:
                chunk = b"%PDF-1.4\n" + chunk[9:]  # libmagic must see a PDF
            sent.update(chunk)
            produced += len(chunk)
            yield chunk
        yield tail

    client = client_as(officer)
    client.handler.enforce_csrf_checks = True
    client.cookies["csrftoken"] = csrf_secret
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    tracemalloc.start()
    try:
        response = client.request(
            PATH_INFO=upload_url(item),
            REQUEST_METHOD="POST",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(len(head) + payload_size + len(tail)),
            HTTP_ACCEPT="application/json",
            **{"wsgi.input": LazyBody(body())},
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    try:
        assert response.status_code == 200, response.content
        version = EvidenceVersion.objects.get()
        assert (version.size, version.content_type) == (payload_size, "application/pdf")
        assert version.sha256 == sent.hexdigest()
        stored = store.media / version.storage_name
        # Encrypted as it was saved: the header and one tag per 64 KiB segment more.
        with stored.open("rb") as raw:
            header = read_header(raw, name=version.storage_name)
        assert header is not None
        assert stored.stat().st_size == encrypted_size(payload_size, header.size)
        assert default_storage.size(version.storage_name) == payload_size
        assert store.temp_files() == []
        assert peak < 50 * MiB, (
            f"Python heap peaked at {peak / MiB:.1f} MiB (ru_maxrss grew {rss_growth / 1024:.1f}"
            f" MiB) for a 200 MB upload in {elapsed:.1f} s"
        )
    finally:
        for stored in store.stored_files():
            stored.unlink()
