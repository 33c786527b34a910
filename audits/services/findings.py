"""Findings: raised by the auditor, corrected by the host, verified by the auditor."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    FINDING_TRANSITIONS,
    Audit,
    AuditStatus,
    Finding,
    FindingKind,
    FindingStatus,
    Stage,
)
from audits.services import AuditError
from audits.services.cycle import audit_corrections_check
from evidence.models import EvidenceVersion
from hdsready.models import Membership, User
from hdsready.trail import trail_record
from scopes.models import Requirement

# Findings are raised while the audit is under way or right at the end of a stage.
RAISING_STATES: dict[str, str] = {
    AuditStatus.STAGE1_PLANNED: Stage.DOCUMENTARY,
    AuditStatus.STAGE1_DONE: Stage.DOCUMENTARY,
    AuditStatus.STAGE2_PLANNED: Stage.ONSITE,
    AuditStatus.STAGE2_DONE: Stage.ONSITE,
}


def _move(finding: Finding, status: str, *, actor: User, data: dict[str, object]) -> Finding:
    if status not in FINDING_TRANSITIONS[finding.status]:
        raise AuditError(_("This finding cannot change that way now."))
    previous = finding.status
    finding.status = status
    finding.save()
    trail_record(
        kind="finding.status_changed",
        actor=actor,
        organisation=finding.audit.cycle.organisation,
        target=finding,
        data={"from": previous, "to": status, **data},
    )
    return finding


def finding_raise(
    *,
    audit: Audit,
    kind: str,
    requirement: Requirement,
    description: str,
    actor: User,
    evidence: EvidenceVersion | None = None,
) -> Finding:
    """A major or minor non-conformity, or an observation, against one requirement."""
    if kind not in FindingKind.values:
        raise AuditError(_("Unknown kind of finding."))
    if not description.strip():
        raise AuditError(_("Describe the finding."))
    with transaction.atomic():
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("cycle__organisation")
            .get(pk=audit.pk)
        )
        stage = RAISING_STATES.get(audit.status)
        if stage is None:
            raise AuditError(_("Findings are raised during the audit."))
        organisation = audit.cycle.organisation
        if evidence is not None and evidence.item.organisation_id != organisation.pk:
            raise AuditError(_("Unknown evidence."))
        finding = Finding.objects.create(
            audit=audit,
            stage=stage,
            kind=kind,
            requirement=requirement,
            evidence=evidence,
            description=description.strip(),
            raised_by=actor,
            status=FindingStatus.OPEN if kind != FindingKind.OBSERVATION else FindingStatus.NOTED,
        )
        trail_record(
            kind="finding.raised",
            actor=actor,
            organisation=organisation,
            target=finding,
            data={"kind": kind, "requirement": requirement.ref_id, "stage": stage},
        )
        return finding


def finding_submit_correction(
    *,
    finding: Finding,
    correction: str,
    root_cause: str,
    action_plan: str,
    actor: User,
    owner: User | None = None,
    evidence: EvidenceVersion | None = None,
) -> Finding:
    """The host answers a non-conformity: correction, root cause, corrective action plan."""
    if not (correction.strip() and root_cause.strip() and action_plan.strip()):
        raise AuditError(_("Give the correction, the root cause and the corrective action plan."))
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("audit__cycle__organisation")
            .get(pk=finding.pk)
        )
        organisation = finding.audit.cycle.organisation
        if finding.audit.status != AuditStatus.CORRECTIONS:
            raise AuditError(_("Corrections are submitted during the correction window."))
        if (
            owner is not None
            and not Membership.objects.filter(organisation=organisation, user=owner).exists()
        ):
            raise AuditError(_("The owner must be a member of the organisation."))
        if evidence is not None and evidence.item.organisation_id != organisation.pk:
            raise AuditError(_("Unknown evidence."))
        finding.correction, finding.root_cause, finding.action_plan = (
            correction.strip(),
            root_cause.strip(),
            action_plan.strip(),
        )
        finding.owner, finding.correction_evidence = owner, evidence
        finding.submitted_at = timezone.now()
        return _move(
            finding,
            FindingStatus.CORRECTION_SUBMITTED,
            actor=actor,
            data={"evidence": evidence.pk if evidence else None},
        )


def finding_verify(*, finding: Finding, accepted: bool, comment: str, actor: User) -> Finding:
    """The auditor accepts the correction, or sends it back with a comment. When the last
    non-conformity is verified, the audit's corrections are verified."""
    if not accepted and not comment.strip():
        raise AuditError(_("Say why the correction is not accepted."))
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("audit__cycle__organisation")
            .get(pk=finding.pk)
        )
        if finding.audit.status != AuditStatus.CORRECTIONS:
            raise AuditError(_("Corrections are verified during the correction window."))
        finding.verification_comment = comment.strip()
        if accepted:
            finding.verified_by, finding.verified_at = actor, timezone.now()
        finding = _move(
            finding,
            FindingStatus.VERIFIED if accepted else FindingStatus.OPEN,
            actor=actor,
            data={"accepted": accepted},
        )
        audit_corrections_check(audit=finding.audit, actor=actor)
        return finding
