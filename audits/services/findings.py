"""Findings: raised by the auditor (or recorded by the officer for the certification body),
corrected by the host, verified by the auditor or the body. Each is an action of
audits/workflow.py taken through `perform`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from audits import deadlines, workflow
from audits.models import Audit, Finding, FindingKind, FindingStatus
from audits.selectors import evidence_versions_for_auditor
from audits.services import AuditError
from audits.services.workflow import Done, effect, perform, settle
from audits.workflow import Actor
from evidence.models import EvidenceVersion
from hdsready.models import Membership, User
from scopes.models import Requirement


def _own_evidence(audit: Audit, evidence: EvidenceVersion | None, role: Actor | None) -> None:
    """The evidence a finding or a correction cites: the organisation's, and for the invited
    auditor only what the audit shows them (an id guessed past the form is refused alike)."""
    if evidence is None:
        return
    if evidence.item.organisation_id != audit.cycle.organisation_id or (
        role == Actor.AUDITOR
        and not evidence_versions_for_auditor(audit=audit).filter(pk=evidence.pk).exists()
    ):
        raise AuditError(_("Unknown evidence."))


@effect(workflow.FINDING_RAISE)
def _raise(
    *,
    audit: Audit,
    actor: User,
    now: datetime,
    kind: str,
    requirement: Requirement,
    description: str,
    evidence: EvidenceVersion | None,
    role: Actor | None = None,
    **_ctx: Any,
) -> Done:
    if kind not in FindingKind.values:
        raise AuditError(_("Unknown kind of finding."))
    if not description.strip():
        raise AuditError(_("Describe the finding."))
    _own_evidence(audit, evidence, role)
    stage = workflow.STAGE_OF_STATE[audit.status]
    finding = Finding.objects.create(
        audit=audit,
        stage=stage,
        kind=kind,
        requirement=requirement,
        evidence=evidence,
        description=description.strip(),
        raised_by=actor,
        raised_at=now,
        status=FindingStatus.OPEN if kind != FindingKind.OBSERVATION else FindingStatus.NOTED,
    )
    # A non-conformity raised after the on-site audit counts in the same correction window.
    settle(audit, now=now)
    return Done(
        finding,
        target=finding,
        data={"kind": kind, "requirement": requirement.ref_id, "stage": stage},
        detail=lambda: f"{finding.get_kind_display()}, {requirement.ref_id}",
    )


def finding_raise(
    *,
    audit: Audit,
    kind: str,
    requirement: Requirement,
    description: str,
    actor: User,
    evidence: EvidenceVersion | None = None,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Finding:
    """A major or minor non-conformity, or an observation, against one requirement, from the
    documentary audit up to the decision."""
    return perform(
        workflow.FINDING_RAISE,
        audit=audit,
        actor=actor,
        role=role,
        now=now,
        kind=kind,
        requirement=requirement,
        description=description,
        evidence=evidence,
    )


def _plan_due_error(finding: Finding, due_on: date | None) -> None:
    if due_on is not None and due_on < deadlines.paris_date(now=finding.raised_at):
        raise AuditError(_("The action plan cannot be due before the finding was raised."))


@effect(workflow.CORRECTION_SUBMIT)
def _submit(
    *,
    audit: Audit,
    finding: Finding,
    now: datetime,
    correction: str,
    root_cause: str,
    action_plan: str,
    owner: User | None,
    evidence: EvidenceVersion | None,
    action_plan_due_on: date | None = None,
    role: Actor | None = None,
    **_ctx: Any,
) -> Done:
    if not (correction.strip() and root_cause.strip() and action_plan.strip()):
        raise AuditError(_("Give the correction, the root cause and the corrective action plan."))
    organisation = audit.cycle.organisation
    if (
        owner is not None
        and not Membership.objects.filter(organisation=organisation, user=owner).exists()
    ):
        raise AuditError(_("The owner must be a member of the organisation."))
    _own_evidence(audit, evidence, role)
    _plan_due_error(finding, action_plan_due_on)
    finding.correction = correction.strip()
    finding.root_cause = root_cause.strip()
    finding.action_plan = action_plan.strip()
    finding.action_plan_due_on = action_plan_due_on
    finding.owner, finding.correction_evidence = owner, evidence
    finding.submitted_at = now
    finding.first_submitted_at = finding.first_submitted_at or now
    finding.status = FindingStatus.CORRECTION_SUBMITTED
    finding.save()
    return Done(
        finding,
        data={
            "evidence": evidence.pk if evidence else None,
            "due_on": action_plan_due_on.isoformat() if action_plan_due_on else None,
        },
    )


def finding_submit_correction(
    *,
    finding: Finding,
    correction: str,
    root_cause: str,
    action_plan: str,
    actor: User,
    owner: User | None = None,
    evidence: EvidenceVersion | None = None,
    action_plan_due_on: date | None = None,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Finding:
    """The host answers a non-conformity: correction, root cause, corrective action plan and
    the day the plan is due by (a plan running past the decision is checked at the next
    audit: ISO/IEC 17021-1, the actions taken on the previous audit's findings)."""
    return perform(
        workflow.CORRECTION_SUBMIT,
        audit=finding.audit,
        finding=finding,
        actor=actor,
        role=role,
        now=now,
        correction=correction,
        root_cause=root_cause,
        action_plan=action_plan,
        owner=owner,
        evidence=evidence,
        action_plan_due_on=action_plan_due_on,
    )


@effect(workflow.OBSERVATION_PLAN)
def _plan_observation(
    *,
    finding: Finding,
    action_plan: str,
    action_plan_due_on: date,
    **_ctx: Any,
) -> Done:
    if not action_plan.strip():
        raise AuditError(_("Give the action plan."))
    _plan_due_error(finding, action_plan_due_on)
    finding.action_plan = action_plan.strip()
    finding.action_plan_due_on = action_plan_due_on
    finding.save(update_fields=["action_plan", "action_plan_due_on"])
    return Done(finding, data={"due_on": action_plan_due_on.isoformat()})


def finding_plan_actions(
    *,
    finding: Finding,
    action_plan: str,
    action_plan_due_on: date,
    actor: User,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Finding:
    """The host plans actions on an observation (an opportunity for improvement), with the day
    they are due by; the observation's status does not change. A plan due after the audit's
    decision is checked at the next audit."""
    return perform(
        workflow.OBSERVATION_PLAN,
        audit=finding.audit,
        finding=finding,
        actor=actor,
        role=role,
        now=now,
        action_plan=action_plan,
        action_plan_due_on=action_plan_due_on,
    )


def _verification_said(finding: Finding, *, accepted: bool, comment: str) -> str:
    reference = finding.requirement.ref_id
    if accepted:
        return _("%(requirement)s, correction accepted") % {"requirement": reference}
    return _("%(requirement)s, correction sent back: %(comment)s") % {
        "requirement": reference,
        "comment": comment.strip(),
    }


@effect(workflow.CORRECTION_VERIFY)
def _verify(
    *,
    audit: Audit,
    finding: Finding,
    actor: User,
    now: datetime,
    accepted: bool,
    comment: str,
    letter: EvidenceVersion | None,
    role: Actor | None = None,
    **_ctx: Any,
) -> Done:
    if not accepted and not comment.strip():
        raise AuditError(_("Say why the correction is not accepted."))
    _own_evidence(audit, letter, role)
    finding.verification_comment = comment.strip()
    finding.verification_letter = letter
    if accepted:
        finding.verified_by, finding.verified_at = actor, now
        finding.status = FindingStatus.VERIFIED
    else:
        finding.status = FindingStatus.OPEN
    finding.save()
    settle(audit, now=now)
    return Done(
        finding,
        data={"accepted": accepted, "letter": letter.pk if letter else None},
        detail=lambda: _verification_said(finding, accepted=accepted, comment=comment),
    )


def finding_verify(
    *,
    finding: Finding,
    accepted: bool,
    comment: str,
    actor: User,
    letter: EvidenceVersion | None = None,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Finding:
    """The auditor (or the officer, recording the certification body's letter) accepts the
    correction or sends it back with a comment. When the last non-conformity is verified, the
    audit's corrections are verified."""
    return perform(
        workflow.CORRECTION_VERIFY,
        audit=finding.audit,
        finding=finding,
        actor=actor,
        role=role,
        now=now,
        accepted=accepted,
        comment=comment,
        letter=letter,
    )
