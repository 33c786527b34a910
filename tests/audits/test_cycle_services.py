"""The certification cycle's services: the state machine, findings, the correction window,
the decision and what it plans."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audits.deadlines import PARIS
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    FindingKind,
    FindingStatus,
    PinnedVersion,
)
from audits.services import AuditError
from audits.services.cycle import (
    audit_cancel,
    audit_close,
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    audits_lapse_sweep,
    cycle_create,
    decision_record,
)
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from audits.tasks import correction_windows_sweep
from evidence.services import evidence_version_add
from hdsready.models import Notification, TrailEvent
from scopes.models import Certificate, Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


@pytest.fixture
def cycle(scoped, officer):
    return cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )


@pytest.fixture
def onsite_done_with_minor(cycle, officer, auditor):
    """An initial audit whose on-site audit ended on 31 January 2027 with one minor NC."""
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(
        audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 2), actor=officer
    )
    audit_complete_stage1(audit=audit, outcome="Documentation complete", actor=auditor)
    audit_schedule_stage2(
        audit=audit, start=date(2027, 1, 29), end=date(2027, 1, 31), sites="Paris", actor=officer
    )
    finding = finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement("EXI 10"),
        description="Awareness sessions not recorded for new staff",
        actor=auditor,
    )
    audit = audit_complete_stage2(audit=audit, outcome="One minor NC", actor=auditor)
    return audit, finding


def test_cycle_needs_a_scope(organisation, officer):
    with pytest.raises(AuditError, match="activities in scope"):
        cycle_create(
            organisation=organisation, certification_body="X", accreditation="1", actor=officer
        )


def test_cycle_copies_the_activities(cycle):
    assert cycle.activities == [3, 4, 5, 6]


def test_end_of_onsite_opens_the_three_month_window(onsite_done_with_minor):
    audit, _finding = onsite_done_with_minor
    assert audit.status == AuditStatus.CORRECTIONS
    assert audit.correction_deadline == date(2027, 4, 30)


def test_onsite_without_nonconformity_goes_straight_to_decision(cycle, officer, auditor):
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(
        audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 1), actor=officer
    )
    audit_complete_stage1(audit=audit, outcome="", actor=auditor)
    audit_schedule_stage2(
        audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
    )
    finding_raise(
        audit=audit,
        kind=FindingKind.OBSERVATION,
        requirement=requirement("EXI 21"),
        description="Indicators could be published monthly",
        actor=auditor,
    )
    audit = audit_complete_stage2(audit=audit, outcome="", actor=auditor)
    assert audit.status == AuditStatus.STAGE2_DONE
    assert audit.correction_deadline is None


def test_correct_verify_decide_and_plan(onsite_done_with_minor, officer, auditor, contributor):
    audit, finding = onsite_done_with_minor
    item = make_item(audit.cycle.organisation, contributor, title="Awareness register")
    proof = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
    finding_submit_correction(
        finding=finding,
        correction="Register filled for every new arrival",
        root_cause="No owner for the register",
        action_plan="HR owns it; monthly check",
        owner=contributor,
        evidence=proof,
        actor=officer,
    )
    with pytest.raises(AuditError, match="why"):
        finding_verify(finding=finding, accepted=False, comment="", actor=auditor)
    finding = finding_verify(finding=finding, accepted=True, comment="Seen", actor=auditor)
    assert finding.status == FindingStatus.VERIFIED
    audit = Audit.objects.get(pk=audit.pk)
    assert audit.status == AuditStatus.CORRECTIONS_VERIFIED

    decision = decision_record(
        audit=audit,
        certificate_number="HDS-2027-042",
        decided_on=date(2027, 3, 15),
        activities=[3, 4, 5, 6],
        actor=officer,
    )
    assert decision.expires_on == date(2030, 3, 14)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DECIDED
    planned = Audit.objects.filter(cycle=audit.cycle).exclude(pk=audit.pk).order_by("due_on")
    assert [(a.kind, a.due_on) for a in planned] == [
        (AuditKind.SURVEILLANCE, date(2028, 3, 15)),
        (AuditKind.SURVEILLANCE, date(2029, 3, 15)),
        (AuditKind.RENEWAL, date(2030, 3, 14)),
    ]
    own = Certificate.objects.get(subcontractor=None, kind="hds")
    assert (own.number, own.activities, own.expires_on) == (
        "HDS-2027-042",
        [3, 4, 5, 6],
        date(2030, 3, 14),
    )
    kinds = list(TrailEvent.objects.values_list("kind", flat=True))
    assert {
        "finding.raised",
        "finding.status_changed",
        "audit.decided",
        "certificate.created",
    } <= set(kinds)


def test_rejected_correction_goes_back_to_open(onsite_done_with_minor, officer, auditor):
    _audit, finding = onsite_done_with_minor
    finding_submit_correction(
        finding=finding, correction="x", root_cause="y", action_plan="z", actor=officer
    )
    finding = finding_verify(finding=finding, accepted=False, comment="No evidence", actor=auditor)
    assert finding.status == FindingStatus.OPEN
    assert finding.verification_comment == "No evidence"


def test_decision_refused_while_a_nonconformity_is_open(onsite_done_with_minor, officer):
    audit, _finding = onsite_done_with_minor
    with pytest.raises(AuditError):
        decision_record(
            audit=audit,
            certificate_number="N",
            decided_on=date(2027, 3, 1),
            activities=[3],
            actor=officer,
        )
    assert not Certificate.objects.exists()


class TestLapse:
    def test_window_lapses_at_the_end_of_the_deadline_day_in_paris(self, onsite_done_with_minor):
        audit, _finding = onsite_done_with_minor  # deadline 30 April 2027 (summer time)
        assert audits_lapse_sweep(now=datetime(2027, 4, 30, 21, 59, tzinfo=UTC)) == []
        assert audits_lapse_sweep(now=datetime(2027, 4, 30, 23, 59, tzinfo=PARIS)) == []
        assert audits_lapse_sweep(now=datetime(2027, 4, 30, 22, 0, tzinfo=UTC)) == [audit.pk]
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.ONSITE_REDO
        event = TrailEvent.objects.filter(kind="audit.status_changed").latest("seq")
        assert event.data["to"] == AuditStatus.ONSITE_REDO
        assert event.actor is None
        # The officers are told at once, in the app (and by e-mail after commit).
        told = Notification.objects.get(user__email="officer@clinicloud.test")
        assert "30 avril 2027" in told.text  # in the officer's language (French by default)
        assert told.link.endswith(f"/audits/{audit.pk}/")

    def test_sweeping_twice_moves_once(self, onsite_done_with_minor):
        audit, _finding = onsite_done_with_minor
        later = datetime(2027, 5, 2, tzinfo=UTC)
        assert audits_lapse_sweep(now=later) == [audit.pk]
        assert audits_lapse_sweep(now=later) == []
        assert (
            TrailEvent.objects.filter(kind="audit.status_changed", data__to="onsite_redo").count()
            == 1
        )

    def test_verified_corrections_do_not_lapse(self, onsite_done_with_minor, officer, auditor):
        _audit, finding = onsite_done_with_minor
        finding_submit_correction(
            finding=finding, correction="x", root_cause="y", action_plan="z", actor=officer
        )
        finding_verify(finding=finding, accepted=True, comment="", actor=auditor)
        assert audits_lapse_sweep(now=datetime(2027, 6, 1, tzinfo=UTC)) == []

    def test_redo_replans_the_onsite_audit(self, onsite_done_with_minor, officer):
        audit, _finding = onsite_done_with_minor
        audits_lapse_sweep(now=datetime(2027, 5, 2, tzinfo=UTC))
        audit = audit_schedule_stage2(
            audit=audit, start=date(2027, 6, 1), end=date(2027, 6, 2), sites="Paris", actor=officer
        )
        assert audit.status == AuditStatus.STAGE2_PLANNED
        assert audit.correction_deadline is None


class TestTransitions:
    def test_steps_cannot_be_skipped(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="cannot become"):
            audit_complete_stage1(audit=audit, outcome="", actor=auditor)
        with pytest.raises(AuditError, match="surveillance"):
            audit_schedule_stage2(
                audit=audit, start=date(2027, 1, 1), end=date(2027, 1, 2), sites="", actor=officer
            )
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT

    def test_surveillance_may_start_on_site(self, cycle, officer):
        audit = audit_plan(
            cycle=cycle, kind=AuditKind.SURVEILLANCE, due_on=date(2028, 3, 15), actor=officer
        )
        audit = audit_schedule_stage2(
            audit=audit, start=date(2028, 3, 1), end=date(2028, 3, 2), sites="", actor=officer
        )
        assert audit.status == AuditStatus.STAGE2_PLANNED

    def test_dates_are_checked(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="end before"):
            audit_schedule_stage1(
                audit=audit, start=date(2027, 1, 2), end=date(2027, 1, 1), actor=officer
            )

    def test_findings_only_during_the_audit(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="during the audit"):
            finding_raise(
                audit=audit,
                kind=FindingKind.MAJOR,
                requirement=requirement("EXI 02"),
                description="x",
                actor=auditor,
            )


def test_stage1_documents_are_frozen(cycle, officer, contributor):
    organisation = cycle.organisation
    item = make_item(organisation, contributor, title="ISMS policy")
    item.requirements.set([requirement("EXI 02"), requirement("EXI 09")])
    first = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(audit=audit, start=date(2027, 1, 4), end=date(2027, 1, 5), actor=officer)
    assert audit_submit_stage1_documents(audit=audit, actor=officer) == 2
    evidence_version_add(item=item, upload=hashed_upload(PDF + b"\n% v2"), actor=contributor)
    pinned = set(PinnedVersion.objects.filter(audit=audit).values_list("version_id", flat=True))
    assert pinned == {first.pk}
    with pytest.raises(AuditError, match="already submitted"):
        audit_submit_stage1_documents(audit=audit, actor=officer)


def test_the_beat_task_sweeps_with_the_real_clock(onsite_done_with_minor):
    audit, _finding = onsite_done_with_minor
    with time_machine.travel(datetime(2027, 4, 30, 21, 0, tzinfo=UTC), tick=False):
        assert correction_windows_sweep.delay().get() == []
    with time_machine.travel(datetime(2027, 4, 30, 22, 0, 1, tzinfo=UTC), tick=False):
        assert correction_windows_sweep.delay().get() == [audit.pk]


def _surveillance_onsite_done(cycle, officer, auditor, *, minor: bool = False):
    audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
    audit_schedule_stage2(
        audit=audit, start=date(2027, 1, 29), end=date(2027, 1, 31), sites="", actor=officer
    )
    finding = None
    if minor:
        finding = finding_raise(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 10"),
            description="Awareness sessions not recorded",
            actor=auditor,
        )
    return audit_complete_stage2(audit=audit, outcome="", actor=auditor), finding


def _last_move(audit):
    return (
        TrailEvent.objects.filter(kind="audit.status_changed", object_id=str(audit.pk))
        .order_by("seq")
        .last()
    )


class TestCancel:
    def test_cancels_with_the_reason_in_the_trail(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        audit_schedule_stage1(
            audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 2), actor=officer
        )
        audit = audit_cancel(audit=audit, reason="  Body withdrew ", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CANCELLED
        event = _last_move(audit)
        assert event.actor == officer
        assert event.data == {
            "from": AuditStatus.STAGE1_PLANNED,
            "to": AuditStatus.CANCELLED,
            "reason": "Body withdrew",
        }

    def test_needs_a_reason(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="reason"):
            audit_cancel(audit=audit, reason=" ", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT

    def test_refused_once_the_onsite_audit_is_done(self, onsite_done_with_minor, officer):
        audit, _finding = onsite_done_with_minor
        with pytest.raises(AuditError, match="cannot become"):
            audit_cancel(audit=audit, reason="Too late", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS

    def test_a_cancelled_audit_stays_cancelled(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        audit_cancel(audit=audit, reason="Replanned", actor=officer)
        with pytest.raises(AuditError):
            audit_cancel(audit=audit, reason="Again", actor=officer)
        with pytest.raises(AuditError):
            audit_close(audit=audit, actor=officer)


class TestClose:
    def test_surveillance_without_nonconformity_closes(self, cycle, officer, auditor):
        audit, _ = _surveillance_onsite_done(cycle, officer, auditor)
        assert audit.status == AuditStatus.STAGE2_DONE
        audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED
        assert _last_move(audit).data == {"from": AuditStatus.STAGE2_DONE, "to": "closed"}

    def test_surveillance_closes_once_corrections_are_verified(self, cycle, officer, auditor):
        audit, finding = _surveillance_onsite_done(cycle, officer, auditor, minor=True)
        assert audit.status == AuditStatus.CORRECTIONS
        with pytest.raises(AuditError, match="cannot become"):
            audit_close(audit=audit, actor=officer)
        finding_submit_correction(
            finding=finding, correction="Done", root_cause="x", action_plan="y", actor=officer
        )
        finding_verify(finding=finding, accepted=True, comment="", actor=auditor)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS_VERIFIED
        audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED

    def test_an_initial_audit_needs_its_decision(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        audit_schedule_stage1(
            audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 1), actor=officer
        )
        audit_complete_stage1(audit=audit, outcome="", actor=auditor)
        audit_schedule_stage2(
            audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
        )
        audit = audit_complete_stage2(audit=audit, outcome="", actor=auditor)
        with pytest.raises(AuditError, match="certification decision"):
            audit_close(audit=audit, actor=officer)
        decision_record(
            audit=audit,
            certificate_number="HDS-1",
            decided_on=date(2027, 3, 1),
            activities=[3, 4],
            actor=officer,
        )
        audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED

    def test_refused_before_the_onsite_audit(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        with pytest.raises(AuditError, match="cannot become"):
            audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT
