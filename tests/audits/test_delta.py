"""The delta since the previous audit (issue 15): the window at its edges (the decision day, the
decision's own consequences, the audit's own outcome), each section's changes, a file replaced
twice, an item deleted, another organisation's changes, the cost whatever the history, and the
pages of the members and of the invited auditor."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audits.deadlines import PARIS
from audits.delta import (
    RULES,
    Change,
    Outcome,
    Section,
    Window,
    before_after,
    classify,
    delta_window,
)
from audits.models import Audit, AuditKind, AuditorAccess, AuditStatus, Finding, FindingKind
from audits.selectors.delta import (
    change_rows,
    delta_changes,
    delta_counts,
    delta_of,
    delta_recent,
)
from audits.services.cycle import audit_close, decision_record
from evidence.services import evidence_item_set_status, evidence_version_add
from hdsready.models import User
from hdsready.trail import trail_record
from scopes.models import CertificateKind, ReadinessStatus, Subcontractor
from scopes.services.assessment import ReadinessData, SoAData, readiness_update, soa_update
from scopes.services.scope import (
    CertificateData,
    certificate_delete,
    certificate_save,
    subcontractor_save,
)
from tests.audits.workflow_helpers import Cast, audit_in, invite, requirement
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


# The pure rules


def test_an_initial_audit_has_no_delta() -> None:
    outcomes = [Outcome(audit_id=1, seq=10)]
    assert delta_window(audit_id=2, kind=AuditKind.INITIAL, outcomes=outcomes) is None


def test_the_window_starts_after_the_latest_outcome_and_ends_at_the_audits_own() -> None:
    outcomes = [Outcome(1, 10), Outcome(2, 20), Outcome(3, 30)]
    # Surveillance 2 (audit 3), closed at 30: from surveillance 1's closing (20) to 30.
    assert delta_window(audit_id=3, kind=AuditKind.SURVEILLANCE, outcomes=outcomes) == Window(
        previous_audit_id=2, after_seq=20, until_seq=30
    )
    # The renewal (audit 4) not decided yet: from the latest outcome, open.
    assert delta_window(audit_id=4, kind=AuditKind.RENEWAL, outcomes=outcomes) == Window(
        previous_audit_id=3, after_seq=30, until_seq=None
    )
    # Nothing before it: no delta.
    assert delta_window(audit_id=1, kind=AuditKind.SURVEILLANCE, outcomes=outcomes) is None
    window = Window(previous_audit_id=2, after_seq=20, until_seq=30)
    assert [seq for seq in (19, 20, 21, 30, 31) if window.contains(seq)] == [21, 30]


@given(
    outcomes=st.lists(
        st.tuples(st.integers(1, 6), st.integers(1, 500)), unique_by=lambda t: t[1], max_size=8
    ),
    audit_id=st.integers(1, 6),
)
def test_the_previous_outcome_is_always_before_the_audits_own(outcomes, audit_id) -> None:
    rows = [Outcome(a, s) for a, s in outcomes]
    window = delta_window(audit_id=audit_id, kind=AuditKind.SURVEILLANCE, outcomes=rows)
    own = min((s for a, s in outcomes if a == audit_id), default=None)
    others: dict[int, int] = {}
    for a, s in outcomes:
        if a != audit_id:
            others[a] = min(s, others.get(a, s))
    earlier = [s for s in others.values() if own is None or s < own]
    if not earlier:
        assert window is None
        return
    assert window is not None
    assert window.after_seq == max(earlier)
    assert window.until_seq == own
    assert window.previous_audit_id != audit_id


def test_the_rules() -> None:
    assert classify(kind="evidence.version_added", data={"version": 1}) == (
        Section.EVIDENCE,
        Change.ADDED,
    )
    assert classify(kind="evidence.version_added", data={"version": 2}) == (
        Section.EVIDENCE,
        Change.CHANGED,
    )
    assert classify(kind="readiness.updated", data={"changes": {"notes": ["", "x"]}}) is None
    assert classify(kind="certificate.deleted", data={}, host_holds=True) == (
        Section.CERTIFICATES,
        Change.DELETED,
    )
    assert classify(kind="certificate.deleted", data={}) == (
        Section.SUBCONTRACTORS,
        Change.DELETED,
    )
    assert classify(kind="finding.correction_verified", data={}) is None
    assert classify(kind="user.logged_in", data={}) is None
    assert classify(kind="certificate.procedure_closed", data={}) is None
    # Every section can be reached.
    assert {rule.section for rule in RULES} == set(Section)
    assert before_after({"number": "B", "holder": "X", "kind": "hds"}, {"number": "A"}) == {
        "number": ["A", "B"],
        "kind": [None, "hds"],
    }


# The delta on real data


def subcontractor_with_certificate(cast: Cast, number: str = "HDS-DC-1") -> Subcontractor:
    subcontractor = subcontractor_save(
        organisation=cast.organisation, name="DataCentre Nord", actor=cast.officer
    )
    certificate_save(
        organisation=cast.organisation,
        subcontractor=subcontractor,
        data=hds_certificate(number),
        actor=cast.officer,
    )
    return subcontractor


def hds_certificate(number: str, expires_on: date = date(2029, 1, 1)) -> CertificateData:
    return CertificateData(
        kind=CertificateKind.HDS,
        number=number,
        certification_body="Organisme Y",
        accreditation="5-0002",
        standard_version="HDS v2",
        activities=[1, 2],
        scope_statement="",
        issued_on=date(2025, 1, 1),
        expires_on=expires_on,
    )


def iso_certificate(number: str) -> CertificateData:
    return CertificateData(
        kind=CertificateKind.ISO27001,
        number=number,
        certification_body="Organisme Y",
        accreditation="5-0002",
        standard_version="",
        activities=[3, 4, 5, 6],
        scope_statement="Tout",
        issued_on=date(2025, 1, 1),
        expires_on=date(2028, 1, 1),
        iso_standard="iso27001_2022",
    )


def set_status(cast: Cast, ref: str, status: str) -> None:
    readiness_update(
        organisation=cast.organisation,
        requirement=requirement(ref),
        data=ReadinessData(status=status),
        actor=cast.officer,
    )


def first_surveillance(initial: Audit) -> Audit:
    audit = (
        Audit.objects.filter(cycle=initial.cycle, kind=AuditKind.SURVEILLANCE)
        .order_by("due_on")
        .first()
    )
    assert audit is not None
    return Audit.objects.select_related("cycle__organisation").get(pk=audit.pk)


def decide(audit: Audit, cast: Cast) -> None:
    decision_record(
        audit=audit,
        decided_on=timezone.localdate(),
        activities=audit.cycle.activities,
        certificate_numbers={"managed": "HDS-1"},
        actor=cast.officer,
    )


def counted(audit: Audit, **kwargs: bool) -> dict[tuple[str, str], int]:
    delta = delta_of(audit=audit, **kwargs)
    assert delta is not None
    return {
        (row.section, change): count
        for row in delta_counts(delta=delta)
        for change, count in row.cells()
        if count
    }


def rows_of(audit: Audit, section: Section, **kwargs: bool):
    delta = delta_of(audit=audit, **kwargs)
    assert delta is not None
    return change_rows(list(delta_changes(delta=delta, section=section)))


def today_at(hour: int) -> datetime:
    return datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=PARIS) + timedelta(
        hours=hour
    )


def test_the_decision_day_before_and_after_the_decision(cast: Cast) -> None:
    """A change recorded before the decision on its day is history; the decision's own
    certificates and planned audits are not changes; a change recorded after it is one, the
    same day and even at an earlier clock time than the rows before it."""
    onsite_done = audit_in(AuditStatus.STAGE2_DONE, cast)
    with time_machine.travel(today_at(9), tick=False):
        set_status(cast, "EXI 10", ReadinessStatus.PARTIAL)
    with time_machine.travel(today_at(10), tick=False):
        decide(onsite_done, cast)
    surveillance = first_surveillance(onsite_done)
    assert counted(surveillance) == {}
    with time_machine.travel(today_at(8), tick=False):  # a clock set back: the order is the chain's
        set_status(cast, "EXI 11", ReadinessStatus.COMPLIANT)
    with time_machine.travel(today_at(23) + timedelta(minutes=59), tick=False):
        set_status(cast, "EXI 10", ReadinessStatus.COMPLIANT)
    assert counted(surveillance) == {(Section.READINESS, Change.CHANGED): 2}
    rows = rows_of(surveillance, Section.READINESS)
    assert [row.label for row in rows] == ["EXI 10", "EXI 11"]
    assert rows[0].by == cast.officer.email
    assert any("→" in line.text for line in rows[0].lines)


@pytest.fixture
def decided(cast: Cast) -> Audit:
    """History before the decision: a subcontractor with a certificate, the host's ISO
    certificate, a SoA line, an evidence file; then the initial audit decided today."""
    subcontractor_with_certificate(cast)
    certificate_save(
        organisation=cast.organisation,
        subcontractor=None,
        data=iso_certificate("ISO-1"),
        actor=cast.officer,
    )
    soa_update(
        organisation=cast.organisation,
        control=requirement("A.5.1"),
        data=SoAData(applicable=True),
        actor=cast.officer,
    )
    return audit_in(AuditStatus.DECIDED, cast)


def test_each_section_after_the_decision(decided: Audit, cast: Cast) -> None:
    surveillance = first_surveillance(decided)
    assert counted(surveillance) == {}
    organisation = cast.organisation
    subcontractor = Subcontractor.objects.get(organisation=organisation)
    certificate = subcontractor.certificates.get()
    certificate_save(
        organisation=organisation,
        subcontractor=subcontractor,
        data=hds_certificate("HDS-DC-1-R1", expires_on=date(2030, 1, 1)),
        actor=cast.officer,
        certificate=certificate,
    )
    iso = organisation.certificates.get(number="ISO-1")
    certificate_delete(certificate=iso, actor=cast.officer)
    subcontractor_save(organisation=organisation, name="Sauvegardes Sud", actor=cast.officer)
    soa_update(
        organisation=organisation,
        control=requirement("A.5.1"),
        data=SoAData(applicable=True, implementation="implemented"),
        actor=cast.officer,
    )
    set_status(cast, "EXI 13", ReadinessStatus.COMPLIANT)
    # A file replaced twice: both versions, each with the SHA-256 it replaced.
    item = cast.version.item
    second = evidence_version_add(item=item, upload=hashed_upload(PDF + b"2"), actor=cast.officer)
    third = evidence_version_add(item=item, upload=hashed_upload(PDF + b"3"), actor=cast.officer)
    # A new item, then retired: added, then deleted.
    other = make_item(organisation, cast.officer, title="Plan de continuité")
    evidence_version_add(item=other, upload=hashed_upload(PDF + b"x"), actor=cast.officer)
    evidence_item_set_status(item=other, status="retired", actor=cast.officer)

    assert counted(surveillance) == {
        (Section.SUBCONTRACTORS, Change.ADDED): 1,
        (Section.SUBCONTRACTORS, Change.CHANGED): 1,
        (Section.CERTIFICATES, Change.DELETED): 1,
        (Section.SOA, Change.CHANGED): 1,
        (Section.READINESS, Change.CHANGED): 1,
        (Section.EVIDENCE, Change.CHANGED): 2,
        (Section.EVIDENCE, Change.ADDED): 1,
        (Section.EVIDENCE, Change.DELETED): 1,
    }
    subcontractors = rows_of(surveillance, Section.SUBCONTRACTORS)
    renewed = next(row for row in subcontractors if row.change == Change.CHANGED)
    assert "HDS-DC-1-R1" in renewed.label
    assert any("HDS-DC-1 → HDS-DC-1-R1" in line.text for line in renewed.lines)
    evidence = rows_of(surveillance, Section.EVIDENCE)
    replaced = [row for row in evidence if row.change == Change.CHANGED]
    assert [row.label for row in replaced] == [str(third), str(second)]
    texts = [{line.key: line.text for line in row.lines} for row in replaced]
    assert texts[0]["sha256"] == third.sha256
    assert texts[0]["replaced"] == second.sha256
    assert texts[1]["sha256"] == second.sha256
    assert texts[1]["replaced"] == cast.version.sha256
    deleted = rows_of(surveillance, Section.CERTIFICATES)
    assert [(row.change, row.label) for row in deleted] == [
        (Change.DELETED, f"ISO/IEC 27001 ISO-1 — {organisation.name}")
    ]


def test_another_organisations_changes_never_show(decided: Audit, cast: Cast) -> None:
    surveillance = first_surveillance(decided)
    other = OrganisationFactory(name="Autre", slug="autre-hebergeur")
    someone = make_member(other, "officer", email="officer@autre.test")
    subcontractor_save(organisation=other, name="DataCentre Nord", actor=someone)
    readiness_update(
        organisation=other,
        requirement=requirement("EXI 13"),
        data=ReadinessData(status=ReadinessStatus.COMPLIANT),
        actor=someone,
    )
    assert counted(surveillance) == {}


def test_the_previous_audits_corrections_after_its_outcome(cast: Cast) -> None:
    """A surveillance audit closed with a correction still to verify: the verification made
    after the closing is a change of the next audit's delta."""
    initial = audit_in(AuditStatus.DECIDED, cast)
    first = first_surveillance(initial)
    assert delta_of(audit=first) is not None
    # The second surveillance audit starts from the first one's closing.
    second = (
        Audit.objects.filter(cycle=initial.cycle, kind=AuditKind.SURVEILLANCE)
        .exclude(pk=first.pk)
        .get()
    )
    delta = delta_of(audit=second)
    assert delta is not None
    assert delta.previous == initial
    set_status(cast, "EXI 13", ReadinessStatus.COMPLIANT)
    audit_close_after_onsite(first, cast)
    delta = delta_of(audit=second)
    assert delta is not None
    assert delta.previous.pk == first.pk
    assert counted(second) == {}
    # The first surveillance's own delta ends at its closing.
    assert counted(first) == {(Section.READINESS, Change.CHANGED): 1}
    set_status(cast, "EXI 14", ReadinessStatus.COMPLIANT)
    assert counted(first) == {(Section.READINESS, Change.CHANGED): 1}
    assert counted(second) == {(Section.READINESS, Change.CHANGED): 1}


