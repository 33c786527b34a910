"""Our own catalogs against the third-party reference files: same official IDs, our own words.

The reference files (../shared/reference/*.yaml, AGPL data) are read here only as test input:
nothing of their text goes into the product.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from scopes.activities import ACTIVITIES, CertificateType
from scopes.catalog import AppliesWhen, FrameworkData, NodeData, hds_v2, iso27001_2022

REFERENCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
HDS_REFERENCE = REFERENCE_DIR / "hds-v2.yaml"
ISO_REFERENCE = REFERENCE_DIR / "iso27001-2022.yaml"

CATALOGS: dict[str, tuple[FrameworkData, tuple[NodeData, ...]]] = {
    "hds_v2": (hds_v2.FRAMEWORK, hds_v2.NODES),
    "iso27001_2022": (iso27001_2022.FRAMEWORK, iso27001_2022.NODES),
}

EXI_PATTERN = re.compile(r"^\[?(EXI \d{2})\]?$")


@cache
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _reference_nodes(path: Path) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = _load(path)["objects"]["framework"]["requirement_nodes"]
    return nodes


def _reference_hds_ids() -> set[str]:
    ids = set()
    for node in _reference_nodes(HDS_REFERENCE):
        match = EXI_PATTERN.match(str(node.get("ref_id", "")).strip())
        if match:
            ids.add(match.group(1))
    return ids


def _reference_iso_ids() -> set[str]:
    return {
        str(node["ref_id"])
        for node in _reference_nodes(ISO_REFERENCE)
        if node.get("assessable") and node.get("ref_id")
    }


def _reference_texts(value: Any, key: str = "") -> Iterator[str]:
    """Every name and description string in a reference file, translations included."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _reference_texts(child, str(child_key))
    elif isinstance(value, list):
        for child in value:
            yield from _reference_texts(child, key)
    elif isinstance(value, str) and key in {"name", "description"}:
        yield value


def _normalise(text: str) -> str:
    # Apostrophes alike, so a typographic one does not hide a copied sentence.
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def _assessable_ids(nodes: tuple[NodeData, ...]) -> set[str]:
    return {node.ref_id for node in nodes if node.assessable}


@pytest.fixture(scope="module", autouse=True)
def _reference_files_present() -> None:
    for path in (HDS_REFERENCE, ISO_REFERENCE):
        assert path.is_file(), f"reference file missing: {path} (clone shared/ beside the repo)"


# --- HDS v2 -----------------------------------------------------------------------------------


def test_hds_has_exactly_the_31_official_requirement_ids() -> None:
    official = _reference_hds_ids()
    ours = _assessable_ids(hds_v2.NODES)
    assert len(official) == 31
    assert ours == official
    assert ours == {f"EXI {number:02d}" for number in range(1, 32)}


def test_hds_chapters_hold_their_requirements_in_order() -> None:
    chapters = {"CH4": range(1, 2), "CH5": range(2, 17), "CH6": range(17, 28), "CH7": range(28, 32)}
    groups = [node for node in hds_v2.NODES if not node.assessable]
    assert [node.ref_id for node in groups] == list(chapters)
    for node in groups:
        assert node.parent_ref is None
        assert node.group == node.ref_id.removeprefix("CH")
    expected_order: list[str] = []
    for chapter, numbers in chapters.items():
        expected_order.append(chapter)
        expected_order.extend(f"EXI {number:02d}" for number in numbers)
    assert [node.ref_id for node in hds_v2.NODES] == expected_order
    for node in hds_v2.NODES:
        if node.assessable:
            number = int(node.ref_id.removeprefix("EXI "))
            chapter = next(ch for ch, numbers in chapters.items() if number in numbers)
            assert node.parent_ref == chapter, node.ref_id
            assert node.group == chapter.removeprefix("CH"), node.ref_id


def test_hds_applies_when_is_pinned() -> None:
    situational = {
        "EXI 06": AppliesWhen.SUBCONTRACTING,
        "EXI 14": AppliesWhen.SUBCONTRACTING,
        "EXI 28": AppliesWhen.STORAGE,
        "EXI 29": AppliesWhen.NON_EEA_ACCESS,
        "EXI 30": AppliesWhen.NON_EU_LAW,
    }
    for node in hds_v2.NODES:
        if node.assessable:
            expected = situational.get(node.ref_id, AppliesWhen.ALWAYS)
            assert node.applies_when == expected, node.ref_id


def test_hds_framework_metadata() -> None:
    framework = hds_v2.FRAMEWORK
    assert (framework.code, framework.version) == ("hds", "2")
    assert framework.urn == "urn:hdsready:framework:hds-v2"
    assert framework.provider == "Agence du Numérique en Santé"
    assert framework.published is not None
    assert framework.published.isoformat() == "2024-05-16"
    assert "26 avril 2024" in framework.description_fr
    assert "26 April 2024" in framework.description_en


def _hds(ref_id: str) -> NodeData:
    return next(node for node in hds_v2.NODES if node.ref_id == ref_id)


def test_exi_05_keeps_the_risk_families_and_their_items() -> None:
    outline = ["A.", "B.", "a)", "b)", "c)", "C.", "D.", "a)", "b)", "c)", "d)", "E.", "F."]
    outline += ["G.", "H."]
    for summary in (_hds("EXI 05").summary_fr, _hds("EXI 05").summary_en):
        lines = summary.splitlines()
        assert [line.split(" ", 1)[0] for line in lines[1:]] == outline


def test_exi_14_is_about_losing_the_certificate() -> None:
    node = _hds("EXI 14")
    assert "perde sa certification" in node.summary_fr
    assert "retrait" not in node.summary_fr
    assert "losing its certification" in node.summary_en
    assert "withdrawn" not in node.summary_en


def test_exi_15_keeps_the_audit_right_and_the_scope_of_the_logs() -> None:
    node = _hds("EXI 15")
    assert "limités à ces ressources" in node.summary_fr
    assert "accès du personnel de l\u2019hébergeur à ses ressources dédiées" in node.summary_fr
    assert "host's staff access to its dedicated resources" in node.summary_en
    assert "dernier rapport d\u2019audit de certification HDS" in node.summary_fr


def test_exi_19_keeps_the_data_protection_officer_audits() -> None:
    node = _hds("EXI 19")
    assert "délégué à la protection des données conduit ses audits" in node.summary_fr
    assert "data protection officer conducts audits" in node.summary_en


def test_exi_23_adds_no_obligation() -> None:
    """The référentiel asks the contract to describe how access is governed, nothing more."""
    node = _hds("EXI 23")
    assert "traçabilité" not in node.summary_fr
    assert "qui peut" not in node.summary_fr
    assert "traceability" not in node.summary_en
    assert "who may" not in node.summary_en


# --- ISO/IEC 27001:2022 -----------------------------------------------------------------------


def test_iso_has_exactly_the_official_clause_and_control_ids() -> None:
    official = _reference_iso_ids()
    ours = _assessable_ids(iso27001_2022.NODES)
    assert ours == official
    clauses = {ref for ref in ours if not ref.startswith("A.")}
    controls = {ref for ref in ours if ref.startswith("A.")}
    assert len(clauses) == 30
    assert len(controls) == 93
    per_theme = Counter(ref.rsplit(".", 1)[0] for ref in controls)
    assert per_theme == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}


def test_iso_groups_and_parents() -> None:
    nodes = {node.ref_id: node for node in iso27001_2022.NODES}
    for clause in ("4", "5", "6", "7", "8", "9", "10"):
        assert not nodes[clause].assessable
        assert nodes[clause].parent_ref is None
        assert nodes[clause].group == "clauses"
    for theme in ("A.5", "A.6", "A.7", "A.8"):
        assert not nodes[theme].assessable
        assert nodes[theme].parent_ref is None
        assert nodes[theme].group == theme
    for node in iso27001_2022.NODES:
        if node.ref_id.startswith("A.") and node.assessable:
            theme = node.ref_id.rsplit(".", 1)[0]
            assert node.parent_ref == theme, node.ref_id
            assert node.group == theme, node.ref_id
        elif node.parent_ref is not None:
            assert node.group == "clauses", node.ref_id
            assert node.ref_id.startswith(node.parent_ref + "."), node.ref_id


