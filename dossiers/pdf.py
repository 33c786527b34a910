"""Laying out dossiers: WeasyPrint lays out render units, pikepdf joins them.

A dossier is laid out in parts so that they can be laid out in parallel and reused: each unit
starts on a page of its own, so its pages do not depend on what comes before it. Everything that
does depend on the whole (the page numbers of the table of contents, "Page X / Y", the running
header, the bookmarks) is added when the parts are joined: the cover and the contents are laid out
last, with the page numbers known, and the header and the footers are laid out once on small pages
(no margin boxes, which cost a layout on every page) and stamped at the top and bottom of each page.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pikepdf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from dossiers.content import PDF_TEMPLATES, templates_digest
from dossiers.typography import french, french_html, is_french

TOC_LEVELS = 2
MM = 72 / 25.4
# The heights of the page margins in print.css that the header and footer stamps fill.
HEADER_PT = 24 * MM
FOOTER_PT = 20 * MM
TOC_LINK_PREFIX = "https://toc.invalid/"
# One font configuration per process: fontconfig is read once, not for every layout.
FONT_CONFIG = FontConfiguration()


@cache
def print_stylesheet() -> CSS:
    return CSS(string=(PDF_TEMPLATES / "print.css").read_text(), font_config=FONT_CONFIG)


@dataclass(frozen=True)
class Heading:
    level: int
    label: str
    page: int  # index of the page inside its part


@dataclass(frozen=True)
class Part:
    pdf: bytes
    page_count: int
    headings: tuple[Heading, ...]


def _layout(html: str, *, language: str) -> Any:
    if is_french(language):
        # Every text node, headings included, so the contents and bookmarks (taken from the
        # headings) print the same typographic apostrophes and spaces as the data.
        html = french_html(html)
    return HTML(string=html, base_url=str(PDF_TEMPLATES)).render(
        stylesheets=[print_stylesheet()], font_config=FONT_CONFIG
    )


def render_units(units: Sequence[tuple[str, dict[str, Any]]], *, language: str) -> list[Part]:
    """Lay out several units in one WeasyPrint pass and cut the result into one PDF per unit.

    One pass for a batch spares the fixed cost of a layout (the cascade of the user-agent
    stylesheet, fonts), and the cut keeps every unit reusable on its own."""
    with translation.override(language):
        html = render_to_string(
            "pdf/unit.html",
            {
                "language": language,
                "units": [
                    {"template": template, "context": context} for template, context in units
                ],
            },
        )
    document = _layout(html, language=language)
    starts: dict[int, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("unit-"):
                starts.setdefault(int(anchor.removeprefix("unit-")), index)
    if sorted(starts) != list(range(len(units))):
        raise RuntimeError(f"Laid out {len(starts)} units of {len(units)}.")
    ends = [*(starts[n] for n in range(1, len(units))), len(document.pages)]
    # One write for the batch, then cut by pikepdf: writing each unit separately costs about
    # twice as much (fonts are subset once per write). Each part keeps the batch's font subsets.
    parts = []
    with pikepdf.Pdf.open(io.BytesIO(document.write_pdf())) as whole:
        for number in range(len(units)):
            first, end = starts[number], ends[number]
            headings = tuple(
                Heading(level=level, label=label, page=index - first)
                for index in range(first, end)
                for level, label, _target, _state in document.pages[index].bookmarks
            )
            part = pikepdf.Pdf.new()
            part.pages.extend(whole.pages[first:end])
            out = io.BytesIO()
            part.save(out, compress_streams=True)
            parts.append(Part(pdf=out.getvalue(), page_count=end - first, headings=headings))
    return parts


@dataclass(frozen=True)
class Frame:
    """What the cover, the running header and the footer say."""

    organisation: str
    title: str
    subtitle: str
    language: str
    generated_at: str
    generated_on: str
    requested_by: str


def _cached(kind: str, html: str, make: Callable[[str], bytes]) -> bytes:
    """A layout that depends only on its HTML, kept in the storage under the HTML's SHA-256:
    the contents and the header and footer stamps of a dossier laid out again after a small
    change are most often the same as last time."""
    key = hashlib.sha256(f"{templates_digest()}|{html}".encode()).hexdigest()
    name = f"dossiers/cache/{kind}-{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    data = make(html)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return data


def _cover(frame: Frame, total: int) -> bytes:
    with translation.override(frame.language):
        body = render_to_string(
            "pdf/cover.html",
            {
                "organisation": frame.organisation,
                "title": frame.title,
                "subtitle": frame.subtitle,
                "generated_at": frame.generated_at,
                "requested_by": frame.requested_by,
                "page_count": total,
            },
        )
    return bytes(_layout(_document(frame.language, body), language=frame.language).write_pdf())


def _document(language: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"></head>'
        f"<body>{body}</body></html>"
    )


def _contents(frame: Frame, entries: list[dict[str, Any]]) -> bytes:
    with translation.override(frame.language):
        body = render_to_string("pdf/toc.html", {"entries": entries, "resolve": False})
    return _cached(
        "contents",
        _document(frame.language, body),
        lambda html: bytes(_layout(html, language=frame.language).write_pdf()),
    )


def _page_count(pdf: bytes) -> int:
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def _toc_entries(parts: Sequence[Part], first_body_page: int) -> list[dict[str, Any]]:
    entries = []
    page = first_body_page
    for part in parts:
        for heading in part.headings:
            if heading.level <= TOC_LEVELS:
                entries.append(
                    {"level": heading.level, "label": heading.label, "page": page + heading.page}
                )
        page += part.page_count
    return entries


def _stamps(frame: Frame, total: int) -> bytes:
    """The running header, then the footer of each page from the second to the last."""

    def text(value: str) -> str:
        return french(value) if is_french(frame.language) else value

    with translation.override(frame.language):
        page = render_to_string(
            "pdf/stamps.html",
            {
                "language": frame.language,
                "organisation": text(frame.organisation),
                "audit": text(frame.subtitle),
                "date": frame.generated_on,
                "page_word": translation.gettext("Page"),
                "pages": range(2, total + 1),
                "total": total,
            },
        )
    return _cached(
        "stamps", page, lambda html: bytes(HTML(string=html).write_pdf(font_config=FONT_CONFIG))
    )


def _stamp(pdf: pikepdf.Pdf, stamps: pikepdf.Pdf) -> None:
    """Stamp the header (one form shared by every page) at the top of each page but the cover,
    and its own footer at the bottom."""
    header = pdf.copy_foreign(stamps.pages[0].as_form_xobject())
    for index in range(1, len(pdf.pages)):
        page = pdf.pages[index]
        left, bottom, right, top = (float(v) for v in page.mediabox)
        page.add_overlay(header, pikepdf.Rectangle(left, top - HEADER_PT, right, top))
        page.add_overlay(
            stamps.pages[index], pikepdf.Rectangle(left, bottom, right, bottom + FOOTER_PT)
        )


def _outline(pdf: pikepdf.Pdf, items: list[tuple[int, str, int]]) -> None:
    """Bookmarks nested by heading level: (level, label, absolute page index)."""
    with pdf.open_outline() as outline:
        stack: list[tuple[int, pikepdf.OutlineItem]] = []
        for level, label, page in items:
            item = pikepdf.OutlineItem(label, page)
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))


def _link_contents(pdf: pikepdf.Pdf, toc_pages: range) -> None:
    """Turn the contents' placeholder addresses into links to the pages they name."""
    for index in toc_pages:
        for annotation in pdf.pages[index].obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(TOC_LINK_PREFIX):
                continue
            target = int(uri.removeprefix(TOC_LINK_PREFIX)) - 1
            del annotation["/A"]
            annotation.Dest = pikepdf.Array([pdf.pages[target].obj, pikepdf.Name.Fit])


