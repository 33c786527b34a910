"""Cycles, audits and their stages, the decision and the audits it plans.

Every audit transition is an action of audits/workflow.py: the public functions below take it
through `perform`, and the `@effect` functions change the data once the definition allows it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import deadlines, workflow
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    Decision,
    DecisionOutcome,
    PinnedVersion,
    Stage,
)
from audits.services import AuditError
from audits.services.programme import programme_propose
from audits.services.workflow import Done, effect, next_audit_sync, perform, settle
from audits.workflow import Actor
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from hdsready.dates import date_format
from hdsready.models import Organisation, User
from hdsready.services.notifications import notify, officers_of
from hdsready.trail import trail_record
from scopes.activities import certificate_type_of
from scopes.models import CertificateKind
from scopes.selectors import scope_of
from scopes.services.scope import CertificateData, certificate_save


def cycle_create(
    *,
    organisation: Organisation,
    certification_body: str,
    accreditation: str,
    actor: User,
    now: datetime | None = None,
) -> Cycle:
    """Open a cycle with a certification body; its scope is the organisation's activities.
    `now` is the day it opens (the demo opens its cycle before its past audits)."""
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
            created_at=now or timezone.now(),
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
        next_audit_sync(cycle.organisation)
        return audit


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise AuditError(_("An audit cannot end before it starts."))


# Stage 1


@effect(workflow.STAGE1_SCHEDULE)
def _stage1_schedule(*, audit: Audit, start: date, end: date, **_ctx: Any) -> Done:
    _check_dates(start, end)
    audit.stage1_start, audit.stage1_end = start, end
    audit.status = AuditStatus.STAGE1_PLANNED
    return Done(audit, data={"start": start, "end": end})


def audit_schedule_stage1(
    *, audit: Audit, start: date, end: date, actor: User, role: Actor | None = None
) -> Audit:
    return perform(
        workflow.STAGE1_SCHEDULE, audit=audit, actor=actor, role=role, start=start, end=end
    )


@effect(workflow.STAGE1_SUBMIT)
def _stage1_submit(*, audit: Audit, now: datetime, **_ctx: Any) -> Done:
    """Freeze, for the documentary audit, the current version of every active evidence item
    linked to a requirement: later uploads do not change what stage 1 audits."""
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
    return Done(len(pins), data={"versions": len(pins)})


def audit_submit_stage1_documents(
    *, audit: Audit, actor: User, now: datetime | None = None, role: Actor | None = None
) -> int:
    count: int = perform(workflow.STAGE1_SUBMIT, audit=audit, actor=actor, role=role, now=now)
    return count


@effect(workflow.STAGE1_COMPLETE)
def _stage1_complete(*, audit: Audit, outcome: str, **_ctx: Any) -> Done:
    audit.stage1_outcome = outcome.strip()
    audit.status = AuditStatus.STAGE1_DONE
    return Done(audit)


def audit_complete_stage1(
    *,
    audit: Audit,
    outcome: str,
    actor: User,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Audit:
    """End of the documentary audit: from the day it starts."""
    return perform(
        workflow.STAGE1_COMPLETE, audit=audit, actor=actor, role=role, now=now, outcome=outcome
    )


# Stage 2


@effect(workflow.STAGE2_SCHEDULE)
def _stage2_schedule(*, audit: Audit, start: date, end: date, sites: str, **_ctx: Any) -> Done:
    """Plan the on-site audit: after stage 1, directly for a surveillance audit, or again
    when the host took no action within the correction window."""
    _check_dates(start, end)
    if audit.stage1_end and start < audit.stage1_end:
        raise AuditError(_("The on-site audit comes after the documentary audit."))
    audit.stage2_start, audit.stage2_end, audit.stage2_sites = start, end, sites.strip()
    audit.stage2_ended_on = None
    audit.correction_deadline = None
    audit.status = AuditStatus.STAGE2_PLANNED
    return Done(audit, data={"start": start, "end": end})


def audit_schedule_stage2(
    *, audit: Audit, start: date, end: date, sites: str, actor: User, role: Actor | None = None
) -> Audit:
    return perform(
        workflow.STAGE2_SCHEDULE,
        audit=audit,
        actor=actor,
        role=role,
        start=start,
        end=end,
        sites=sites,
    )


def _set_onsite_end(audit: Audit, ended_on: date, *, now: datetime) -> None:
    if audit.stage2_start is not None and ended_on < audit.stage2_start:
        raise AuditError(_("The on-site audit cannot end before it starts."))
    if ended_on > deadlines.paris_date(now=now):
        raise AuditError(
            _("The on-site audit's last day is recorded once past: not in the future.")
        )
    audit.stage2_ended_on = ended_on
    audit.correction_deadline = deadlines.correction_deadline(onsite_audit_end=ended_on)


def onsite_default_end(audit: Audit, *, today: date) -> date | None:
    """The last day of the on-site audit when none is given: the planned one, or today for an
    audit completed before its planned end."""
    return None if audit.stage2_end is None else min(audit.stage2_end, today)


@effect(workflow.STAGE2_COMPLETE)
def _stage2_complete(
    *, audit: Audit, outcome: str, ended_on: date | None, now: datetime, **_ctx: Any
) -> Done:
    """End of the on-site audit, on the day it actually ended. The correction window runs 3
    months from that day; with non-conformities, it opens now."""
    # Empty: the planned last day, or today when it ends before it.
    ended = ended_on or onsite_default_end(audit, today=deadlines.paris_date(now=now))
    if ended is None:
        raise AuditError(_("Enter the dates of the on-site audit first."))
    _set_onsite_end(audit, ended, now=now)
    audit.stage2_outcome = outcome.strip()
    audit.status = AuditStatus.STAGE2_DONE
    settle(audit, now=now)
    return Done(audit, data={"ended_on": ended, "correction_deadline": audit.correction_deadline})


def audit_complete_stage2(
    *,
    audit: Audit,
    outcome: str,
    actor: User,
    ended_on: date | None = None,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Audit:
    return perform(
        workflow.STAGE2_COMPLETE,
        audit=audit,
        actor=actor,
        role=role,
        now=now,
        outcome=outcome,
        ended_on=ended_on,
    )


@effect(workflow.STAGE2_END_CORRECT)
def _stage2_end_correct(
    *, audit: Audit, ended_on: date, reason: str, now: datetime, **_ctx: Any
) -> Done:
    if not reason.strip():
        raise AuditError(_("Say why the end date is corrected."))
    previous = audit.stage2_ended_on
    _set_onsite_end(audit, ended_on, now=now)
    settle(audit, now=now)
    return Done(
        audit,
        data={
            "previous": previous,
            "ended_on": ended_on,
            "correction_deadline": audit.correction_deadline,
            "reason": reason.strip(),
        },
    )


def audit_correct_stage2_end(
    *,
    audit: Audit,
    ended_on: date,
    reason: str,
    actor: User,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Audit:
    """Correct the recorded end of the on-site audit (a typing error, a last day added): the
    correction deadline follows it, and the audit's state with it."""
    return perform(
        workflow.STAGE2_END_CORRECT,
        audit=audit,
        actor=actor,
        role=role,
        now=now,
        ended_on=ended_on,
        reason=reason,
    )


# The end of the correction window


def _lapse_text(*, audit: Audit, deadline: date, redo: bool) -> str:
    values = {"audit": audit.get_kind_display(), "date": date_format(deadline, "DATE_FORMAT")}
    if redo:
        return (
            _(
                "%(audit)s: the correction window ended on %(date)s and a non-conformity got no "
                "correction in time. The on-site audit must be done again."
            )
            % values
        )
    return (
        _(
            "%(audit)s: the correction window ended on %(date)s. Corrections were submitted in "
            "time but not all verified: ask the certification body to verify them."
        )
        % values
    )


@effect(workflow.CORRECTIONS_LAPSE)
def _corrections_lapse(*, audit: Audit, now: datetime, **_ctx: Any) -> Done:
    settle(audit, now=now)
    return Done(audit, data={"correction_deadline": audit.correction_deadline})


def audits_lapse_sweep(*, now: datetime) -> list[int]:
    """Audits whose correction window has ended move on (workflow.settle_corrections): to "on-site
    audit to redo" when the host took no action in time, otherwise to "awaiting verification";
    their officers are told. Idempotent: an audit moved once is no longer in corrections."""
    today = deadlines.paris_date(now=now)
    moved = []
    for pk in Audit.objects.filter(
        status=AuditStatus.CORRECTIONS, correction_deadline__lt=today
    ).values_list("pk", flat=True):
        audit = Audit.objects.select_related("cycle__organisation").get(pk=pk)
        deadline = audit.correction_deadline
        if deadline is None or not deadlines.deadline_passed(deadline=deadline, now=now):
            continue
        with transaction.atomic():
            try:
                audit = perform(
                    workflow.CORRECTIONS_LAPSE,
                    audit=audit,
                    actor=None,
                    role=Actor.SYSTEM,
                    now=now,
                )
            except AuditError:
                continue  # another sweep got there first
            if audit.status == AuditStatus.CORRECTIONS:
                continue
            organisation = audit.cycle.organisation
            notify(
                users=officers_of(organisation),
                organisation=organisation,
                message=partial(
                    _lapse_text,
                    audit=audit,
                    deadline=deadline,
                    redo=audit.status == AuditStatus.ONSITE_REDO,
                ),
                link=reverse("audits:audit-detail", args=[organisation.slug, pk]),
                now=now,
            )
            moved.append(pk)
    return moved


