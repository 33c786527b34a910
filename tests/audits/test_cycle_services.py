"""The certification cycle's services: the workflow's rules as the services apply them,
findings, the correction window, the decision and what it plans. (Every state x action x role is
generated in test_workflow.py; here, one test per rule of the procedure.)"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audits.deadlines import PARIS
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    DecisionOutcome,
    Finding,
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
    audit_correct_stage2_end,
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
from audits.workflow import Actor
from evidence.services import evidence_version_add
from hdsready.models import Notification, TrailEvent
from scopes.models import ActivityMode, Certificate, Requirement
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.evidence.helpers import PDF, hashed_upload, make_item

MANAGED = {"managed": "HDS-2027-042"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.usefixtures("clock_after_the_2027_decisions"),
]


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
    # The window is recorded even without a non-conformity: one raised later falls in it.
    assert audit.stage2_ended_on == date(2027, 1, 6)
    assert audit.correction_deadline == date(2027, 4, 6)


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
        certificate_numbers=MANAGED,
        decided_on=date(2027, 3, 15),
        activities=[3, 4, 5, 6],
        actor=officer,
    )
    assert decision.outcome == DecisionOutcome.GRANTED
    assert decision.certificate_number == "HDS-2027-042"
    assert decision.expires_on == date(2030, 3, 14)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DECIDED
    planned = Audit.objects.filter(cycle=audit.cycle).exclude(pk=audit.pk).order_by("due_on")
    assert [(a.kind, a.due_on) for a in planned] == [
        (AuditKind.SURVEILLANCE, date(2028, 3, 15)),
        (AuditKind.SURVEILLANCE, date(2029, 3, 15)),
        (AuditKind.RENEWAL, date(2029, 12, 14)),  # 3 months before the expiry
    ]
    own = Certificate.objects.get(subcontractor=None, kind="hds")
    assert (own.number, own.activities, own.expires_on) == (
        "HDS-2027-042",
        [3, 4, 5, 6],
        date(2030, 3, 14),
    )
    assert list(decision.certificates.all()) == [own]
    kinds = list(TrailEvent.objects.values_list("kind", flat=True))
    assert {
        "finding.raised",
        "finding.correction_submitted",
        "finding.correction_verified",
        "audit.decided",
        "certificate.created",
    } <= set(kinds)
    assert "audit.status_changed" not in kinds
    assert "finding.status_changed" not in kinds
    verified = TrailEvent.objects.get(kind="finding.correction_verified")
    assert verified.data == {
        "action": "correction-verify",
        "from": AuditStatus.CORRECTIONS,
        "to": AuditStatus.CORRECTIONS_VERIFIED,
        "accepted": True,
        "letter": None,
    }
    assert verified.object_id == str(finding.pk)
    decided = TrailEvent.objects.get(kind="audit.decided")
    assert decided.data["action"] == "decision-record"
    assert (decided.data["from"], decided.data["to"]) == ("corrections_verified", "decided")
    assert decided.data["outcome"] == "granted"


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
    with pytest.raises(AuditError, match="not possible now"):
        decision_record(
            audit=audit,
            certificate_numbers={"managed": "N"},
            decided_on=date(2027, 3, 1),
            activities=[3, 4, 5, 6],
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
        event = TrailEvent.objects.filter(kind="audit.corrections_lapsed").latest("seq")
        assert event.data == {
            "action": "corrections-lapse",
            "as": "system",
            "from": AuditStatus.CORRECTIONS,
            "to": AuditStatus.ONSITE_REDO,
            "correction_deadline": "2027-04-30",
        }
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
        assert TrailEvent.objects.filter(kind="audit.corrections_lapsed").count() == 1

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
        assert audit.stage2_ended_on is None

    def test_a_correction_submitted_in_time_awaits_verification(
        self, onsite_done_with_minor, officer, auditor, contributor
    ):
        """Past the deadline the on-site audit is redone only "sans action de l'hébergeur": a
        correction submitted in time but not verified yet waits for the body's verification."""
        audit, finding = onsite_done_with_minor
        finding = finding_submit_correction(
            finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
        )
        assert finding.first_submitted_at is not None
        assert audits_lapse_sweep(now=datetime(2027, 5, 2, tzinfo=UTC)) == [audit.pk]
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.AWAITING_VERIFICATION
        event = TrailEvent.objects.get(kind="audit.corrections_lapsed")
        assert event.data["to"] == AuditStatus.AWAITING_VERIFICATION
        told = Notification.objects.get(user=officer)
        assert "vérifier" in told.text or "verif" in told.text
        # The body still verifies it past the deadline; a correction sent back is answered again.
        later = datetime(2027, 5, 10, tzinfo=UTC)
        finding = finding_verify(
            finding=finding, accepted=False, comment="Incomplete", actor=auditor, now=later
        )
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.AWAITING_VERIFICATION
        finding = finding_submit_correction(
            finding=finding,
            correction="x2",
            root_cause="y",
            action_plan="z",
            actor=contributor,
            now=later,
        )
        finding_verify(finding=finding, accepted=True, comment="", actor=auditor, now=later)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS_VERIFIED

    def test_a_first_correction_after_the_deadline_is_too_late(
        self, onsite_done_with_minor, contributor
    ):
        audit, finding = onsite_done_with_minor  # deadline 30 April 2027
        finding_submit_correction(
            finding=finding,
            correction="x",
            root_cause="y",
            action_plan="z",
            actor=contributor,
            now=datetime(2027, 5, 1, 8, 0, tzinfo=UTC),  # before the sweep ran
        )
        assert audits_lapse_sweep(now=datetime(2027, 5, 2, tzinfo=UTC)) == [audit.pk]
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.ONSITE_REDO

    def test_a_nonconformity_raised_after_the_deadline_does_not_redo_the_onsite_audit(
        self, onsite_done_with_minor, contributor, auditor
    ):
        audit, finding = onsite_done_with_minor
        finding_submit_correction(
            finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
        )
        audits_lapse_sweep(now=datetime(2027, 5, 2, tzinfo=UTC))
        late = finding_raise(
            audit=Audit.objects.get(pk=audit.pk),
            kind=FindingKind.MAJOR,
            requirement=requirement("EXI 02"),
            description="Found while verifying",
            actor=auditor,
            now=datetime(2027, 5, 3, tzinfo=UTC),
        )
        assert late.status == FindingStatus.OPEN
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.AWAITING_VERIFICATION
        assert audits_lapse_sweep(now=datetime(2027, 6, 1, tzinfo=UTC)) == []