def audit_close_after_onsite(audit: Audit, cast: Cast) -> None:
    from audits.services.cycle import audit_complete_stage2, audit_schedule_stage2

    today = timezone.localdate()
    audit_schedule_stage2(
        audit=audit, start=today - timedelta(days=2), end=today, sites="Paris", actor=cast.officer
    )
    audit_complete_stage2(audit=audit, outcome="Done", actor=cast.officer)
    audit_close(audit=audit, actor=cast.officer)


def make_history(cast: Cast, rounds: int, *, first: int = 0) -> None:
    """Changes of four sections, `rounds` times (numbered from `first`)."""
    organisation = cast.organisation
    subcontractor = Subcontractor.objects.get(organisation=organisation)
    certificate = subcontractor.certificates.get()
    statuses = [ReadinessStatus.PARTIAL, ReadinessStatus.COMPLIANT]
    for n in range(first, first + rounds):
        certificate_save(
            organisation=organisation,
            subcontractor=subcontractor,
            data=hds_certificate(f"HDS-DC-{n}"),
            actor=cast.officer,
            certificate=certificate,
        )
        set_status(cast, "EXI 13", statuses[n % 2])
        evidence_version_add(
            item=cast.version.item, upload=hashed_upload(PDF + str(n).encode()), actor=cast.officer
        )
        soa_update(
            organisation=organisation,
            control=requirement("A.5.1"),
            data=SoAData(applicable=True, notes=f"revue {n}"),
            actor=cast.officer,
        )


