"""The hosting chain with the certification body's decisions (pure): a suspended or withdrawn
certificate covers no day from its status date (HDS v2 EXI 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scopes.chain import CertificateFacts, Cover, Performer, chain_is_complete, hosting_chain

ISSUED = date(2025, 1, 1)
EXPIRES = date(2027, 12, 31)
DATACENTER = Performer(subcontractor="DataCenter Paris")


def facts(**changes: object) -> CertificateFacts:
    base = CertificateFacts("DataCenter Paris", "HDS-1", frozenset({1, 2}), ISSUED, EXPIRES)
    return replace(base, **changes)


def cover_of(certificate: CertificateFacts, on: date) -> Cover:
    lines = hosting_chain(
        scope={1: DATACENTER},
        own_certificates=[],
        subcontractor_certificates={"DataCenter Paris": [certificate]},
        on=on,
    )
    return lines[0].cover


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 1, 1))


@given(day=days, status=st.sampled_from(["valid", "suspended", "withdrawn"]), since=days)
def test_a_day_is_covered_iff_within_validity_and_before_the_status_date(day, status, since):
    certificate = facts(status=status, status_from=None if status == "valid" else since)
    lapsed = status != "valid" and day >= since
    expected_covered = ISSUED <= day <= EXPIRES and not lapsed
    assert certificate.valid_on(day) == expected_covered
    assert (cover_of(certificate, day) != Cover.GAP) == expected_covered
    # Lapsed means inside the printed validity but not covered: the page says why.
    assert certificate.lapsed_on(day) == (ISSUED <= day <= EXPIRES and lapsed)


def test_suspension_gap_starts_on_its_date_and_the_day_before_is_covered():
    suspended = facts(status="suspended", status_from=date(2026, 6, 15))
    assert cover_of(suspended, date(2026, 6, 14)) in {Cover.COVERED, Cover.EXPIRING}
    assert cover_of(suspended, date(2026, 6, 15)) == Cover.GAP
    assert cover_of(suspended, date(2026, 12, 1)) == Cover.GAP


def test_a_future_suspension_counts_down_like_an_expiry():
    suspended = facts(status="withdrawn", status_from=date(2026, 6, 15))
    lines = hosting_chain(
        scope={1: DATACENTER},
        own_certificates=[],
        subcontractor_certificates={"DataCenter Paris": [suspended]},
        on=date(2026, 6, 5),
    )
    assert lines[0].cover == Cover.EXPIRING
    assert lines[0].days_left == 9  # the last covered day is 14 June
    assert suspended.last_day == date(2026, 6, 14)


def test_gap_line_names_the_lapsed_certificate():
    withdrawn = facts(status="withdrawn", status_from=date(2026, 3, 1))
    lines = hosting_chain(
        scope={1: DATACENTER, 2: DATACENTER},
        own_certificates=[],
        subcontractor_certificates={"DataCenter Paris": [withdrawn]},
        on=date(2026, 3, 1),
    )
    assert [line.cover for line in lines[:2]] == [Cover.GAP, Cover.GAP]
    assert lines[0].lapsed == withdrawn
    assert not chain_is_complete(lines)


def test_another_valid_certificate_still_covers_during_a_suspension():
    suspended = facts(status="suspended", status_from=date(2026, 3, 1))
    renewal = facts(number="HDS-2", issued_on=date(2026, 2, 1), expires_on=date(2029, 1, 31))
    lines = hosting_chain(
        scope={1: DATACENTER},
        own_certificates=[],
        subcontractor_certificates={"DataCenter Paris": [suspended, renewal]},
        on=date(2026, 4, 1),
    )
    assert lines[0].cover == Cover.COVERED
    assert lines[0].certificate == renewal
    assert lines[0].lapsed is None


def test_the_host_own_suspended_certificate_opens_a_gap_in_house():
    own = replace(facts(status="suspended", status_from=date(2026, 3, 1)), holder="Hébergeur")
    lines = hosting_chain(
        scope={1: Performer(subcontractor=None)},
        own_certificates=[own],
        subcontractor_certificates={},
        on=date(2026, 3, 2),
    )
    assert lines[0].cover == Cover.GAP


def test_status_date_after_expiry_changes_nothing():
    late = facts(status="suspended", status_from=EXPIRES + timedelta(days=10))
    assert late.last_day == EXPIRES