class TestTransitions:
    def test_steps_cannot_be_skipped(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="not possible now"):
            audit_complete_stage1(audit=audit, outcome="", actor=auditor)
        with pytest.raises(AuditError, match="surveillance"):
            audit_schedule_stage2(
                audit=audit, start=date(2027, 1, 1), end=date(2027, 1, 2), sites="", actor=officer
            )
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT
        assert (
            not TrailEvent.objects.filter(object_type="audits.audit", object_id=str(audit.pk))
            .exclude(kind="audit.planned")
            .exists()
        )

    def test_each_action_writes_one_event_named_by_it(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        audit_schedule_stage1(
            audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 2), actor=officer
        )
        audit_submit_stage1_documents(audit=audit, actor=officer)
        audit_complete_stage1(audit=audit, outcome="ok", actor=auditor)
        audit_schedule_stage2(
            audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
        )
        audit_complete_stage2(audit=audit, outcome="", actor=auditor)
        events = TrailEvent.objects.filter(
            object_type="audits.audit", object_id=str(audit.pk)
        ).order_by("seq")
        assert [(e.kind, e.data.get("from"), e.data.get("to")) for e in events] == [
            ("audit.planned", None, None),
            ("audit.stage1_scheduled", "draft", "stage1_planned"),
            ("audit.stage1_submitted", None, None),  # the state does not change
            ("audit.stage1_completed", "stage1_planned", "stage1_done"),
            ("audit.stage2_scheduled", "stage1_done", "stage2_planned"),
            ("audit.stage2_completed", "stage2_planned", "stage2_done"),
        ]
        assert events[1].data == {
            "action": "stage1-schedule",
            "from": "draft",
            "to": "stage1_planned",
            "start": "2026-12-01",
            "end": "2026-12-02",
        }

    def test_the_role_given_is_recorded_and_checked(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="may not"):
            audit_schedule_stage1(
                audit=audit,
                start=date(2026, 12, 1),
                end=date(2026, 12, 2),
                actor=auditor,
                role=Actor.AUDITOR,
            )
        audit_schedule_stage1(
            audit=audit,
            start=date(2026, 12, 1),
            end=date(2026, 12, 2),
            actor=officer,
            role=Actor.OFFICER,
        )
        event = TrailEvent.objects.get(kind="audit.stage1_scheduled")
        assert event.data["as"] == "officer"

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

    def test_findings_from_stage1_up_to_the_decision(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="not possible now"):
            finding_raise(
                audit=audit,
                kind=FindingKind.MAJOR,
                requirement=requirement("EXI 02"),
                description="x",
                actor=auditor,
            )
        audit_schedule_stage1(
            audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 2), actor=officer
        )
        documentary = finding_raise(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 02"),
            description="Policy not dated",
            actor=auditor,
        )
        assert (documentary.stage, documentary.status) == ("1", FindingStatus.NOTED)
        audit_complete_stage1(audit=audit, outcome="", actor=auditor)
        audit_schedule_stage2(
            audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
        )
        audit = audit_complete_stage2(audit=audit, outcome="", actor=auditor)
        decision_record(
            audit=audit,
            certificate_numbers=MANAGED,
            decided_on=date(2027, 3, 1),
            activities=[3, 4, 5, 6],
            actor=officer,
        )
        with pytest.raises(AuditError, match="not possible now"):
            finding_raise(
                audit=Audit.objects.get(pk=audit.pk),
                kind=FindingKind.MINOR,
                requirement=requirement("EXI 02"),
                description="Too late",
                actor=auditor,
            )

    @pytest.mark.parametrize("verified_first", [False, True])
    def test_a_nonconformity_after_the_onsite_audit_reopens_the_window(
        self, onsite_done_with_minor, contributor, auditor, verified_first
    ):
        """Raised in "on-site audit done" or "corrections verified", a non-conformity falls in
        the same correction window: the audit is back in corrections, the deadline unchanged."""
        audit, finding = onsite_done_with_minor
        if verified_first:
            finding_submit_correction(
                finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
            )
            finding_verify(finding=finding, accepted=True, comment="", actor=auditor)
            expected_from = AuditStatus.CORRECTIONS_VERIFIED
        else:
            Finding.objects.filter(pk=finding.pk).update(kind=FindingKind.OBSERVATION)
            Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.STAGE2_DONE)
            expected_from = AuditStatus.STAGE2_DONE
        audit = Audit.objects.get(pk=audit.pk)
        assert audit.status == expected_from
        late = finding_raise(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 02"),
            description="Seen in the report's annex",
            actor=auditor,
        )
        assert late.stage == "2"
        audit = Audit.objects.get(pk=audit.pk)
        assert audit.status == AuditStatus.CORRECTIONS
        assert audit.correction_deadline == date(2027, 4, 30)
        event = TrailEvent.objects.filter(kind="finding.raised").latest("seq")
        assert (event.data["from"], event.data["to"]) == (expected_from, "corrections")
        # An observation does not reopen anything.
        finding_submit_correction(
            finding=late, correction="x", root_cause="y", action_plan="z", actor=contributor
        )
        finding_verify(finding=late, accepted=True, comment="", actor=auditor)
        finding_raise(
            audit=Audit.objects.get(pk=audit.pk),
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 02"),
            description="Could be clearer",
            actor=auditor,
        )
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS_VERIFIED


