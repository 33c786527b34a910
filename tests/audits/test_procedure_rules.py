"""The certification procedure as the ANS text says it (shared/DOMAIN.md), one test per rule,
each named after it. The generated tests of test_workflow.py cover every state x action x role;
these pin what the référentiel and the certification scheme say."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Decision,
    FindingKind,
    FindingStatus,
    finding_numbers,
)
from audits.services.cycle import (
    audit_correct_stage2_end,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audits_lapse_sweep,
    cycle_create,
    decision_record,
)
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from audits.services.workflow import perform
from audits.workflow import STAGE2_COMPLETE, Actor
from hdsready.models import TrailEvent
from scopes.chain import Cover
from scopes.models import ActivityMode, Certificate, CertificateKind, HostProfile
from scopes.selectors import hosting_chain_of
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.audits.workflow_helpers import Cast, audit_in, requirement
from tests.conftest import verified_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = AuditStatus


def _noon(day: date) -> datetime:
    return deadlines.end_of_day(day=day) - timedelta(hours=12)


def _nc(audit: Audit, cast: Cast, *, now: datetime, ref: str = "EXI 10"):
    return finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement(ref),
        description="Awareness sessions not recorded",
        actor=cast.auditor,
        now=now,
    )


def _planned(cast: Cast, end: date) -> Audit:
    cycle = cycle_create(
        organisation=cast.organisation,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=cast.officer,
    )
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=cast.officer)
    audit_schedule_stage1(
        audit=audit,
        start=end - timedelta(days=40),
        end=end - timedelta(days=39),
        actor=cast.officer,
    )
    perform_complete_stage1(audit, cast)
    return audit_schedule_stage2(
        audit=audit, start=end - timedelta(days=2), end=end, sites="Paris", actor=cast.officer
    )


def perform_complete_stage1(audit: Audit, cast: Cast) -> None:
    from audits.services.cycle import audit_complete_stage1

    audit_complete_stage1(audit=audit, outcome="ok", actor=cast.auditor)


def _complete(audit: Audit, cast: Cast, *, ended_on: date, now: datetime) -> Audit:
    return perform(
        STAGE2_COMPLETE,
        audit=audit,
        actor=cast.auditor,
        role=Actor.AUDITOR,
        now=now,
        outcome="done",
        ended_on=ended_on,
    )


def test_findings_can_be_raised_up_to_the_decision(cast):
    for state in (S.STAGE1_PLANNED, S.STAGE2_DONE, S.CORRECTIONS, S.CORRECTIONS_VERIFIED):
        audit = audit_in(state, cast)
        finding_raise(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 08"),
            description="SoA not dated",
            actor=cast.auditor,
        )
    decided = audit_in(S.DECIDED, cast)
    with pytest.raises(Exception, match="not possible now"):
        finding_raise(
            audit=decided,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 08"),
            description="Too late",
            actor=cast.auditor,
        )


def test_a_nonconformity_raised_after_the_onsite_audit_counts_in_the_same_window(cast):
    audit = audit_in(S.STAGE2_DONE, cast)
    deadline = audit.correction_deadline
    late = _nc(audit, cast, now=timezone.now())
    audit.refresh_from_db()
    assert audit.status == S.CORRECTIONS
    assert audit.correction_deadline == deadline  # the same window, not a new one
    assert late.stage == "2"


def test_the_window_runs_from_the_actual_end_of_the_onsite_audit(cast):
    planned_end = timezone.localdate() - timedelta(days=20)
    audit = _planned(cast, planned_end)
    _nc(audit, cast, now=_noon(planned_end))
    actual_end = planned_end + timedelta(days=1)  # the audit took one more day
    audit = _complete(audit, cast, ended_on=actual_end, now=_noon(actual_end))
    assert audit.stage2_ended_on == actual_end
    assert audit.correction_deadline == deadlines.correction_deadline(onsite_audit_end=actual_end)
    assert audit.correction_deadline != deadlines.correction_deadline(onsite_audit_end=planned_end)


def test_the_end_of_the_onsite_audit_is_correctable_with_a_trail_entry(cast):
    audit = audit_in(S.CORRECTIONS, cast)
    assert audit.stage2_ended_on is not None
    corrected = audit.stage2_ended_on - timedelta(days=1)
    audit = audit_correct_stage2_end(
        audit=audit, ended_on=corrected, reason="Typed the wrong day", actor=cast.officer
    )
    assert audit.correction_deadline == deadlines.correction_deadline(onsite_audit_end=corrected)
    event = TrailEvent.objects.filter(kind="audit.stage2_end_corrected").get()
    assert event.data["reason"] == "Typed the wrong day"
    assert event.data["ended_on"] == corrected.isoformat()


def test_the_onsite_audit_is_redone_only_without_action_of_the_host(cast):
    end = timezone.localdate() - timedelta(days=130)
    for acted in (False, True):
        audit = _planned(cast, end)
        finding = _nc(audit, cast, now=_noon(end))
        audit = _complete(audit, cast, ended_on=end, now=_noon(end))
        if acted:
            finding_submit_correction(
                finding=finding,
                correction="Done",
                root_cause="Forgot",
                action_plan="Checklist",
                actor=cast.contributor,
                now=_noon(end + timedelta(days=30)),
            )
        audits_lapse_sweep(now=timezone.now())
        audit.refresh_from_db()
        assert audit.status == (S.AWAITING_VERIFICATION if acted else S.ONSITE_REDO)


def test_corrections_submitted_in_time_await_verification_past_the_deadline(cast, client_as):
    audit = audit_in(S.AWAITING_VERIFICATION, cast)
    assert deadlines.deadline_passed(deadline=audit.correction_deadline, now=timezone.now())
    page = client_as(cast.officer).get(
        reverse("audits:audit-detail", args=[cast.organisation.slug, audit.pk])
    )
    assert 'id="awaiting-verification"' in page.content.decode()
    # The corrections are still verified there, and the audit goes on to its decision.
    for finding in audit.findings.filter(status=FindingStatus.CORRECTION_SUBMITTED):
        finding_verify(finding=finding, accepted=True, comment="", actor=cast.auditor)
    for finding in audit.findings.filter(status=FindingStatus.OPEN):
        finding_submit_correction(
            finding=finding,
            correction="Again",
            root_cause="Unclear",
            action_plan="Review",
            actor=cast.contributor,
        )
        finding_verify(finding=finding, accepted=True, comment="", actor=cast.auditor)
    audit.refresh_from_db()
    assert audit.status == S.CORRECTIONS_VERIFIED


def test_the_officer_records_the_bodys_verification_and_decision_with_its_letter(cast):
    audit = audit_in(S.CORRECTIONS, cast)
    letter = cast.version
    submitted = audit.findings.get(status=FindingStatus.CORRECTION_SUBMITTED)
    finding_verify(
        finding=submitted,
        accepted=True,
        comment="Letter of 3 March",
        letter=letter,
        actor=cast.officer,
        role=Actor.BODY,
    )
    submitted.refresh_from_db()
    assert submitted.verification_letter == letter
    event = TrailEvent.objects.filter(kind="finding.correction_verified").latest("seq")
    assert event.data["as"] == "body"
    assert event.data["letter"] == letter.pk
    ready = audit_in(S.STAGE2_DONE, cast)
    decision = decision_record(
        audit=ready,
        outcome="granted",
        decided_on=timezone.localdate(),
        activities=ready.cycle.activities,
        certificate_numbers={"managed": "HDS-77"},
        letter=letter,
        actor=cast.officer,
        role=Actor.BODY,
    )
    assert decision.letter == letter


def test_a_refusal_plans_a_new_initial_audit(cast):
    audit = audit_in(S.REFUSED, cast)
    decision = Decision.objects.get(audit=audit)
    assert decision.is_refusal
    assert decision.certificates.count() == 0
    assert not Certificate.objects.filter(organisation=cast.organisation, kind="hds").exists()
    follow_up = Audit.objects.filter(cycle=audit.cycle).exclude(pk=audit.pk).get()
    assert (follow_up.kind, follow_up.status) == (AuditKind.INITIAL, S.DRAFT)


def test_a_reduced_scope_leaves_the_activities_out_uncovered_in_the_chain(cast):
    ready = audit_in(S.STAGE2_DONE, cast)
    granted = [3, 4, 5]  # activity 6 (outsourced backup) left out by the body
    decision_record(
        audit=ready,
        outcome="reduced",
        decided_on=timezone.localdate(),
        activities=granted,
        certificate_numbers={"managed": "HDS-78"},
        actor=cast.officer,
    )
    certificate = Certificate.objects.get(organisation=cast.organisation, kind="hds")
    assert certificate.activities == granted
    chain = {
        row.activity.number: row.cover
        for row in hosting_chain_of(organisation=cast.organisation, on=timezone.localdate())
    }
    assert chain[6] == Cover.GAP
    assert all(chain[n] == Cover.COVERED for n in granted)


def test_the_renewal_is_due_early_enough_for_a_decision_before_expiry(cast):
    decided_on = date(2027, 3, 31)
    expiry = deadlines.certificate_expiry(decision_date=decided_on)
    due = deadlines.renewal_audit_due(decision_date=decided_on)
    # An on-site audit ending on its due date leaves the 3 months of corrections before expiry.
    assert deadlines.correction_deadline(onsite_audit_end=due) <= expiry
    assert not deadlines.renewal_too_late(onsite_audit_end=due, certificate_expires_on=expiry)
    assert deadlines.renewal_too_late(
        onsite_audit_end=due + timedelta(days=1), certificate_expires_on=expiry
    )


def test_a_renewal_planned_too_late_is_warned(cast, client_as):
    decided = audit_in(S.DECIDED, cast)
    expiry = Decision.objects.get(audit=decided).expires_on
    assert expiry is not None
    renewal = Audit.objects.get(cycle=decided.cycle, kind=AuditKind.RENEWAL)
    # Planned (here by its due date) 10 days before the certificate ends.
    Audit.objects.filter(pk=renewal.pk).update(due_on=expiry - timedelta(days=10))
    url = reverse("audits:audit-detail", args=[cast.organisation.slug, renewal.pk])
    assert 'id="renewal-too-late"' in client_as(cast.officer).get(url).content.decode()
    Audit.objects.filter(pk=renewal.pk).update(
        due_on=deadlines.renewal_audit_due(decision_date=Decision.objects.get().decided_on)
    )
    assert 'id="renewal-too-late"' not in client_as(cast.officer).get(url).content.decode()


def test_activities_1_2_and_3_6_yield_two_certificates(cast):
    scope_set_activities(
        organisation=cast.organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in range(1, 7)},
        actor=cast.officer,
    )
    ready = audit_in(S.STAGE2_DONE, cast)
    assert ready.cycle.activities == [1, 2, 3, 4, 5, 6]
    decision = decision_record(
        audit=ready,
        outcome="granted",
        decided_on=timezone.localdate(),
        activities=ready.cycle.activities,
        certificate_numbers={"physical": "HDS-P-1", "managed": "HDS-M-1"},
        actor=cast.officer,
    )
    certificates = {c.number: c.activities for c in decision.certificates.all()}
    assert certificates == {"HDS-P-1": [1, 2], "HDS-M-1": [3, 4, 5, 6]}
    assert all(c.kind == CertificateKind.HDS for c in decision.certificates.all())


def test_the_iso_milestone_check_reads_the_planned_audits(cast):
    cycle = cycle_create(
        organisation=cast.organisation,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=cast.officer,
    )
    due = timezone.localdate() + timedelta(days=200)
    audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, due_on=due, actor=cast.officer)
    assert HostProfile.objects.get(organisation=cast.organisation).next_audit_on == due
    start = timezone.localdate() + timedelta(days=100)
    audit_schedule_stage2(audit=audit, start=start, end=start, sites="", actor=cast.officer)
    assert HostProfile.objects.get(organisation=cast.organisation).next_audit_on == start


def test_nonconformity_sheets_are_numbered_apart_from_observations(cast):
    audit = audit_in(S.STAGE2_PLANNED, cast)
    kinds = [FindingKind.OBSERVATION, FindingKind.MAJOR, FindingKind.OBSERVATION, FindingKind.MINOR]
    findings = [
        finding_raise(
            audit=audit,
            kind=kind,
            requirement=requirement("EXI 10"),
            description=f"finding {index}",
            actor=cast.auditor,
            now=timezone.now() + timedelta(seconds=index),
        )
        for index, kind in enumerate(kinds)
    ]
    numbers = finding_numbers(findings)
    assert [numbers[f.pk] for f in findings] == ["OBS 1", "NC 1", "OBS 2", "NC 2"]
    page = verified_client_for(cast.officer).get(
        reverse("audits:audit-detail", args=[cast.organisation.slug, audit.pk])
    )
    assert "NC 2" in page.content.decode()


def test_the_full_dossier_reads_outcomes_and_deadlines_from_the_workflow(cast):
    from dossiers.content import _cycle_units

    refused = audit_in(S.REFUSED, cast)
    audits = list(Audit.objects.filter(cycle=refused.cycle).select_related("decision"))
    [unit] = _cycle_units(refused.cycle, audits, timezone.localdate())
    [decision] = unit.context["decisions"]
    assert decision["outcome"] == "Certification refused"
    assert decision["expires_on"] == ""
    statuses = {row["status"] for row in unit.context["audits"]}
    assert {"Certification refused", "Draft"} <= statuses
    # The registry's deadlines ahead: the auditor's access ends within the dossier's horizon.
    assert "Auditor access ends" in {row["label"] for row in unit.context["deadlines"]}


def test_the_correction_countdown_stops_with_the_outcome(cast, client_as):
    """Past the decision (or a refusal, or the close) the window's end no longer counts down and
    is no milestone of the timeline; while the window counts, it does."""
    for state, counting in ((S.CORRECTIONS, True), (S.DECIDED, False), (S.REFUSED, False)):
        audit = audit_in(state, cast)
        assert audit.correction_deadline is not None
        html = (
            client_as(cast.officer)
            .get(reverse("audits:audit-detail", args=[cast.organisation.slug, audit.pk]))
            .content.decode()
        )
        assert ("data-countdown" in html) is counting, state
        assert ("end of the correction window" in html) is counting, state


def test_auditors_are_invited_until_the_outcome(cast, client_as):
    """After a decision or a refusal there is nothing left to audit: no invitation is offered,
    and the auditor's home counts evidence left to review only while reviewing is possible."""
    from audits.services import AuditError
    from audits.services.auditors import auditor_invite

    for state in (S.DECIDED, S.REFUSED, S.CLOSED, S.CANCELLED):
        audit = audit_in(state, cast)
        with pytest.raises(AuditError, match="not possible now"):
            auditor_invite(
                audit=audit,
                email="late@organisme.test",
                valid_from=timezone.now(),
                valid_until=timezone.now() + timedelta(days=1),
                actor=cast.officer,
            )
    corrections = audit_in(S.CORRECTIONS, cast)
    home = client_as(cast.auditor).get(reverse("audits:auditor-home")).content.decode()
    assert 'data-left-to-review="0"' in home.split(f"/auditor/audits/{corrections.pk}/")[-1]