# The decision


def _decision_check(
    *, audit: Audit, outcome: str, activities: Sequence[int], numbers: Mapping[str, str]
) -> list[int]:
    if outcome not in DecisionOutcome.values:
        raise AuditError(_("Choose the outcome of the decision."))
    if outcome == DecisionOutcome.REFUSED:
        if activities:
            raise AuditError(_("A refusal covers no activity: untick them."))
        return []
    granted = sorted(set(activities))
    audited = set(audit.cycle.activities)
    if not granted:
        raise AuditError(_("Tick the activities the certificate covers."))
    if not set(granted) <= audited:
        raise AuditError(_("A certificate covers only activities that were audited."))
    if outcome == DecisionOutcome.GRANTED and set(granted) != audited:
        raise AuditError(
            _("Some audited activities are not covered: record a decision for fewer activities.")
        )
    if outcome == DecisionOutcome.REDUCED and set(granted) == audited:
        raise AuditError(_("Every audited activity is covered: the certification is granted."))
    for kind in {certificate_type_of(number) for number in granted}:
        if not numbers.get(kind, "").strip():
            raise AuditError(_("Enter the number of each certificate granted."))
    return granted


@effect(workflow.DECISION_RECORD)
def _decision_record(
    *,
    audit: Audit,
    actor: User,
    now: datetime,
    outcome: str,
    decided_on: date,
    activities: Sequence[int],
    certificate_numbers: Mapping[str, str],
    expires_on: date | None,
    letter: EvidenceVersion | None,
    **_ctx: Any,
) -> Done:
    granted = _decision_check(
        audit=audit, outcome=outcome, activities=activities, numbers=certificate_numbers
    )
    organisation = audit.cycle.organisation
    if letter is not None and letter.item.organisation_id != organisation.pk:
        raise AuditError(_("Unknown evidence."))
    if decided_on > deadlines.paris_date(now=now):
        raise AuditError(_("A decision is recorded once taken: its date cannot be in the future."))
    if audit.stage2_ended_on is not None and decided_on < audit.stage2_ended_on:
        raise AuditError(_("The decision comes after the on-site audit."))
    refused = outcome == DecisionOutcome.REFUSED
    expiry = (
        None if refused else expires_on or deadlines.certificate_expiry(decision_date=decided_on)
    )
    if expiry is not None and expiry <= decided_on:
        raise AuditError(_("The certificate must expire after the decision date."))
    by_type: dict[str, list[int]] = {}
    for number in granted:
        by_type.setdefault(certificate_type_of(number), []).append(number)
    decision = Decision.objects.create(
        audit=audit,
        outcome=outcome,
        certificate_number=" / ".join(
            certificate_numbers[kind].strip() for kind in sorted(by_type)
        ),
        decided_on=decided_on,
        activities=granted,
        expires_on=expiry,
        letter=letter,
        recorded_by=actor,
    )
    for kind, covered in sorted(by_type.items()):
        assert expiry is not None  # noqa: S101 (a refusal grants no certificate)
        decision.certificates.add(
            certificate_save(
                organisation=organisation,
                subcontractor=None,
                data=CertificateData(
                    kind=CertificateKind.HDS,
                    number=certificate_numbers[kind].strip(),
                    certification_body=audit.cycle.certification_body,
                    accreditation=audit.cycle.accreditation,
                    standard_version=audit.cycle.referential_version,
                    activities=covered,
                    scope_statement="",
                    issued_on=decided_on,
                    expires_on=expiry,
                ),
                actor=actor,
            )
        )
    if refused:
        audit.status = AuditStatus.REFUSED
        # What follows a refusal: the whole certification procedure, from a new initial audit.
        audit_plan(cycle=audit.cycle, kind=AuditKind.INITIAL, actor=actor)
    else:
        audit.status = AuditStatus.DECIDED
        for due in deadlines.surveillance_due_dates(decision_date=decided_on):
            audit_plan(cycle=audit.cycle, kind=AuditKind.SURVEILLANCE, due_on=due, actor=actor)
        audit_plan(
            cycle=audit.cycle,
            kind=AuditKind.RENEWAL,
            due_on=deadlines.renewal_audit_due(decision_date=decided_on),
            actor=actor,
        )
        # The surveillance audits start with the proposed rotation, which the officer edits.
        programme_propose(cycle=audit.cycle, actor=actor)
    return Done(
        decision,
        target=decision,
        data={
            "outcome": outcome,
            "number": decision.certificate_number,
            "activities": granted,
            "decided_on": decided_on,
            "expires_on": expiry,
            "letter": letter.pk if letter else None,
        },
    )