def test_the_cost_does_not_grow_with_the_history(
    decided: Audit, cast: Cast, django_assert_num_queries
) -> None:
    surveillance = first_surveillance(decided)
    client = verified_client_for(cast.officer)
    url = reverse("audits:audit-delta", args=[cast.organisation.slug, surveillance.pk])

    def cost() -> int:
        with CaptureQueriesContext(connection) as page:
            assert client.get(url + "?section=evidence").status_code == 200
        return len(page)

    def selectors(expected: int) -> None:
        with django_assert_num_queries(expected):
            delta = delta_of(audit=surveillance)
            assert delta is not None
            delta_counts(delta=delta)
            list(delta_changes(delta=delta, section=Section.EVIDENCE)[:25])
            delta_recent(delta=delta, per_section=10)

    make_history(cast, 3)
    client.get(url)  # the session's first request writes what later ones do not
    short = cost()
    selectors(5)
    make_history(cast, 30, first=3)
    assert cost() == short
    selectors(5)
    delta = delta_of(audit=surveillance)
    assert delta is not None
    assert sum(row.total for row in delta_counts(delta=delta)) == 4 * 33
    recent = delta_recent(delta=delta, per_section=10)
    assert len(recent) == 4 * 10


# The pages


def delta_url(audit: Audit) -> str:
    return reverse("audits:audit-delta", args=[audit.cycle.organisation.slug, audit.pk])