# About this many contents entries fit on the first page (under its title), then on the others.
TOC_FIRST_PAGE_ENTRIES = 44
TOC_PAGE_ENTRIES = 52


def _contents_pages_guess(parts: Sequence[Part]) -> int:
    entries = sum(1 for part in parts for heading in part.headings if heading.level <= TOC_LEVELS)
    extra = max(0, entries - TOC_FIRST_PAGE_ENTRIES)
    return 1 + -(-extra // TOC_PAGE_ENTRIES)


def assemble(*, frame: Frame, parts: Sequence[Part]) -> tuple[bytes, int]:
    """The whole dossier: cover, contents with page numbers, the parts, header and footer on
    every page but the cover, and bookmarks. Returns the PDF and its page count."""
    body_pages = sum(part.page_count for part in parts)
    # The contents' own length shifts the page numbers it prints: lay it out again until the
    # number of pages it takes is the one its numbers assumed (twice at most in practice).
    toc_pages = _contents_pages_guess(parts)
    contents = b""
    for _attempt in range(4):
        contents = _contents(frame, _toc_entries(parts, first_body_page=2 + toc_pages))
        laid_out = _page_count(contents)
        if laid_out == toc_pages:
            break
        toc_pages = laid_out
    total = 1 + toc_pages + body_pages

    pdf = pikepdf.Pdf.new()
    sources = [
        pikepdf.Pdf.open(io.BytesIO(_cover(frame, total))),
        pikepdf.Pdf.open(io.BytesIO(contents)),
    ]
    sources += [pikepdf.Pdf.open(io.BytesIO(part.pdf)) for part in parts]
    for source in sources:
        pdf.pages.extend(source.pages)
    if len(pdf.pages) != total:
        raise RuntimeError(f"Joined {len(pdf.pages)} pages, expected {total}.")

    stamps = pikepdf.Pdf.open(io.BytesIO(_stamps(frame, total)))
    _stamp(pdf, stamps)

    with translation.override(frame.language):
        contents_label = translation.gettext("Contents")
    items = [(1, contents_label, 1)]
    page = 1 + toc_pages
    for part in parts:
        items += [(h.level, h.label, page + h.page) for h in part.headings]
        page += part.page_count
    _outline(pdf, items)
    _link_contents(pdf, range(1, 1 + toc_pages))

    pdf.Root.Lang = pikepdf.String(frame.language)
    pdf.Root.PageMode = pikepdf.Name.UseOutlines
    pdf.docinfo["/Title"] = f"{frame.title} · {frame.organisation}"
    pdf.docinfo["/Author"] = frame.organisation
    pdf.docinfo["/Creator"] = "hdsready"
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    for source in [*sources, stamps]:
        source.close()
    return out.getvalue(), total
