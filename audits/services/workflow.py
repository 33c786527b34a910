"""Executes the one definition of the cycle (audits/workflow.py).

`perform` takes an action on an audit (or one of its findings): it checks who takes it, locks the
audit row, asks the definition whether the action is possible in the audit's state, runs the
action's effect (registered by its service with `@effect`), checks that the state it reached is
one the definition allows, and writes the action's trail event, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import deadlines
from audits.models import Audit, AuditStatus, Finding, FindingKind, FindingStatus
from audits.services import AuditError
from audits.workflow import (
    AFTER_ONSITE,
    UPCOMING,
    Action,
    Actor,
    CorrectionFacts,
    PendingNonconformity,
    next_audit_day,
    settle_corrections,
)
from hdsready.models import Organisation, User
from hdsready.services.notifications import notify, officers_of
from hdsready.trail import trail_record
from scopes.services.scope import scope_next_audit_set


@dataclass
class Done:
    """What an effect did: the object it returns, the trail target (the audit by default) and
    the details the trail records."""

    result: Any = None
    target: models.Model | None = None
    data: dict[str, object] = field(default_factory=dict)
    # For an action with a notice: what it did, in the active language (called once per
    # officer), and the page the notification leads to (the audit's page by default).
    detail: Callable[[], str] | None = None
    link: str | None = None


Effect = Callable[..., Done]
EFFECTS: dict[str, Effect] = {}


def effect(action: Action) -> Callable[[Effect], Effect]:
    """Register the function that changes the data when `action` is taken."""

    def register(function: Effect) -> Effect:
        EFFECTS[action.name] = function
        return function

    return register


def _locked(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle__organisation")
        .get(pk=audit.pk)
    )


def perform(
    action: Action,
    *,
    audit: Audit,
    actor: User | None,
    role: Actor | None = None,
    finding: Finding | None = None,
    now: datetime | None = None,
    **params: Any,
) -> Any:
    """Take `action`. `role` is who the actor takes it as (pages and the API pass it; internal
    callers such as the demo seed may leave it out). Raises AuditError, changing nothing, when
    the definition does not allow the action now."""
    if role is not None and role not in action.actors:
        raise AuditError(_("You may not do this on this audit."))
    now = now or timezone.now()
    with transaction.atomic():
        audit = _locked(audit)
        if finding is not None:
            finding = (
                Finding.objects.select_for_update(of=("self",))
                .select_related("requirement")
                .get(pk=finding.pk, audit=audit)
            )
            finding.audit = audit
        reason = action.refusal(audit, finding, today=deadlines.paris_date(now=now))
        if reason is not None:
            raise AuditError(reason)
        before = audit.status
        done = EFFECTS[action.name](
            audit=audit, actor=actor, finding=finding, now=now, role=role, **params
        )
        if audit.status != before and audit.status not in action.targets:
            raise AssertionError(f"{action.name} led {before} to {audit.status}: not defined")
        audit.save()
        trail_record(
            kind=action.event,
            actor=actor,
            organisation=audit.cycle.organisation,
            target=done.target or finding or audit,
            data={
                "action": action.name,
                **({"as": str(role)} if role is not None else {}),
                **({"from": before, "to": audit.status} if audit.status != before else {}),
                **done.data,
            },
        )
        if audit.status != before or action.sets:
            next_audit_sync(audit.cycle.organisation)
        if role == Actor.AUDITOR and action.notice is not None:
            _officers_told(action, audit=audit, actor=actor, done=done, now=now)
        return done.result


def _officers_told(
    action: Action, *, audit: Audit, actor: User | None, done: Done, now: datetime
) -> None:
    """The officers learn what the invited auditor did without watching the trail."""
    assert action.notice is not None  # noqa: S101 (checked by the caller)
    notice = action.notice
    organisation = audit.cycle.organisation

    def message() -> str:
        return str(notice) % {
            "auditor": str(actor) if actor is not None else "",
            "audit": audit.get_kind_display(),
            "detail": done.detail() if done.detail is not None else "",
        }

    notify(
        users=officers_of(organisation),
        organisation=organisation,
        message=message,
        link=done.link or reverse("audits:audit-detail", args=[organisation.slug, audit.pk]),
        now=now,
    )


def next_audit_sync(organisation: Organisation) -> None:
    """Tell the scope the day of the organisation's next planned audit, which the ISO 27001
    prerequisite checks the ISO certificate against (EXI 01)."""
    audits = Audit.objects.filter(cycle__organisation=organisation, status__in=UPCOMING)
    scope_next_audit_set(organisation=organisation, next_audit_on=next_audit_day(audits))


def correction_facts(audit: Audit) -> CorrectionFacts:
    """The non-conformities of the audit, as the pure correction rule needs them."""
    rows = Finding.objects.filter(
        audit=audit, kind__in=(FindingKind.MAJOR, FindingKind.MINOR)
    ).values_list("status", "raised_at", "first_submitted_at")
    pending = [
        PendingNonconformity(
            raised_on=deadlines.paris_date(now=raised_at),
            first_submitted_on=(
                deadlines.paris_date(now=first_submitted_at) if first_submitted_at else None
            ),
            open=status == FindingStatus.OPEN,
        )
        for status, raised_at, first_submitted_at in rows
        if status != FindingStatus.VERIFIED
    ]
    return CorrectionFacts(any_nonconformity=bool(rows), pending=pending)


def settle(audit: Audit, *, now: datetime) -> str:
    """Move an audit past its on-site audit to the state its non-conformities and deadline
    give (workflow.settle_corrections); returns the new state."""
    if audit.status in AFTER_ONSITE or audit.status == AuditStatus.ONSITE_REDO:
        audit.status = settle_corrections(
            facts=correction_facts(audit), deadline=audit.correction_deadline, now=now
        )
    return audit.status
