"""Carry-over (issue 15): the observations and minor non-conformities of an earlier audit whose
action plan runs past it appear on the next surveillance or renewal audit for the auditor to
check; closing one is recorded once, and one kept open carries on to the next audit.

- which findings carry over, over generated findings (hypothesis) against the rule as written;
- the check through the service: who, when, one trail row, closing once (a double submit and
  two transactions at once);
- the pages: the section on the officer's and the auditor's audit pages, the form only for whom
  may check now, the auditor closing a finding through the page, bounded queries."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    CarryOverCheck,
    CarryOverOutcome,
    Cycle,
    Finding,
    FindingKind,
    FindingStatus,
)
from audits.selectors.carryover import carried_over_findings
from audits.services import AuditError
from audits.services.carryover import carried_over_check
from audits.services.cycle import (
    audit_close,
    audit_complete_stage2,
    audit_schedule_stage2,
    decision_record,
)
from audits.services.findings import (
    finding_plan_actions,
    finding_raise,
    finding_submit_correction,
    finding_verify,
)
from audits.workflow import Actor
from hdsready.models import Notification, Role, TrailEvent
from tests.audits.workflow_helpers import Cast, audit_in, invite, requirement
from tests.conftest import verified_client_for
from tests.factories import OrganisationFactory, make_member
from tests.pdf import flowing

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

AWARENESS = "Awareness of newcomers could stress health data"


def surveillance_of(initial: Audit, rank: int = 0) -> Audit:
    return Audit.objects.filter(cycle=initial.cycle, kind=AuditKind.SURVEILLANCE).order_by(
        "created_at", "pk"
    )[rank]


def decided_with_findings(
    cast: Cast, *, plan_days: int = 180, kind: str = AuditKind.INITIAL
) -> tuple[Audit, dict[str, Finding]]:
    """An audit of `kind` (initial) decided today, through the services: an observation and a
    minor non-conformity with action plans due `plan_days` after today, a major one verified."""
    audit = audit_in(AuditStatus.STAGE2_DONE, cast, kind=kind)
    due = timezone.localdate() + timedelta(days=plan_days)
    found = {}
    for kind, ref in (
        (FindingKind.OBSERVATION, "EXI 10"),
        (FindingKind.MINOR, "EXI 06"),
        (FindingKind.MAJOR, "EXI 16"),
    ):
        found[kind] = finding_raise(
            audit=audit,
            kind=kind,
            requirement=requirement(ref),
            description=AWARENESS if kind == FindingKind.OBSERVATION else f"{kind} finding",
            actor=cast.auditor,
            role=Actor.AUDITOR,
        )
    finding_plan_actions(
        finding=found[FindingKind.OBSERVATION],
        action_plan="New induction module",
        action_plan_due_on=due,
        actor=cast.contributor,
        role=Actor.HOST,
    )
    for kind in (FindingKind.MINOR, FindingKind.MAJOR):
        finding_submit_correction(
            finding=found[kind],
            correction="Fixed",
            root_cause="Missing clause",
            action_plan="Renegotiate",
            action_plan_due_on=due,
            actor=cast.contributor,
            role=Actor.HOST,
        )
        finding_verify(
            finding=found[kind],
            accepted=True,
            comment="Seen",
            actor=cast.auditor,
            role=Actor.AUDITOR,
        )
    audit.refresh_from_db()
    decision_record(
        audit=audit,
        decided_on=timezone.localdate(),
        activities=audit.cycle.activities,
        certificate_numbers={"managed": "HDS-1"},
        actor=cast.officer,
    )
    for kind in found:
        found[kind].refresh_from_db()
    return Audit.objects.get(pk=audit.pk), found


def onsite_planned(audit: Audit, cast: Cast) -> Audit:
    """A surveillance audit with its on-site audit planned, its auditor invited."""
    today = timezone.localdate()
    audit_schedule_stage2(
        audit=audit, start=today, end=today + timedelta(days=1), sites="Paris", actor=cast.officer
    )
    invite(audit, cast.officer, cast.auditor)
    return Audit.objects.get(pk=audit.pk)


def check(audit: Audit, finding: Finding, cast: Cast, outcome: str, **kwargs) -> CarryOverCheck:
    return carried_over_check(
        audit=audit,
        finding=finding,
        outcome=outcome,
        comment="Induction module seen",
        actor=cast.auditor,
        role=Actor.AUDITOR,
        **kwargs,
    )


# The rule, over generated findings


@dataclass(frozen=True)
class Spec:
    kind: str
    due_offset: int | None  # days after the finding's audit ended; None: no due date
    audit: str  # "earlier_cycle", "initial", "s1", "later_cycle", "other_org"
    checked: str  # "none", "closed_s1", "kept_s1", "closed_s2"


SPECS = st.builds(
    Spec,
    kind=st.sampled_from(FindingKind.values),
    due_offset=st.none() | st.integers(min_value=-3, max_value=3),
    audit=st.sampled_from(["earlier_cycle", "initial", "s1", "later_cycle", "other_org"]),
    checked=st.sampled_from(["none", "closed_s1", "kept_s1", "closed_s2"]),
)


def expected(spec: Spec) -> bool:
    """The rule as issue 15 says it, for a finding seen from surveillance 2 of cycle A (whose
    earlier audits are the initial audit, decided, surveillance 1, closed, and the decided audit
    of the organisation's earlier cycle, with another body)."""
    return (
        spec.audit in ("earlier_cycle", "initial", "s1")
        and spec.kind in (FindingKind.OBSERVATION, FindingKind.MINOR)
        and spec.due_offset is not None
        and spec.due_offset > 0
        and spec.checked != "closed_s1"
    )


@pytest.fixture
def chain(cast: Cast) -> dict[str, Audit]:
    """Cycle A: the initial audit decided today, surveillance 1 done and closed today,
    surveillance 2 planned. The organisation's cycles before and after A, each with a decided
    audit, and another organisation's decided audit."""
    today = timezone.localdate()
    earlier_cycle = audit_in(AuditStatus.DECIDED, cast)
    initial = audit_in(AuditStatus.DECIDED, cast)
    s1 = surveillance_of(initial, 0)
    audit_schedule_stage2(audit=s1, start=today, end=today, sites="Paris", actor=cast.officer)
    audit_complete_stage2(audit=s1, outcome="Done", ended_on=today, actor=cast.officer)
    audit_close(audit=s1, actor=cast.officer)
    later_cycle = audit_in(AuditStatus.DECIDED, cast)
    stranger = OrganisationFactory(name="Ailleurs", slug="ailleurs")
    other_org = Audit.objects.create(
        cycle=Cycle.objects.create(
            organisation=stranger, certification_body="X", accreditation="1"
        ),
        kind=AuditKind.INITIAL,
        status=AuditStatus.DECIDED,
        stage2_ended_on=today,
    )
    return {
        "initial": initial,
        "s1": Audit.objects.get(pk=s1.pk),
        "s2": surveillance_of(initial, 1),
        "earlier_cycle": earlier_cycle,
        "later_cycle": later_cycle,
        "other_org": other_org,
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(SPECS, max_size=8))
def test_which_findings_carry_over(chain, cast, specs):
    today = timezone.localdate()
    with transaction.atomic():
        made = {}
        for spec in specs:
            finding = Finding.objects.create(
                audit=chain[spec.audit],
                kind=spec.kind,
                requirement=requirement("EXI 10"),
                description="x",
                raised_by=cast.auditor,
                status=FindingStatus.NOTED,
                action_plan="Plan",
                action_plan_due_on=None
                if spec.due_offset is None
                else today + timedelta(days=spec.due_offset),
            )
            if spec.checked != "none":
                CarryOverCheck.objects.create(
                    finding=finding,
                    audit=chain["s2" if spec.checked == "closed_s2" else "s1"],
                    outcome=CarryOverOutcome.KEPT_OPEN
                    if spec.checked == "kept_s1"
                    else CarryOverOutcome.CLOSED,
                    comment="c",
                    checked_by=cast.auditor,
                )
            made[finding.pk] = spec
        carried = {f.pk: f for f in carried_over_findings(audit=chain["s2"])}
        assert set(carried) == {pk for pk, spec in made.items() if expected(spec)}
        for pk, finding in carried.items():
            assert finding.closed_here == (made[pk].checked == "closed_s2")
        # Nothing carries over to an initial audit.
        assert not carried_over_findings(audit=chain["initial"]).exists()
        transaction.set_rollback(True)


def test_a_plan_due_on_the_decision_day_does_not_carry_over(cast):
    initial, _found = decided_with_findings(cast, plan_days=0)
    assert list(carried_over_findings(audit=surveillance_of(initial))) == []


def test_observation_and_minor_carry_over_not_the_major(cast):
    initial, found = decided_with_findings(cast)
    carried = list(carried_over_findings(audit=surveillance_of(initial)))
    assert [f.pk for f in carried] == [
        found[FindingKind.OBSERVATION].pk,
        found[FindingKind.MINOR].pk,
    ]
    # The observation's plan left its status as it was.
    assert found[FindingKind.OBSERVATION].status == FindingStatus.NOTED


# Planning actions on an observation


def test_an_observation_plan_is_trailed_and_cannot_be_due_before_it_was_raised(cast):
    audit = audit_in(AuditStatus.STAGE2_DONE, cast)
    observation = finding_raise(
        audit=audit,
        kind=FindingKind.OBSERVATION,
        requirement=requirement("EXI 10"),
        description=AWARENESS,
        actor=cast.auditor,
    )
    with pytest.raises(AuditError, match="before the finding was raised"):
        finding_plan_actions(
            finding=observation,
            action_plan="Plan",
            action_plan_due_on=date(2000, 1, 1),
            actor=cast.contributor,
        )
    due = timezone.localdate() + timedelta(days=90)
    finding_plan_actions(
        finding=observation, action_plan="Plan", action_plan_due_on=due, actor=cast.contributor
    )
    event = TrailEvent.objects.filter(kind="finding.action_plan_recorded").get()
    assert event.data["due_on"] == due.isoformat()
    observation.refresh_from_db()
    assert (observation.action_plan_due_on, observation.status) == (due, FindingStatus.NOTED)


# The check


def test_a_check_closes_once_with_one_trail_row(cast):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    observation = found[FindingKind.OBSERVATION]
    before_told = Notification.objects.filter(user=cast.officer).count()
    check(s1, observation, cast, CarryOverOutcome.KEPT_OPEN)
    check(s1, observation, cast, CarryOverOutcome.CLOSED)
    # The officers learn what the invited auditor checked (in their own language).
    told = Notification.objects.filter(user=cast.officer).order_by("pk")
    assert told.count() == before_told + 2
    assert "EXI 10" in told.last().text  # type: ignore[union-attr]
    events = TrailEvent.objects.filter(kind="finding.carryover_checked")
    assert events.count() == 2
    assert [e.data["check"] for e in events.order_by("pk")] == ["kept_open", "closed"]
    before = (CarryOverCheck.objects.count(), TrailEvent.objects.count())
    for outcome in (CarryOverOutcome.CLOSED, CarryOverOutcome.KEPT_OPEN):
        with pytest.raises(AuditError, match="already closed"):
            check(s1, observation, cast, outcome)
    assert (CarryOverCheck.objects.count(), TrailEvent.objects.count()) == before
    # Still shown on the audit it was closed on, closed; gone from the next one.
    assert [f.closed_here for f in carried_over_findings(audit=s1)] == [True, False]


def test_kept_open_carries_on_to_the_next_audit_and_closed_does_not(cast):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    check(s1, found[FindingKind.OBSERVATION], cast, CarryOverOutcome.CLOSED)
    check(s1, found[FindingKind.MINOR], cast, CarryOverOutcome.KEPT_OPEN)
    audit_complete_stage2(audit=s1, outcome="Done", actor=cast.auditor)
    audit_close(audit=s1, actor=cast.officer)
    s2 = surveillance_of(initial, 1)
    assert [f.pk for f in carried_over_findings(audit=s2)] == [found[FindingKind.MINOR].pk]


def test_a_renewal_s_findings_carry_over_to_the_first_surveillance_it_plans(cast):
    """The renewal's decision plans the next three years' audits: the first surveillance audit
    checks the renewal's observation and minor non-conformity."""
    renewal, found = decided_with_findings(cast, kind=AuditKind.RENEWAL)
    first = surveillance_of(renewal)
    assert first.created_at > renewal.created_at
    carried = [f.pk for f in carried_over_findings(audit=first)]
    assert carried == [found[FindingKind.OBSERVATION].pk, found[FindingKind.MINOR].pk]


def test_who_and_when_may_check(cast):
    initial, found = decided_with_findings(cast)
    s1 = surveillance_of(initial)
    observation = found[FindingKind.OBSERVATION]
    with pytest.raises(AuditError, match="not possible now"):  # the audit is a draft
        check(s1, observation, cast, CarryOverOutcome.CLOSED)
    s1 = onsite_planned(s1, cast)
    with pytest.raises(AuditError, match="may not"):
        carried_over_check(
            audit=s1,
            finding=observation,
            outcome=CarryOverOutcome.CLOSED,
            comment="x",
            actor=cast.contributor,
            role=Actor.HOST,
        )
    with pytest.raises(AuditError, match="what was checked"):
        carried_over_check(
            audit=s1,
            finding=observation,
            outcome="closed",
            comment=" ",
            actor=cast.officer,
            role=Actor.BODY,
        )
    with pytest.raises(AuditError, match="not carried over"):
        check(s1, found[FindingKind.MAJOR], cast, CarryOverOutcome.CLOSED)
    # The officer records the body's check, with its letter.
    done = carried_over_check(
        audit=s1,
        finding=observation,
        outcome=CarryOverOutcome.CLOSED,
        comment="Body's letter",
        actor=cast.officer,
        role=Actor.BODY,
        letter=cast.version,
    )
    assert done.letter == cast.version
    assert not CarryOverCheck.objects.exclude(pk=done.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_record_one(cast):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    observation = found[FindingKind.OBSERVATION]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close() -> None:
        try:
            barrier.wait()
            check(s1, observation, cast, CarryOverOutcome.CLOSED)
            outcomes.append("closed")
        except AuditError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("closed") == 1
    assert ["already closed" in said for said in outcomes].count(True) == 1
    assert CarryOverCheck.objects.filter(finding=observation).count() == 1
    assert TrailEvent.objects.filter(kind="finding.carryover_checked").count() == 1


# The pages


def auditor_page(audit: Audit) -> str:
    return reverse("audits:auditor-audit", args=[audit.pk])


def officer_page(audit: Audit) -> str:
    return reverse("audits:audit-detail", args=[audit.cycle.organisation.slug, audit.pk])


def test_the_auditor_closes_through_the_page_and_a_second_submit_changes_nothing(cast):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    observation = found[FindingKind.OBSERVATION]
    client = verified_client_for(cast.auditor)
    page = client.get(auditor_page(s1))
    section = page.content.decode().split('id="carried-over"')[1].split("</section>")[0]
    assert AWARENESS in section
    assert "New induction module" in section
    assert section.count('data-action="carryover-check"') == 2
    url = reverse("audits:auditor-carryover-check", args=[s1.pk, observation.pk])
    data = {
        f"carryover-{observation.pk}-outcome": "closed",
        f"carryover-{observation.pk}-comment": "Seen",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#carried-over")
    before = (CarryOverCheck.objects.count(), TrailEvent.objects.count())
    again = client.post(url, data)
    assert again.status_code == 200
    assert "already closed" in again.content.decode()
    assert (CarryOverCheck.objects.count(), TrailEvent.objects.count()) == before
    section = client.get(auditor_page(s1)).content.decode().split('id="carried-over"')[1]
    assert section.split("</section>")[0].count('data-action="carryover-check"') == 1


def test_bad_input_is_refused_with_the_form_and_changes_nothing(cast):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    observation = found[FindingKind.OBSERVATION]
    client = verified_client_for(cast.auditor)
    url = reverse("audits:auditor-carryover-check", args=[s1.pk, observation.pk])
    before = TrailEvent.objects.count()
    for outcome, comment in (
        ("closed", "\x00"),
        ("closed", "x" * 10000),
        ("maybe", "ok"),
        ("", ""),
    ):
        prefix = f"carryover-{observation.pk}"
        response = client.post(url, {f"{prefix}-outcome": outcome, f"{prefix}-comment": comment})
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    assert TrailEvent.objects.count() == before
    # Another organisation's finding, or one that does not carry over: 404.
    for pk in (found[FindingKind.MAJOR].pk, 10**9):
        missing = reverse("audits:auditor-carryover-check", args=[s1.pk, pk])
        assert client.post(missing, {}).status_code == 404


@pytest.mark.parametrize(
    ("persona", "form_shown", "post"),
    [("officer", True, 302), ("contributor", False, 404), ("manager", False, 404)],
)
def test_officer_page_offers_the_body_check_to_the_officer_only(
    request, cast, persona, form_shown, post
):
    user = {"officer": cast.officer, "contributor": cast.contributor}.get(persona) or (
        make_member(cast.organisation, Role.MANAGER, email="m@clinicloud.test")
    )
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    client = verified_client_for(user)
    body = client.get(officer_page(s1)).content.decode()
    section = body.split('id="carried-over"')[1].split("</section>")[0]
    assert AWARENESS in section
    assert ('data-action="carryover-check"' in section) == form_shown
    observation = found[FindingKind.OBSERVATION]
    prefix = f"carryover-{observation.pk}"
    response = client.post(
        reverse("audits:carryover-check", args=[cast.organisation.slug, s1.pk, observation.pk]),
        {f"{prefix}-outcome": "kept_open", f"{prefix}-comment": "Letter of the body"},
    )
    assert response.status_code == post
    assert CarryOverCheck.objects.count() == (1 if post == 302 else 0)


def test_the_initial_audit_has_no_carried_over_section(cast):
    initial, _found = decided_with_findings(cast)
    body = verified_client_for(cast.officer).get(officer_page(initial)).content.decode()
    assert 'id="carried-over"' not in body


def _carried(cast: Cast, audit: Audit, count: int) -> None:
    today = timezone.localdate()
    Finding.objects.bulk_create(
        Finding(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 10"),
            description=f"Observation {n}",
            raised_by=cast.auditor,
            status=FindingStatus.NOTED,
            action_plan="Plan",
            action_plan_due_on=today + timedelta(days=30),
        )
        for n in range(count)
    )
    for finding in Finding.objects.filter(audit=audit)[:count]:
        CarryOverCheck.objects.create(
            finding=finding,
            audit=audit,
            outcome=CarryOverOutcome.KEPT_OPEN,
            comment="earlier",
            checked_by=cast.auditor,
        )


def test_the_section_is_bounded_whatever_the_history(cast):
    initial, _found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    client = verified_client_for(cast.auditor)
    sizes = []
    for count in (3, 30):
        _carried(cast, initial, count)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(auditor_page(s1)).content.decode()
        section = body.split('id="carried-over"')[1].split("</section>")[0]
        sizes.append((len(queries), section.count("data-carried=")))
    # A page of 10 at most, and the same number of queries whatever the count.
    assert sizes[0][1] == 5
    assert sizes[1][1] == 10
    assert sizes[0][0] == sizes[1][0]


def test_an_outsider_gets_404(cast, outsider):
    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    client = verified_client_for(outsider)
    url = reverse(
        "audits:carryover-check", args=[cast.organisation.slug, s1.pk, found["observation"].pk]
    )
    assert client.post(url, {}).status_code == 404
    assert client.get(url).status_code == 405
    auditor_url = reverse("audits:auditor-carryover-check", args=[s1.pk, found["observation"].pk])
    assert client.post(auditor_url, {}).status_code == 404


def test_the_stage1_dossier_lists_the_carried_over_findings(cast, tmp_path):
    """Read back from the PDF with pdftotext, in French."""
    from dossiers.content import _carried_over_units
    from dossiers.pdf import render_units

    initial, found = decided_with_findings(cast)
    s1 = onsite_planned(surveillance_of(initial), cast)
    check(s1, found[FindingKind.MINOR], cast, CarryOverOutcome.KEPT_OPEN)
    assert _carried_over_units(initial, "Initial") == []
    # The dossier's content is read in its language (dossiers/services/request.py).
    with CaptureQueriesContext(connection) as queries, translation.override("fr"):
        units = _carried_over_units(s1, "Audit de surveillance")
    assert len(queries) <= 3
    (part,) = render_units([(u.template, u.context) for u in units], language="fr")
    pdf = tmp_path / "carried.pdf"
    pdf.write_bytes(part.pdf)
    text = flowing(pdf)
    for printed in (
        "Constats reportés de l'audit précédent",
        AWARENESS,
        "New induction module",
        "Échéance du plan d'actions",
        "Maintenu ouvert",
    ):
        assert printed in text, printed


def test_the_api_shows_the_action_plan_due_date(cast):
    _initial, found = decided_with_findings(cast)
    observation = found[FindingKind.OBSERVATION]
    response = verified_client_for(cast.officer).get(
        f"/api/o/{cast.organisation.slug}/findings/{observation.pk}/"
    )
    assert response.status_code == 200
    due = observation.action_plan_due_on
    assert due is not None
    assert response.json()["action_plan_due_on"] == due.isoformat()


def test_no_form_before_the_audit_is_under_way(cast):
    """The definition decides: on a draft surveillance audit the finding is listed, to check,
    and no one is offered the form yet."""
    initial, _found = decided_with_findings(cast)
    s1 = surveillance_of(initial)
    body = verified_client_for(cast.officer).get(officer_page(s1)).content.decode()
    section = body.split('id="carried-over"')[1].split("</section>")[0]
    assert AWARENESS in section
    assert 'data-action="carryover-check"' not in section
    assert section.count("To check") == 2