class TestOnsiteEnd:
    def _planned(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        return audit_schedule_stage2(
            audit=audit, start=date(2027, 1, 29), end=date(2027, 1, 31), sites="", actor=officer
        )

    def test_defaults_to_the_planned_end(self, cycle, officer, auditor):
        audit = audit_complete_stage2(
            audit=self._planned(cycle, officer), outcome="", actor=auditor
        )
        assert audit.stage2_ended_on == date(2027, 1, 31)
        assert audit.correction_deadline == date(2027, 4, 30)

    def test_the_window_runs_from_the_actual_end(self, cycle, officer, auditor):
        audit = audit_complete_stage2(
            audit=self._planned(cycle, officer),
            outcome="",
            ended_on=date(2027, 2, 2),  # a day added on site
            actor=auditor,
        )
        assert audit.stage2_ended_on == date(2027, 2, 2)
        assert audit.correction_deadline == date(2027, 5, 2)
        event = TrailEvent.objects.get(kind="audit.stage2_completed")
        assert event.data["ended_on"] == "2027-02-02"
        assert event.data["correction_deadline"] == "2027-05-02"

    def test_cannot_end_before_it_starts(self, cycle, officer, auditor):
        audit = self._planned(cycle, officer)
        with pytest.raises(AuditError, match="before it starts"):
            audit_complete_stage2(audit=audit, outcome="", ended_on=date(2027, 1, 1), actor=auditor)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.STAGE2_PLANNED

    def test_correcting_the_end_moves_the_deadline(self, onsite_done_with_minor, officer):
        audit, _finding = onsite_done_with_minor
        with pytest.raises(AuditError, match="why"):
            audit_correct_stage2_end(
                audit=audit, ended_on=date(2027, 2, 1), reason=" ", actor=officer
            )
        audit = audit_correct_stage2_end(
            audit=audit, ended_on=date(2027, 2, 1), reason="Typing error", actor=officer
        )
        assert audit.stage2_ended_on == date(2027, 2, 1)
        assert audit.correction_deadline == date(2027, 5, 1)
        assert audit.status == AuditStatus.CORRECTIONS
        event = TrailEvent.objects.get(kind="audit.stage2_end_corrected")
        assert event.data == {
            "action": "stage2-end-correct",
            "previous": "2027-01-31",
            "ended_on": "2027-02-01",
            "correction_deadline": "2027-05-01",
            "reason": "Typing error",
        }

    def test_correcting_the_end_after_a_redo_reopens_the_window(
        self, onsite_done_with_minor, officer
    ):
        audit, _finding = onsite_done_with_minor
        audits_lapse_sweep(now=datetime(2027, 5, 2, tzinfo=UTC))
        audit = audit_correct_stage2_end(
            audit=Audit.objects.get(pk=audit.pk),
            ended_on=date(2027, 3, 1),
            reason="The report's date was the last day",
            actor=officer,
            now=datetime(2027, 5, 3, tzinfo=UTC),
        )
        assert audit.correction_deadline == date(2027, 6, 1)
        assert audit.status == AuditStatus.CORRECTIONS

    def test_only_after_the_onsite_audit(self, cycle, officer):
        audit = self._planned(cycle, officer)
        with pytest.raises(AuditError, match="not possible now"):
            audit_correct_stage2_end(
                audit=audit, ended_on=date(2027, 2, 1), reason="x", actor=officer
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
        TrailEvent.objects.filter(
            object_type="audits.audit", object_id=str(audit.pk), data__has_key="to"
        )
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
        assert event.kind == "audit.cancelled"
        assert event.actor == officer
        assert event.data == {
            "action": "cancel",
            "from": AuditStatus.STAGE1_PLANNED,
            "to": AuditStatus.CANCELLED,
            "reason": "Body withdrew",
        }

    def test_needs_a_reason(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        with pytest.raises(AuditError, match="reason"):
            audit_cancel(audit=audit, reason=" ", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT

    def test_possible_during_the_corrections(self, onsite_done_with_minor, officer):
        audit, _finding = onsite_done_with_minor
        audit_cancel(audit=audit, reason="The host withdraws", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CANCELLED

    def test_refused_once_decided(self, onsite_done_with_minor, officer, auditor, contributor):
        audit, finding = onsite_done_with_minor
        finding_submit_correction(
            finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
        )
        finding_verify(finding=finding, accepted=True, comment="", actor=auditor)
        decision_record(
            audit=audit,
            certificate_numbers=MANAGED,
            decided_on=date(2027, 3, 15),
            activities=[3, 4, 5, 6],
            actor=officer,
        )
        with pytest.raises(AuditError, match="not possible now"):
            audit_cancel(audit=audit, reason="Too late", actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DECIDED

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
        assert _last_move(audit).data == {
            "action": "close",
            "from": AuditStatus.STAGE2_DONE,
            "to": "closed",
        }

    def test_surveillance_closes_once_corrections_are_verified(self, cycle, officer, auditor):
        audit, finding = _surveillance_onsite_done(cycle, officer, auditor, minor=True)
        assert audit.status == AuditStatus.CORRECTIONS
        with pytest.raises(AuditError, match="not possible now"):
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
            certificate_numbers={"managed": "HDS-1"},
            decided_on=date(2027, 3, 1),
            activities=[3, 4],
            outcome=DecisionOutcome.REDUCED,
            actor=officer,
        )
        audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED

    def test_refused_before_the_onsite_audit(self, cycle, officer):
        audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        with pytest.raises(AuditError, match="not possible now"):
            audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DRAFT


def _decidable(cycle, officer, auditor):
    """An initial audit whose on-site audit found nothing: ready for the decision."""
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(
        audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 1), actor=officer
    )
    audit_complete_stage1(audit=audit, outcome="", actor=auditor)
    audit_schedule_stage2(
        audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
    )
    return audit_complete_stage2(audit=audit, outcome="", actor=auditor)


@pytest.fixture
def full_cycle(organisation, officer):
    """A cycle over the six activities: both certificate types."""
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in range(1, 7)},
        actor=officer,
    )
    return cycle_create(
        organisation=organisation,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=officer,
    )


class TestDecision:
    def test_one_certificate_per_type(self, full_cycle, officer, auditor):
        audit = _decidable(full_cycle, officer, auditor)
        decision = decision_record(
            audit=audit,
            certificate_numbers={"physical": " HDS-P-1 ", "managed": "HDS-M-1"},
            decided_on=date(2027, 3, 15),
            activities=[1, 2, 3, 4, 5, 6],
            actor=officer,
        )
        assert decision.certificate_number == "HDS-M-1 / HDS-P-1"
        certificates = {
            c.number: c.activities
            for c in Certificate.objects.filter(subcontractor=None, kind="hds")
        }
        assert certificates == {"HDS-P-1": [1, 2], "HDS-M-1": [3, 4, 5, 6]}
        assert decision.certificates.count() == 2

    def test_each_certificate_granted_needs_its_number(self, full_cycle, officer, auditor):
        audit = _decidable(full_cycle, officer, auditor)
        with pytest.raises(AuditError, match="number of each certificate"):
            decision_record(
                audit=audit,
                certificate_numbers={"managed": "HDS-M-1"},
                decided_on=date(2027, 3, 15),
                activities=[1, 2, 3, 4, 5, 6],
                actor=officer,
            )
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.STAGE2_DONE
        assert not Certificate.objects.exists()

    def test_reduced_needs_fewer_activities_only_those_granted(self, full_cycle, officer, auditor):
        audit = _decidable(full_cycle, officer, auditor)
        with pytest.raises(AuditError, match="not covered"):
            decision_record(
                audit=audit,
                certificate_numbers={"managed": "HDS-M-1"},
                decided_on=date(2027, 3, 15),
                activities=[3, 4, 5, 6],
                actor=officer,
            )
        with pytest.raises(AuditError, match="granted"):
            decision_record(
                audit=audit,
                outcome=DecisionOutcome.REDUCED,
                certificate_numbers={"physical": "P", "managed": "M"},
                decided_on=date(2027, 3, 15),
                activities=[1, 2, 3, 4, 5, 6],
                actor=officer,
            )
        decision = decision_record(
            audit=audit,
            outcome=DecisionOutcome.REDUCED,
            certificate_numbers={"physical": "unused", "managed": "HDS-M-1"},
            decided_on=date(2027, 3, 15),
            activities=[3, 4, 5, 6],
            actor=officer,
        )
        assert decision.certificate_number == "HDS-M-1"
        assert decision.activities == [3, 4, 5, 6]
        assert list(Certificate.objects.values_list("number", flat=True)) == ["HDS-M-1"]
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.DECIDED

    def test_only_audited_activities(self, cycle, officer, auditor):
        audit = _decidable(cycle, officer, auditor)
        with pytest.raises(AuditError, match="only activities that were audited"):
            decision_record(
                audit=audit,
                outcome=DecisionOutcome.REDUCED,
                certificate_numbers={"physical": "P", "managed": "M"},
                decided_on=date(2027, 3, 15),
                activities=[1, 3],
                actor=officer,
            )
        with pytest.raises(AuditError, match="Tick the activities"):
            decision_record(
                audit=audit,
                certificate_numbers=MANAGED,
                decided_on=date(2027, 3, 15),
                actor=officer,
            )

    def test_refused_grants_nothing_and_plans_a_new_initial_audit(self, cycle, officer, auditor):
        audit = _decidable(cycle, officer, auditor)
        with pytest.raises(AuditError, match="A refusal covers no activity"):
            decision_record(
                audit=audit,
                outcome=DecisionOutcome.REFUSED,
                decided_on=date(2027, 3, 15),
                activities=[3, 4],
                actor=officer,
            )
        decision = decision_record(
            audit=audit,
            outcome=DecisionOutcome.REFUSED,
            decided_on=date(2027, 3, 15),
            actor=officer,
        )
        assert decision.is_refusal
        assert (decision.certificate_number, decision.activities, decision.expires_on) == (
            "",
            [],
            None,
        )
        assert not Certificate.objects.exists()
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.REFUSED
        planned = Audit.objects.filter(cycle=cycle).exclude(pk=audit.pk)
        assert [(a.kind, a.status, a.due_on) for a in planned] == [
            (AuditKind.INITIAL, AuditStatus.DRAFT, None)
        ]
        event = TrailEvent.objects.get(kind="audit.decided")
        assert (event.data["to"], event.data["outcome"]) == ("refused", "refused")
        # A refused audit is closed, not cancelled.
        with pytest.raises(AuditError, match="not possible now"):
            audit_cancel(audit=audit, reason="x", actor=officer)
        audit_close(audit=audit, actor=officer)
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED

    def test_a_decision_is_not_dated_in_the_future_nor_before_the_onsite_audit(
        self, cycle, officer, auditor
    ):
        audit = _decidable(cycle, officer, auditor)
        for day, message in (
            (date(2027, 4, 21), "cannot be in the future"),
            (date(2027, 1, 5), "comes after the on-site audit"),
        ):
            with pytest.raises(AuditError, match=message):
                decision_record(
                    audit=audit,
                    decided_on=day,
                    activities=cycle.activities,
                    certificate_numbers=MANAGED,
                    actor=officer,
                )
        assert Audit.objects.get(pk=audit.pk).status != AuditStatus.DECIDED

    def test_a_certificate_ends_after_the_decision(self, cycle, officer, auditor):
        audit = _decidable(cycle, officer, auditor)
        with pytest.raises(AuditError, match="must expire after the decision date"):
            decision_record(
                audit=audit,
                certificate_numbers=MANAGED,
                decided_on=date(2027, 3, 15),
                expires_on=date(2027, 3, 15),
                activities=[3, 4, 5, 6],
                actor=officer,
            )
        decision = decision_record(
            audit=audit,
            certificate_numbers=MANAGED,
            decided_on=date(2027, 3, 15),
            expires_on=date(2029, 12, 31),  # as the letter prints it
            activities=[3, 4, 5, 6],
            actor=officer,
        )
        assert decision.expires_on == date(2029, 12, 31)

    def test_the_bodys_letter_is_the_organisations_evidence(
        self, cycle, officer, auditor, contributor, outsider
    ):
        audit = _decidable(cycle, officer, auditor)
        foreign = make_item(outsider.memberships.get().organisation, outsider, title="Theirs")
        foreign_letter = evidence_version_add(
            item=foreign, upload=hashed_upload(PDF), actor=outsider
        )
        with pytest.raises(AuditError, match="Unknown evidence"):
            decision_record(
                audit=audit,
                certificate_numbers=MANAGED,
                decided_on=date(2027, 3, 15),
                activities=[3, 4, 5, 6],
                letter=foreign_letter,
                actor=officer,
            )
        item = make_item(cycle.organisation, contributor, title="Decision letter")
        letter = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
        decision = decision_record(
            audit=audit,
            certificate_numbers=MANAGED,
            decided_on=date(2027, 3, 15),
            activities=[3, 4, 5, 6],
            letter=letter,
            actor=officer,
        )
        assert decision.letter == letter

    def test_a_surveillance_audit_has_no_decision(self, cycle, officer, auditor):
        audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        audit_schedule_stage2(
            audit=audit, start=date(2027, 1, 5), end=date(2027, 1, 6), sites="", actor=officer
        )
        audit = audit_complete_stage2(audit=audit, outcome="", actor=auditor)
        with pytest.raises(AuditError, match="not part of"):
            decision_record(
                audit=audit,
                certificate_numbers=MANAGED,
                decided_on=date(2027, 3, 15),
                activities=[3, 4, 5, 6],
                actor=officer,
            )