def test_iso_framework_metadata() -> None:
    framework = iso27001_2022.FRAMEWORK
    assert (framework.code, framework.version) == ("iso27001", "2022")
    assert framework.urn == "urn:hdsready:framework:iso27001-2022"
    assert framework.provider == "ISO/IEC"
    assert framework.published is not None
    assert framework.published.isoformat() == "2022-10-25"


# --- Both catalogs ----------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_structure_is_sound(catalog: str) -> None:
    _framework, nodes = CATALOGS[catalog]
    ref_ids = [node.ref_id for node in nodes]
    assert len(ref_ids) == len(set(ref_ids)), "duplicate ref_id"
    seen: set[str] = set()
    for node in nodes:
        if node.parent_ref is not None:
            # A parent exists, is a grouping node, and comes before its children.
            assert node.parent_ref in seen, node.ref_id
        assert node.group, node.ref_id
        assert node.ref_id == node.ref_id.strip(), node.ref_id
        seen.add(node.ref_id)
    parents = {node.parent_ref for node in nodes if node.parent_ref is not None}
    assert all(not node.assessable for node in nodes if node.ref_id in parents)


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_every_node_is_named_and_every_requirement_summarised(catalog: str) -> None:
    _framework, nodes = CATALOGS[catalog]
    for node in nodes:
        assert node.name_fr.strip(), node.ref_id
        assert node.name_en.strip(), node.ref_id
        if node.assessable:
            assert node.summary_fr.strip(), node.ref_id
            assert node.summary_en.strip(), node.ref_id
            assert len(node.name_fr) <= 90, node.ref_id
            assert len(node.name_en) <= 90, node.ref_id
        for text in (node.name_fr, node.name_en, node.summary_fr, node.summary_en):
            assert text == text.strip(), node.ref_id
            assert "  " not in text, node.ref_id
        # One apostrophe per language, as in the interface: typographic in French.
        for text in (node.name_fr, node.summary_fr):
            assert "'" not in text, f"{node.ref_id}: French text takes \u2019, not '"
        for text in (node.name_en, node.summary_en):
            assert "\u2019" not in text, f"{node.ref_id}: English text takes a plain apostrophe"


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_french_framework_texts_use_the_typographic_apostrophe(catalog: str) -> None:
    framework, _nodes = CATALOGS[catalog]
    assert "'" not in framework.name_fr + framework.description_fr
    assert "\u2019" in framework.description_fr  # the check reads real French text


def test_french_activity_wordings_use_the_typographic_apostrophe() -> None:
    texts = [a.wording_fr for a in ACTIVITIES] + [t.label_fr for t in CertificateType]
    assert [text for text in texts if "'" in text] == []
    assert any("\u2019" in text for text in texts)


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_texts_are_our_own_words(catalog: str) -> None:
    reference_texts = {
        _normalise(text)
        for path in (HDS_REFERENCE, ISO_REFERENCE)
        for text in _reference_texts(_load(path))
        if text.strip()
    }
    framework, nodes = CATALOGS[catalog]
    ours = [
        (framework.code, framework.name_fr),
        (framework.code, framework.name_en),
        (framework.code, framework.description_fr),
        (framework.code, framework.description_en),
    ]
    for node in nodes:
        ours.extend(
            (node.ref_id, text)
            for text in (node.name_fr, node.name_en, node.summary_fr, node.summary_en)
            if text
        )
    copied = [(ref_id, text) for ref_id, text in ours if _normalise(text) in reference_texts]
    assert copied == []
