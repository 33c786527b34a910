"""Cycles, audits and their stages, the decision and the audits it plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    Decision,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    Stage,
)
from audits.services import AuditError
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from hdsready.models import Organisation, User
from hdsready.services.notifications import notify, officers_of
from hdsready.trail import trail_record
from scopes.models import CertificateKind
from scopes.selectors import scope_of
from scopes.services.scope import CertificateData, certificate_save


def _move(
    audit: Audit, status: str, *, actor: User | None, data: dict[str, object] | None = None
) -> Audit:
    """Guard, apply and trail one transition on a locked audit row."""
    if not audit.can_move_to(status):
        raise AuditError(
            _("This audit is %(current)s: it cannot become %(wanted)s.")
            % {"current": audit.get_status_display(), "wanted": AuditStatus(status).label}
        )
    previous = audit.status
    audit.status = status
    audit.save()
    trail_record(
        kind="audit.status_changed",
        actor=actor,
        organisation=audit.cycle.organisation,
        target=audit,
        data={"from": previous, "to": status, **(data or {})},
    )
    return audit


def _locked(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle__organisation")
        .get(pk=audit.pk)
    )


def cycle_create(
    *, organisation: Organisation, certification_body: str, accreditation: str, actor: User
) -> Cycle:
    """Open a cycle with a certification body; its scope is the organisation's activities."""
    if not certification_body.strip() or not accreditation.strip():
        raise AuditError(_("Name the certification body and its accreditation number."))
    activities = sorted(row.activity for row in scope_of(organisation=organisation))
    if not activities:
        raise AuditError(_("Declare the activities in scope before opening a cycle."))
    with transaction.atomic():
        cycle = Cycle.objects.create(
            organisation=organisation,
            certification_body=certification_body.strip(),
            accreditation=accreditation.strip(),
            activities=activities,
        )
        trail_record(
            kind="cycle.created",
            actor=actor,
            organisation=organisation,
            target=cycle,
            data={"body": cycle.certification_body, "activities": activities},
        )
        return cycle


def audit_plan(*, cycle: Cycle, kind: str, actor: User | None, due_on: date | None = None) -> Audit:
    if kind not in AuditKind.values:
        raise AuditError(_("Unknown kind of audit."))
    with transaction.atomic():
        audit = Audit.objects.create(cycle=cycle, kind=kind, due_on=due_on)
        trail_record(
            kind="audit.planned",
            actor=actor,
            organisation=cycle.organisation,
            target=audit,
            data={"kind": kind, "due_on": due_on},
        )
        return audit


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise AuditError(_("An audit cannot end before it starts."))


def audit_schedule_stage1(*, audit: Audit, start: date, end: date, actor: User) -> Audit:
    _check_dates(start, end)
    with transaction.atomic():
        audit = _locked(audit)
        audit.stage1_start, audit.stage1_end = start, end
        return _move(
            audit, AuditStatus.STAGE1_PLANNED, actor=actor, data={"start": start, "end": end}
        )


def audit_submit_stage1_documents(*, audit: Audit, actor: User, now: datetime | None = None) -> int:
    """Freeze, for the documentary audit, the current version of every active evidence item
    linked to a requirement: later uploads do not change what stage 1 audits."""
    now = now or timezone.now()
    with transaction.atomic():
        audit = _locked(audit)
        if audit.status != AuditStatus.STAGE1_PLANNED:
            raise AuditError(_("Documents are submitted once the documentary audit is planned."))
        if audit.stage1_submitted_at is not None:
            raise AuditError(_("The documents of this audit were already submitted."))
        latest: dict[int, int] = {}  # item -> its current version
        for item_id, version_id in (
            EvidenceVersion.objects.filter(
                item__organisation=audit.cycle.organisation, item__status=EvidenceStatus.ACTIVE
            )
            .order_by("item_id", "number")
            .values_list("item_id", "pk")
        ):
            latest[item_id] = version_id
        links = EvidenceItem.requirements.through.objects.filter(evidenceitem_id__in=latest)
        pins = [
            PinnedVersion(
                audit=audit,
                stage=Stage.DOCUMENTARY,
                requirement_id=link.requirement_id,
                version_id=latest[link.evidenceitem_id],
                pinned_at=now,
            )
            for link in links
        ]
        PinnedVersion.objects.bulk_create(pins, ignore_conflicts=True)
        audit.stage1_submitted_at = now
        audit.save()
        trail_record(
            kind="audit.stage1_submitted",
            actor=actor,
            organisation=audit.cycle.organisation,
            target=audit,
            data={"versions": len(pins)},
        )
        return len(pins)