def test_the_page_for_each_member(
    decided: Audit, cast: Cast, manager: User, outsider: User
) -> None:
    surveillance = first_surveillance(decided)
    set_status(cast, "EXI 13", ReadinessStatus.COMPLIANT)
    new = evidence_version_add(
        item=cast.version.item, upload=hashed_upload(PDF + b"n"), actor=cast.officer
    )
    for user in (cast.officer, cast.contributor, manager):
        response = verified_client_for(user).get(delta_url(surveillance))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="delta-summary"' in body
        assert '<tr data-section="readiness"' in body
        # Every section's changes, the latest first, unless one section is asked for.
        assert body.index(new.sha256) < body.index("EXI 13")
    one = verified_client_for(manager).get(delta_url(surveillance) + "?section=readiness")
    assert "EXI 13" in one.content.decode()
    assert new.sha256 not in one.content.decode()
    officer = verified_client_for(cast.officer)
    assert officer.post(delta_url(surveillance)).status_code == 405
    assert verified_client_for(outsider).get(delta_url(surveillance)).status_code == 404
    # An initial audit has no delta, and its page no link.
    assert officer.get(delta_url(decided)).status_code == 404
    detail = reverse("audits:audit-detail", args=[cast.organisation.slug, decided.pk])
    assert 'id="delta-link"' not in officer.get(detail).content.decode()
    detail = reverse("audits:audit-detail", args=[cast.organisation.slug, surveillance.pk])
    assert 'id="delta-link"' in officer.get(detail).content.decode()


def test_the_invited_auditor_within_the_window(decided: Audit, cast: Cast) -> None:
    surveillance = first_surveillance(decided)
    internal = make_item(cast.organisation, cast.officer, title="Note interne")
    evidence_version_add(item=internal, upload=hashed_upload(PDF + b"i"), actor=cast.officer)
    new = evidence_version_add(
        item=cast.version.item, upload=hashed_upload(PDF + b"n"), actor=cast.officer
    )
    url = reverse("audits:auditor-delta", args=[surveillance.pk])
    auditor = verified_client_for(cast.auditor)
    assert auditor.get(url).status_code == 404  # not invited to this audit
    invite(surveillance, cast.officer, cast.auditor)
    page = auditor.get(url + "?section=evidence")
    assert page.status_code == 200
    body = page.content.decode()
    assert new.sha256 in body
    assert "Note interne" not in body  # linked to nothing the audit covers
    assert counted(surveillance, for_auditor=True) == {(Section.EVIDENCE, Change.CHANGED): 1}
    assert counted(surveillance) == {
        (Section.EVIDENCE, Change.CHANGED): 1,
        (Section.EVIDENCE, Change.ADDED): 1,
    }
    # Retired: the item the auditor sees is deleted for them too; the other one is not theirs.
    evidence_item_set_status(item=internal, status="retired", actor=cast.officer)
    evidence_item_set_status(item=cast.version.item, status="retired", actor=cast.officer)
    assert counted(surveillance, for_auditor=True) == {
        (Section.EVIDENCE, Change.CHANGED): 1,
        (Section.EVIDENCE, Change.DELETED): 1,
    }
    audit_page = auditor.get(reverse("audits:auditor-audit", args=[surveillance.pk]))
    assert 'id="delta-link"' in audit_page.content.decode()
    assert auditor.post(url).status_code == 405
    # The initial audit the auditor was invited to: no delta.
    assert auditor.get(reverse("audits:auditor-delta", args=[decided.pk])).status_code == 404
    # Outside the access window: a 404.
    now = timezone.now()
    AuditorAccess.objects.filter(audit=surveillance).update(
        valid_from=now - timedelta(days=2), valid_until=now - timedelta(minutes=1)
    )
    assert auditor.get(url).status_code == 404


