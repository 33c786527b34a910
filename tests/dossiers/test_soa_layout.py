"""The Statement of Applicability as printed: control titles in the dossier's language, and
column headers that do not run into each other (read back with pdftotext -bbox)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import translation

from dossiers.content import dossier_plan
from dossiers.models import DossierKind
from dossiers.pdf import render_units
from hdsready.models import Organisation
from scopes.catalog import iso27001_2022
from tests.dossiers.test_dossiers import compact

pytestmark = pytest.mark.django_db

CONTROLS = {
    node.ref_id: node
    for node in iso27001_2022.NODES
    if node.group.startswith("A.") and node.assessable
}
XHTML = "{http://www.w3.org/1999/xhtml}"


def _soa_pdf(organisation: Organisation, language: str, tmp_path: Path) -> Path:
    with translation.override(language):
        plan = dossier_plan(
            organisation=organisation, kind=DossierKind.SOA, audit=None, cycle=None, today=None
        )
        (part,) = render_units(
            [(unit.template, unit.context) for unit in plan.units], language=language
        )
    path = tmp_path / f"soa-{language}.pdf"
    path.write_bytes(part.pdf)
    return path


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _header_words(path: Path, first: str) -> list[tuple[str, float, float, float]]:
    """(word, x min, x max, y min) of the table's header row on the first page: the words on
    the line of `first` and the lines just below it (a wrapped header)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = [
        (
            word.text or "",
            float(word.get("xMin", 0)),
            float(word.get("xMax", 0)),
            float(word.get("yMin", 0)),
        )
        for word in ElementTree.fromstring(xml).iter(f"{XHTML}word")  # noqa: S314 (our own PDF)
    ]
    top = next(y for text, _x0, _x1, y in words if text == first)
    return [w for w in words if top - 1 <= w[3] <= top + 25]


def test_the_english_soa_prints_english_control_titles(
    organisation: Organisation, tmp_path: Path
) -> None:
    text = compact(_text(_soa_pdf(organisation, "en", tmp_path)))
    assert len(CONTROLS) == 93
    for ref_id in ("A.5.1", "A.6.3", "A.7.4", "A.8.34"):
        assert compact(CONTROLS[ref_id].name_en) in text, ref_id
        assert compact(CONTROLS[ref_id].name_fr) not in text, ref_id


def test_the_french_soa_prints_french_control_titles(
    organisation: Organisation, tmp_path: Path
) -> None:
    text = compact(_text(_soa_pdf(organisation, "fr", tmp_path)))
    for ref_id in ("A.5.1", "A.8.34"):
        assert compact(CONTROLS[ref_id].name_fr) in text, ref_id


@pytest.mark.parametrize(("language", "first"), [("en", "Control"), ("fr", "Mesure")])
def test_soa_column_headers_do_not_overlap(
    organisation: Organisation, tmp_path: Path, language: str, first: str
) -> None:
    words = _header_words(_soa_pdf(organisation, language, tmp_path), first)
    assert len(words) >= 6, words
    lines: dict[int, list[tuple[str, float, float, float]]] = {}
    for word in words:
        lines.setdefault(round(word[3]), []).append(word)
    for line in lines.values():
        line.sort(key=lambda w: w[1])
        for left, right in itertools.pairwise(line):
            assert left[2] <= right[1], f"{left[0]!r} runs into {right[0]!r}"