def audit_complete_stage1(*, audit: Audit, outcome: str, actor: User) -> Audit:
    with transaction.atomic():
        audit = _locked(audit)
        audit.stage1_outcome = outcome
        return _move(audit, AuditStatus.STAGE1_DONE, actor=actor)


def audit_schedule_stage2(
    *, audit: Audit, start: date, end: date, sites: str, actor: User
) -> Audit:
    """Plan the on-site audit: after stage 1, directly for a surveillance audit, or again
    when the correction window lapsed."""
    _check_dates(start, end)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.status == AuditStatus.DRAFT and audit.kind != AuditKind.SURVEILLANCE:
            raise AuditError(_("Only a surveillance audit may start with the on-site audit."))
        if audit.stage1_end and start < audit.stage1_end:
            raise AuditError(_("The on-site audit comes after the documentary audit."))
        audit.stage2_start, audit.stage2_end, audit.stage2_sites = start, end, sites
        audit.correction_deadline = None
        return _move(
            audit, AuditStatus.STAGE2_PLANNED, actor=actor, data={"start": start, "end": end}
        )


def _open_nonconformities(audit: Audit) -> int:
    return Finding.objects.filter(
        audit=audit,
        kind__in=(FindingKind.MAJOR, FindingKind.MINOR),
        status__in=(FindingStatus.OPEN, FindingStatus.CORRECTION_SUBMITTED),
    ).count()


def audit_complete_stage2(*, audit: Audit, outcome: str, actor: User) -> Audit:
    """End of the on-site audit. With non-conformities, the correction window opens: the
    host has until correction_deadline(end of stage 2) to correct and have it audited."""
    with transaction.atomic():
        audit = _locked(audit)
        onsite_end = audit.stage2_end
        if onsite_end is None:
            raise AuditError(_("Enter the dates of the on-site audit first."))
        audit.stage2_outcome = outcome
        audit = _move(audit, AuditStatus.STAGE2_DONE, actor=actor)
        if _open_nonconformities(audit):
            audit.correction_deadline = deadlines.correction_deadline(onsite_audit_end=onsite_end)
            audit = _move(
                audit,
                AuditStatus.CORRECTIONS,
                actor=actor,
                data={"correction_deadline": audit.correction_deadline},
            )
        return audit


def audit_corrections_check(*, audit: Audit, actor: User | None) -> Audit:
    """When every non-conformity is verified, the corrections are verified."""
    audit = _locked(audit)
    if audit.status == AuditStatus.CORRECTIONS and not _open_nonconformities(audit):
        audit = _move(audit, AuditStatus.CORRECTIONS_VERIFIED, actor=actor)
    return audit


def _lapse_text(*, audit: Audit, deadline: date) -> str:
    return _(
        "%(audit)s: the correction window ended on %(date)s with non-conformities not "
        "verified. The on-site audit must be done again."
    ) % {"audit": audit.get_kind_display(), "date": date_format(deadline, "DATE_FORMAT")}


def audits_lapse_sweep(*, now: datetime) -> list[int]:
    """Audits whose correction window ended with a non-conformity not verified move to "on-site
    audit to redo", and their officers are told. Idempotent: the conditional update moves each
    audit once."""
    today = deadlines.paris_date(now=now)
    moved = []
    candidates = Audit.objects.filter(
        status=AuditStatus.CORRECTIONS, correction_deadline__lt=today
    ).values_list("pk", "correction_deadline")
    for pk, deadline in candidates:
        if deadline is None or not deadlines.deadline_passed(deadline=deadline, now=now):
            continue
        with transaction.atomic():
            changed = Audit.objects.filter(pk=pk, status=AuditStatus.CORRECTIONS).update(
                status=AuditStatus.ONSITE_REDO
            )
            if not changed:
                continue  # another sweep got there first
            audit = Audit.objects.select_related("cycle__organisation").get(pk=pk)
            trail_record(
                kind="audit.status_changed",
                actor=None,
                organisation=audit.cycle.organisation,
                target=audit,
                data={
                    "from": AuditStatus.CORRECTIONS,
                    "to": AuditStatus.ONSITE_REDO,
                    "reason": "correction window lapsed",
                    "correction_deadline": deadline,
                },
            )
            notify(
                users=officers_of(audit.cycle.organisation),
                organisation=audit.cycle.organisation,
                message=partial(_lapse_text, audit=audit, deadline=deadline),
                link=reverse("audits:audit-detail", args=[audit.cycle.organisation.slug, pk]),
                now=now,
            )
            moved.append(pk)
    return moved