def decision_record(
    *,
    audit: Audit,
    decided_on: date,
    actor: User,
    outcome: str = DecisionOutcome.GRANTED,
    activities: Sequence[int] = (),
    certificate_numbers: Mapping[str, str] | None = None,
    expires_on: date | None = None,
    letter: EvidenceVersion | None = None,
    role: Actor | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record the certification body's decision, as its letter says: certificates granted for
    every activity audited or for fewer (one certificate per type: physical-infrastructure host
    for activities 1-2, managed-services host for 3-6, each with its number; the activities left
    out stay uncovered in the hosting chain), or a refusal, after which a new initial audit is
    planned. A certificate lasts 3 years unless it prints another date; the surveillance and
    renewal audits it calls for are planned."""
    return perform(
        workflow.DECISION_RECORD,
        audit=audit,
        actor=actor,
        role=role,
        now=now,
        outcome=outcome,
        decided_on=decided_on,
        activities=activities,
        certificate_numbers=certificate_numbers or {},
        expires_on=expires_on,
        letter=letter,
    )


# Cancel and close


@effect(workflow.CANCEL)
def _cancel(*, audit: Audit, reason: str, **_ctx: Any) -> Done:
    if not reason.strip():
        raise AuditError(_("Give the reason for cancelling the audit."))
    audit.status = AuditStatus.CANCELLED
    return Done(audit, data={"reason": reason.strip()})


def audit_cancel(*, audit: Audit, reason: str, actor: User, role: Actor | None = None) -> Audit:
    """Cancel an audit that has not reached its outcome (e.g. the certification body withdrew,
    or the audit is replanned): the reason stays in the audit trail."""
    return perform(workflow.CANCEL, audit=audit, actor=actor, role=role, reason=reason)


@effect(workflow.CLOSE)
def _close(*, audit: Audit, **_ctx: Any) -> Done:
    audit.status = AuditStatus.CLOSED
    return Done(audit)


def audit_close(*, audit: Audit, actor: User, role: Actor | None = None) -> Audit:
    """Close an audit whose outcome is final: a surveillance audit once its on-site audit found
    no non-conformity or its corrections were verified, or any audit once decided."""
    return perform(workflow.CLOSE, audit=audit, actor=actor, role=role)
