"""The audit programme's pure rules (audits/programme.py): any applicable set, a 3-year cycle's
surveillance audits cover every applicable requirement at least once and the mandatory topics
of ISO/IEC 17021-1 9.6.2.2 in each of them, balanced and the same on every run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audits.programme import (
    MANDATORY_KEYS,
    MANDATORY_TOPICS,
    ProgrammeFacts,
    programme_gaps,
    propose_rotation,
    requirement_key,
)
from scopes.catalog import hds_v2, iso27001_2022

CATALOG = [
    requirement_key(code, node.ref_id)
    for code, nodes in (("hds", hds_v2.NODES), ("iso27001", iso27001_2022.NODES))
    for node in nodes
    if node.assessable
]

applicable_sets = st.lists(st.sampled_from(CATALOG), unique=True).map(
    lambda chosen: [key for key in CATALOG if key in set(chosen)]
)


def test_every_mandatory_topic_names_requirements_of_the_catalog_and_its_source() -> None:
    assert len(MANDATORY_TOPICS) == 8  # 9.6.2.2 a) to h)
    for topic in MANDATORY_TOPICS:
        assert topic.requirements, topic.code
        assert set(topic.requirements) <= set(CATALOG), topic.code
        assert topic.source.startswith("ISO/IEC 17021-1")
    assert {"iso27001:9.2.1", "iso27001:9.3.1", "iso27001:10.2", "hds:EXI 16"} <= MANDATORY_KEYS


@given(applicable=applicable_sets, count=st.integers(min_value=1, max_value=4))
def test_a_rotation_covers_everything_with_the_mandatory_topics_in_each(
    applicable: list[str], count: int
) -> None:
    rotation = propose_rotation(applicable=applicable, surveillance_count=count)
    assert len(rotation) == count
    assert frozenset().union(*rotation) == set(applicable)
    mandatory = set(applicable) & MANDATORY_KEYS
    assert all(mandatory <= audit for audit in rotation)
    assert all(audit <= set(applicable) for audit in rotation)
    # Balanced: the requirements that rotate are shared out one by one.
    sizes = [len(audit - MANDATORY_KEYS) for audit in rotation]
    assert max(sizes) - min(sizes) <= 1
    # Deterministic.
    assert rotation == propose_rotation(applicable=applicable, surveillance_count=count)
    gaps = programme_gaps(applicable=applicable, surveillance=rotation)
    assert not gaps.any


def test_the_3_year_cycle_of_the_whole_catalog() -> None:
    first, second = propose_rotation(applicable=CATALOG, surveillance_count=2)
    assert first | second == set(CATALOG)
    assert MANDATORY_KEYS.issubset(first & second)
    # Each chapter is shared: both audits see HDS chapter 6 and Annex A theme 8.
    for prefix in ("hds:EXI 2", "iso27001:A.8."):
        assert any(k.startswith(prefix) for k in first - MANDATORY_KEYS)
        assert any(k.startswith(prefix) for k in second - MANDATORY_KEYS)


@given(applicable=applicable_sets.filter(bool), data=st.data())
def test_leaving_a_requirement_out_is_warned(applicable: list[str], data: st.DataObject) -> None:
    rotation = [set(a) for a in propose_rotation(applicable=applicable, surveillance_count=2)]
    left_out = data.draw(st.sampled_from(applicable))
    for audit in rotation:
        audit.discard(left_out)
    gaps = programme_gaps(applicable=applicable, surveillance=rotation)
    assert gaps.never == (left_out,)
    if left_out in MANDATORY_KEYS:
        assert gaps.mandatory_missing == ((left_out,), (left_out,))
    else:
        assert gaps.mandatory_missing == ((), ())


def test_no_surveillance_audit_no_rotation_and_no_warning() -> None:
    assert propose_rotation(applicable=CATALOG, surveillance_count=0) == []
    assert not programme_gaps(applicable=CATALOG, surveillance=[]).any


def test_the_summary_says_what_a_planned_audit_covers(english) -> None:
    assert ProgrammeFacts(full=True).summary() == "Programme: every applicable requirement."
    assert ProgrammeFacts(full=False).summary() == "Programme: not planned yet."
    facts = ProgrammeFacts(full=False, refs=("EXI 16", "9.2.1"))
    assert facts.summary() == "Programme: 2 requirements (EXI 16, 9.2.1)."
    assert facts.short() == "Programme: 2 requirements."