def decision_record(
    *,
    audit: Audit,
    certificate_number: str,
    decided_on: date,
    activities: Sequence[int],
    actor: User,
    expires_on: date | None = None,
) -> Decision:
    """Record the certification decision: the host's own HDS certificate (3 years unless the
    certificate prints another date), and the surveillance and renewal audits it plans."""
    if not certificate_number.strip():
        raise AuditError(_("Enter the certificate number."))
    expiry = expires_on or deadlines.certificate_expiry(decision_date=decided_on)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.kind == AuditKind.SURVEILLANCE:
            raise AuditError(_("A surveillance audit does not end with a certification decision."))
        if _open_nonconformities(audit):
            raise AuditError(_("Every non-conformity must be verified before the decision."))
        audit = _move(audit, AuditStatus.DECIDED, actor=actor)
        decision = Decision.objects.create(
            audit=audit,
            certificate_number=certificate_number.strip(),
            decided_on=decided_on,
            activities=sorted(set(activities)),
            expires_on=expiry,
            recorded_by=actor,
        )
        certificate_save(
            organisation=audit.cycle.organisation,
            subcontractor=None,
            data=CertificateData(
                kind=CertificateKind.HDS,
                number=decision.certificate_number,
                certification_body=audit.cycle.certification_body,
                accreditation=audit.cycle.accreditation,
                standard_version=audit.cycle.referential_version,
                activities=decision.activities,
                scope_statement="",
                issued_on=decided_on,
                expires_on=expiry,
            ),
            actor=actor,
        )
        for due in deadlines.surveillance_due_dates(decision_date=decided_on):
            audit_plan(cycle=audit.cycle, kind=AuditKind.SURVEILLANCE, due_on=due, actor=actor)
        audit_plan(
            cycle=audit.cycle,
            kind=AuditKind.RENEWAL,
            due_on=deadlines.renewal_audit_due(decision_date=decided_on),
            actor=actor,
        )
        trail_record(
            kind="audit.decided",
            actor=actor,
            organisation=audit.cycle.organisation,
            target=decision,
            data={
                "number": decision.certificate_number,
                "decided_on": decided_on,
                "expires_on": expiry,
            },
        )
        return decision


def audit_cancel(*, audit: Audit, reason: str, actor: User) -> Audit:
    """Cancel an audit that has not reached its outcome (e.g. the certification body withdrew,
    or the audit is replanned): the reason stays in the audit trail."""
    if not reason.strip():
        raise AuditError(_("Give the reason for cancelling the audit."))
    with transaction.atomic():
        audit = _locked(audit)
        return _move(audit, AuditStatus.CANCELLED, actor=actor, data={"reason": reason.strip()})


def audit_close(*, audit: Audit, actor: User) -> Audit:
    """Close an audit whose outcome is final: a surveillance audit once its on-site audit found
    no non-conformity or its corrections were verified, or any audit once decided."""
    with transaction.atomic():
        audit = _locked(audit)
        if (
            audit.status in (AuditStatus.STAGE2_DONE, AuditStatus.CORRECTIONS_VERIFIED)
            and audit.kind != AuditKind.SURVEILLANCE
        ):
            raise AuditError(_("This audit ends with a certification decision, not closing."))
        if audit.status == AuditStatus.STAGE2_DONE and _open_nonconformities(audit):
            raise AuditError(_("Every non-conformity must be verified before closing."))
        return _move(audit, AuditStatus.CLOSED, actor=actor)
