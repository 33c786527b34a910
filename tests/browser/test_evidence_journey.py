"""Browser journey of the evidence app: a contributor drops three files on requirement EXI 05
from its readiness page, previews the PDF and uploads its second version; an officer then sees
both versions and who viewed and added them."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation, User
from hdsready.trail_events import trail_event_label
from scopes.models import Requirement
from scopes.selectors import HDS_CODE, builtin_framework
from tests.browser.helpers import log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUIREMENT = "EXI 05"
PDF_NAME = "politique-journalisation.pdf"
PNG_NAME = "capture-siem.png"
DOCX_NAME = "procedure-revue-des-traces.docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF with a line of text, with a correct cross-reference table."""
    content = f"BT /F1 20 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A small red RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def docx_bytes(text: str) -> bytes:
    """The smallest OOXML word-processing package libmagic recognises as a .docx."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)  # first, as Word writes it
        package.writestr("_rels/.rels", rels)
        package.writestr("word/document.xml", document)
    return buffer.getvalue()


@pytest.fixture
def catalogs(db: None) -> None:
    """The built-in catalogs: their data migration's rows do not survive the flush that ends
    every transactional test, so load them again (the loader is idempotent)."""
    call_command("catalog_sync", stdout=StringIO())


def drop_file(zone: Locator, name: str, mime_type: str, data: bytes) -> None:
    """Drag a file over the zone and drop it, as the browser does for a file from the desktop."""
    transfer = zone.page.evaluate_handle(
        """([name, type, bytes]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type}));
            return transfer;
        }""",
        [name, mime_type, list(data)],
    )
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(zone).to_have_class(re.compile(r"\bis-dragover\b"))
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(zone).not_to_have_class(re.compile(r"\bis-dragover\b"))


def test_contributor_adds_evidence_in_place_and_officer_sees_versions_and_access(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    organisation: Organisation,
    contributor: User,
    officer: User,
    catalogs: None,
    media: Path,
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requirement = Requirement.objects.get(
        framework=builtin_framework(code=HDS_CODE), ref_id=REQUIREMENT
    )
    first_pdf, second_pdf = pdf_bytes("Politique v1"), pdf_bytes("Politique v2, revue annuelle")

    # 1. The contributor opens EXI 05: its evidence loads in place, with a drop zone.
    log_in(page, contributor)
    page.goto(reverse("scopes:readiness-edit", args=[organisation.slug, requirement.pk]))
    evidence = page.locator("#evidence")
    zone = evidence.locator("form[data-dropzone]")
    expect(zone).to_have_attribute("data-ready", "true")
    expect(evidence.locator("tr[data-item]")).to_have_count(0)
    expect(zone.locator("input[type=file]")).to_be_hidden()
    expect(zone.locator(".dropzone-choose")).to_be_visible()

    # 2. Two files chosen with the file picker, then one dropped: one request and bar each.
    zone.locator("input[type=file]").set_input_files(
        [
            {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": first_pdf},
            {"name": DOCX_NAME, "mimeType": DOCX_TYPE, "buffer": docx_bytes("Revue des traces")},
        ]
    )
    # The fragment reloads when both are stored, with the new items and the results kept.
    expect(evidence.locator("tr[data-item]")).to_have_count(2)
    expect(zone).to_have_attribute("data-ready", "true")
    drop_file(zone, PNG_NAME, "image/png", png_bytes())

    rows = evidence.locator(".upload-list .upload")
    expect(evidence.locator("tr[data-item]")).to_have_count(3)
    expect(rows).to_have_count(3)
    expect(rows.locator(".upload-name")).to_have_text([PDF_NAME, DOCX_NAME, PNG_NAME])
    for index in range(3):
        expect(rows.nth(index)).to_have_attribute("data-state", "done")
        expect(rows.nth(index).locator("progress")).to_have_js_property("value", 100)
    items = EvidenceItem.objects.filter(organisation=organisation, requirements=requirement)
    stored = {
        v.original_name: v.content_type for v in EvidenceVersion.objects.filter(item__in=items)
    }
    assert stored == {PDF_NAME: "application/pdf", PNG_NAME: "image/png", DOCX_NAME: DOCX_TYPE}
    assert {item.owner for item in items} == {contributor}
    pdf_item = items.get(title=PDF_NAME)

    # 3. The PDF's page shows the current version inline.
    view_path = reverse("evidence:version-view", args=[organisation.slug, pdf_item.pk, 1])
    with page.expect_response(lambda response: response.url.endswith(view_path)) as shown:
        submit(page, evidence.locator("table a", has_text=PDF_NAME))
    expect(page.locator("main h1")).to_contain_text(PDF_NAME)
    preview = page.locator("iframe#preview.preview")
    expect(preview).to_have_attribute("src", view_path)
    assert shown.value.status == 200
    assert shown.value.headers["content-type"] == "application/pdf"
    # The frame's body is Chromium's PDF viewer: fetch the file itself to compare bytes.
    direct = page.request.get(view_path)
    assert (direct.status, direct.headers["content-type"]) == (200, "application/pdf")
    assert direct.body() == first_pdf
    expect(page.locator("#item-requirements a")).to_contain_text(REQUIREMENT)

    # 4. A second version of the PDF, from the item's own drop zone; the page reloads with it.
    item_zone = page.locator("main form[data-dropzone]")
    item_zone.locator("input[name=comment]").fill("Revue annuelle")
    with page.expect_navigation():
        item_zone.locator("input[type=file]").set_input_files(
            {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": second_pdf}
        )
    versions = page.locator("#versions tbody tr[data-version]")
    expect(versions).to_have_count(2)
    expect(versions.first).to_have_attribute("data-version", "2")
    expect(versions.first).to_contain_text("Revue annuelle")
    new_view_path = reverse("evidence:version-view", args=[organisation.slug, pdf_item.pk, 2])
    expect(preview).to_have_attribute("src", new_view_path)
    assert page.request.get(new_view_path).body() == second_pdf
    expect(page.locator("#access-history")).to_have_count(0)  # the trail is for officers
    assert errors == []

    # 5. The officer, in a browser of their own, sees both versions and who did what.
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        officer_page = context.new_page()
        log_in(officer_page, officer)
        officer_page.goto(reverse("evidence:item-detail", args=[organisation.slug, pdf_item.pk]))
        officer_versions = officer_page.locator("#versions tbody tr[data-version]")
        expect(officer_versions).to_have_count(2)
        expect(officer_versions.locator("td:first-child")).to_have_text(["v2", "v1"])
        for row in officer_versions.all():
            expect(row.locator("td.filename")).to_have_text(PDF_NAME)
            expect(row).to_contain_text(str(contributor))
        by_contributor = officer_page.locator(
            "#access-history tbody tr", has_text=contributor.email
        )
        # The history names events in the reader's language, never by their trail code.
        with translation.override("fr"):
            viewed_label = trail_event_label("evidence.viewed")
            added_label = trail_event_label("evidence.version_added")
        expect(officer_page.locator("#access-history")).not_to_contain_text("evidence.")
        viewed = by_contributor.filter(has_text=viewed_label)
        added = by_contributor.filter(has_text=added_label)
        expect(viewed.first).to_be_visible()
        expect(added).to_have_count(2)
        expect(added.locator("td:nth-child(4)")).to_have_text(["v2", "v1"])
    finally:
        context.close()
