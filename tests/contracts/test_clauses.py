"""The eleven mandatory clauses are defined once, and they are the référentiel's."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from contracts.clauses import CLAUSES, CLAUSES_BY_CODE, CLAUSES_BY_REF, effective_state
from scopes.models import Requirement

# shared/DOMAIN.md, "The 31 HDS v2 requirements", chapter 6, quoted as it stands: one clause per
# item of art. R.1111-11 CSP, EXI 17 to 27.
DOMAIN_CHAPTER_6 = (
    "certificate scope and dates (17); services and expected results (18); data-subject rights "
    "and breach notification (19); client referent for incidents (20); quality indicators, "
    "levels, penalties (21); subcontractors (22); access modalities (23); technical changes need "
    "prior client agreement when they degrade levels (24); guarantees if the host fails (25); no "
    "use of the data for other purposes (26); reversibility: return, destruction, costs, formats "
    "(27)."
)
# A word of the domain's wording that each label must carry (in English), by requirement.
KEY_WORDS = {
    17: "certificate",
    18: "services",
    19: "breach",
    20: "referent",
    21: "penalties",
    22: "subcontractors",
    23: "access",
    24: "agreement",
    25: "host fails",
    26: "other purposes",
    27: "reversibility",
}


def test_eleven_clauses_one_per_requirement_of_chapter_6_in_order() -> None:
    numbers = [int(n) for n in re.findall(r"\((\d+)\)", DOMAIN_CHAPTER_6)]
    assert numbers == list(range(17, 28))
    assert [clause.ref_id for clause in CLAUSES] == [f"EXI {n}" for n in numbers]
    assert len(CLAUSES_BY_CODE) == len(CLAUSES_BY_REF) == 11


def test_each_label_says_what_the_domain_says() -> None:
    with translation.override("en"):
        for clause in CLAUSES:
            number = int(clause.ref_id.split()[1])
            assert KEY_WORDS[number] in str(clause.label).lower(), clause


@pytest.mark.django_db
def test_the_clauses_are_the_catalogs_chapter_6() -> None:
    chapter = Requirement.objects.filter(
        framework__code="hds", framework__organisation__isnull=True, parent__ref_id="CH6"
    )
    assert sorted(chapter.values_list("ref_id", flat=True)) == sorted(CLAUSES_BY_REF)


def test_french_labels_are_translated() -> None:
    with translation.override("fr"):
        french = [str(clause.label) for clause in CLAUSES]
    with translation.override("en"):
        english = [str(clause.label) for clause in CLAUSES]
    assert all(f != e for f, e in zip(french, english, strict=True)), french


def test_effective_state_prefers_the_own_answer() -> None:
    assert effective_state("missing", "present") == "missing"
    assert effective_state(None, "present") == "present"
    assert effective_state(None, None) is None