def test_the_page_is_paged(decided: Audit, cast: Cast) -> None:
    surveillance = first_surveillance(decided)
    make_history(cast, 30)
    client = verified_client_for(cast.officer)
    first = client.get(delta_url(surveillance) + "?section=evidence").content.decode()
    assert first.count('data-change="changed"') == 25
    assert 'id="delta-pager"' in first
    second = client.get(delta_url(surveillance) + "?section=evidence&page=2").content.decode()
    assert second.count('data-change="changed"') == 5
    assert '<td data-action="changed">30</td>' in second


def test_the_sql_classifies_every_rule_as_the_pure_rules_do(decided: Audit, cast: Cast) -> None:
    """Every kind the rules name (and one they do not), with the data variants the conditions
    read, written to the trail after the decision: the SQL aggregate counts each row where
    `classify` puts it."""
    surveillance = first_surveillance(decided)
    organisation = cast.organisation
    ours, other = (
        Finding.objects.create(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 10"),
            description="Registre absent",
            raised_by=cast.auditor,
        )
        for audit in (decided, surveillance)
    )
    variants: list[dict[str, object]] = [
        {},
        {"version": 1},
        {"version": 3},
        {"changes": {"status": ["not_assessed", "compliant"]}},
        {"changes": {"notes": ["", "x"]}},
        {"holder": organisation.name},
        {"holder": "DataCentre Nord"},
    ]
    expected: Counter[tuple[str, str]] = Counter()
    for kind in sorted({rule.kind for rule in RULES} | {"user.logged_in"}):
        for data in variants:
            for target in (None, ours, other):
                trail_record(
                    kind=kind,
                    actor=cast.officer,
                    organisation=organisation,
                    target=target,
                    data=data,
                )
                found = classify(
                    kind=kind,
                    data=data,
                    host_holds=data.get("holder") == organisation.name,
                    previous_finding=target == ours,
                )
                if found is not None:
                    expected[(str(found[0]), str(found[1]))] += 1
    assert expected[(Section.FINDINGS, Change.CHANGED)] == 2 * len(variants)
    assert counted(surveillance) == dict(expected)
