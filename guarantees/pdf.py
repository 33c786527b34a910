"""The guarantees page printed as a PDF (WeasyPrint), from a publication's snapshot alone.

A publication never changes, so its PDF in one language is laid out once and kept in the cache:
the public address does not lay out a document on every request."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML

from guarantees.display import guarantees_view
from guarantees.models import Publication

PRINT_CSS = Path(settings.BASE_DIR) / "templates" / "guarantees" / "print.css"
CACHE_SECONDS = 24 * 3600


@cache
def _stylesheet() -> CSS:
    return CSS(string=PRINT_CSS.read_text())


def render_publication_pdf(*, publication: Publication, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(
            "guarantees/publication_pdf.html",
            {
                "language": language,
                "organisation": publication.organisation,
                "publication": publication,
                "view": guarantees_view(publication.snapshot),
            },
        )
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[_stylesheet()])
    return pdf


def publication_pdf(*, publication: Publication, language: str) -> bytes:
    key = f"guarantees-pdf:{publication.pk}:{language}"
    pdf = django_cache.get(key)
    if pdf is None:
        pdf = render_publication_pdf(publication=publication, language=language)
        django_cache.set(key, pdf, CACHE_SECONDS)
    return bytes(pdf)
