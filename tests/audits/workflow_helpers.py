"""Audits brought to every state of the workflow through the services, and valid input for every
action's form: what the generated workflow tests (test_workflow.py) are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from audits import deadlines, workflow
from audits.models import Audit, AuditKind, AuditStatus, Finding, FindingKind, FindingStatus
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import (
    audit_cancel,
    audit_close,
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audits_lapse_sweep,
    cycle_create,
    decision_record,
)
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from hdsready.models import Organisation, User
from scopes.models import Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item

S = AuditStatus


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


@dataclass
class Cast:
    organisation: Organisation
    officer: User
    contributor: User
    auditor: User
    version: EvidenceVersion  # linked to EXI 05


def evidence_for(organisation: Organisation, actor: User) -> EvidenceVersion:
    item = make_item(organisation, actor, title="Risk assessment")
    item.requirements.set([requirement("EXI 05")])
    return evidence_version_add(item=item, upload=hashed_upload(PDF), actor=actor)


def invite(audit: Audit, officer: User, auditor: User) -> None:
    now = timezone.now()
    access, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=2),
        actor=officer,
    )
    auditor_accept_existing_user(access=access, user=auditor)


def _nc(audit: Audit, cast: Cast, *, now: datetime | None = None, ref: str = "EXI 10") -> Finding:
    return finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement(ref),
        description="Awareness sessions not recorded",
        actor=cast.auditor,
        now=now,
    )


def _submit(finding: Finding, cast: Cast, *, now: datetime | None = None) -> Finding:
    return finding_submit_correction(
        finding=finding,
        correction="Sessions recorded",
        root_cause="No register",
        action_plan="Monthly check",
        actor=cast.contributor,
        now=now,
    )


def audit_in(state: str, cast: Cast, *, kind: str = AuditKind.INITIAL) -> Audit:
    """An audit of `kind` brought to `state` through the services, as a user would. Audits in
    the correction phase hold an open non-conformity and one whose correction awaits
    verification, so every finding action has something to act on."""
    today = timezone.localdate()
    cycle = cycle_create(
        organisation=cast.organisation,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=cast.officer,
    )
    audit = audit_plan(cycle=cycle, kind=kind, actor=cast.officer)
    invite(audit, cast.officer, cast.auditor)
    if state == S.DRAFT:
        return audit
    if state == S.CANCELLED:
        return audit_cancel(audit=audit, reason="Body withdrew", actor=cast.officer)
    lapsed = state in (S.ONSITE_REDO, S.AWAITING_VERIFICATION)
    # Past the window for the lapsed states, within it otherwise.
    onsite_end = today - timedelta(days=130 if lapsed else 10)
    stage1_end = onsite_end - timedelta(days=30)
    audit_schedule_stage1(
        audit=audit, start=stage1_end - timedelta(days=1), end=stage1_end, actor=cast.officer
    )
    if state == S.STAGE1_PLANNED:
        return Audit.objects.get(pk=audit.pk)
    audit_complete_stage1(audit=audit, outcome="Complete", actor=cast.auditor)
    if state == S.STAGE1_DONE:
        return Audit.objects.get(pk=audit.pk)
    audit_schedule_stage2(
        audit=audit,
        start=onsite_end - timedelta(days=2),
        end=onsite_end,
        sites="Paris",
        actor=cast.officer,
    )
    if state == S.STAGE2_PLANNED:
        return Audit.objects.get(pk=audit.pk)
    with_nc = state in (S.CORRECTIONS, S.AWAITING_VERIFICATION, S.CORRECTIONS_VERIFIED)
    during = deadlines.end_of_day(day=onsite_end) - timedelta(hours=12)
    if with_nc or state == S.ONSITE_REDO:
        first = _nc(audit, cast, now=during)
        second = _nc(audit, cast, now=during, ref="EXI 16")
    audit = audit_complete_stage2(audit=audit, outcome="Done", actor=cast.auditor, now=during)
    if state in (S.STAGE2_DONE, S.DECIDED, S.REFUSED, S.CLOSED):
        if state == S.STAGE2_DONE:
            return audit
        outcome = "refused" if state == S.REFUSED else "granted"
        decision_record(
            audit=audit,
            outcome=outcome,
            decided_on=today,
            activities=cycle.activities if outcome == "granted" else [],
            certificate_numbers={"managed": "HDS-1"},
            actor=cast.officer,
        )
        if state == S.CLOSED:
            audit_close(audit=audit, actor=cast.officer)
        return Audit.objects.get(pk=audit.pk)
    if state == S.ONSITE_REDO:
        _submit(second, cast, now=during)
        audits_lapse_sweep(now=timezone.now())
        return Audit.objects.get(pk=audit.pk)
    _submit(first, cast, now=during)
    if state == S.CORRECTIONS_VERIFIED:
        finding_verify(finding=first, accepted=True, comment="", actor=cast.auditor, now=during)
        _submit(second, cast, now=during)
        finding_verify(finding=second, accepted=True, comment="", actor=cast.auditor, now=during)
        return Audit.objects.get(pk=audit.pk)
    if state == S.AWAITING_VERIFICATION:
        # Both acted on in time; one sent back since, open again.
        _submit(second, cast, now=during)
        finding_verify(finding=second, accepted=False, comment="Not enough", actor=cast.auditor)
        audits_lapse_sweep(now=timezone.now())
    audit = Audit.objects.get(pk=audit.pk)
    assert audit.status == state, (audit.status, state)
    return audit


def target_finding(audit: Audit, action: workflow.Action) -> Finding | None:
    """The finding an action on findings acts on: one in a status it accepts, if any."""
    findings = list(Finding.objects.filter(audit=audit).order_by("pk"))
    if not findings:
        return None
    return next((f for f in findings if f.status in action.finding_statuses), findings[0])


def valid_input(action: workflow.Action, audit: Audit, cast: Cast) -> dict[str, object]:
    """Input that the action's form accepts and its service carries out in the state where the
    action is allowed (without prefix)."""
    today = timezone.localdate()
    after_stage1 = (audit.stage1_end or today) + timedelta(days=1)
    nc_types = {"managed": "HDS-2027-1"}
    match action.name:
        case "stage1-schedule":
            return {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
        case "stage2-schedule":
            return {
                "start": after_stage1.isoformat(),
                "end": (after_stage1 + timedelta(days=1)).isoformat(),
                "sites": "Paris",
            }
        case "stage1-complete":
            return {"outcome": "Complete"}
        case "stage2-complete":
            end = audit.stage2_end or today
            return {"ended_on": end.isoformat(), "outcome": "Done"}
        case "stage2-end-correct":
            ended: date = audit.stage2_ended_on or today
            return {"ended_on": ended.isoformat(), "reason": "Last day was a half-day"}
        case "finding-raise":
            return {
                "kind": FindingKind.OBSERVATION,
                "requirement": requirement("EXI 08").pk,
                "description": "SoA not dated",
            }
        case "correction-submit":
            return {"correction": "Done", "root_cause": "Forgot", "action_plan": "Checklist"}
        case "observation-plan":
            due = today + timedelta(days=180)
            return {"action_plan": "Induction module", "action_plan_due_on": due.isoformat()}
        case "correction-verify":
            return {"accepted": "yes", "comment": "Seen"}
        case "evidence-review":
            return {
                "requirement": requirement("EXI 05").pk,
                "version": cast.version.pk,
                "decision": "accepted",
            }
        case "decision-record":
            return {
                "outcome": "granted",
                "decided_on": today.isoformat(),
                "activities": list(audit.cycle.activities),
                "number_managed": nc_types["managed"],
            }
        case "cancel":
            return {"reason": "Body withdrew"}
        case "close" | "stage1-submit":
            return {}
    raise AssertionError(f"no valid input for {action.name}")


def prefixed(data: dict[str, object], prefix: str) -> dict[str, object]:
    return {f"{prefix}-{name}": value for name, value in data.items()}


def finding_still_pending(finding: Finding) -> bool:
    return finding.status in (FindingStatus.OPEN, FindingStatus.CORRECTION_SUBMITTED)
