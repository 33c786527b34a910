"""The findings carried over to a surveillance or renewal audit (issue 15, ISO/IEC 17021-1: every
surveillance audit checks the actions taken on the previous audit's findings).

A finding carries over to audit A when it is an observation or a minor non-conformity of an
earlier audit of A's organisation that is over (decided, or closed), whose action plan is due after
that audit's decision (or, with no decision, the end of its on-site audit), and that no check
on another audit has closed. A finding kept open at a check carries on to the next audit; one
closed at A's own check stays on A's list, closed, so A's page shows what was checked there.
A major non-conformity does not carry over: it is verified before the decision.

Earlier audits of the organisation, not only of A's cycle, as the delta reads them: a renewal's
decision plans the next surveillance audits in the same cycle, but a host that moves to another
certification body starts a new cycle, and the new body reviews the findings the previous one
left open (ISO/IEC 17021-1, transfer of certification)."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    CarryOverCheck,
    CarryOverOutcome,
    Finding,
    FindingKind,
)

# The audits whose findings may carry over: over, with their outcome.
OVER: frozenset[str] = frozenset({AuditStatus.DECIDED, AuditStatus.CLOSED})
CARRYING_KINDS: frozenset[str] = frozenset({FindingKind.OBSERVATION, FindingKind.MINOR})
RECEIVING_KINDS: frozenset[str] = frozenset({AuditKind.SURVEILLANCE, AuditKind.RENEWAL})


def carried_over_findings(*, audit: Audit) -> QuerySet[Finding]:
    """The findings carried over to `audit`, oldest audit first, each with its history: who
    raised it, its correction and verification, and every check made on it so far
    (`carryover_checks`, prefetched: one query for a page); `closed_here` says a check on this
    audit closed it. Three queries for a page, whatever the history's length."""
    if audit.kind not in RECEIVING_KINDS:
        return Finding.objects.none()
    closed = CarryOverCheck.objects.filter(finding=OuterRef("pk"), outcome=CarryOverOutcome.CLOSED)
    earlier = Q(audit__created_at__lt=audit.created_at) | Q(
        audit__created_at=audit.created_at, audit__pk__lt=audit.pk
    )
    return (
        Finding.objects.filter(
            earlier,
            audit__cycle__organisation_id=audit.cycle.organisation_id,
            audit__status__in=OVER,
            kind__in=CARRYING_KINDS,
            action_plan_due_on__isnull=False,
        )
        .alias(audit_ended_on=Coalesce("audit__decision__decided_on", "audit__stage2_ended_on"))
        .filter(action_plan_due_on__gt=F("audit_ended_on"))
        .exclude(Exists(closed.exclude(audit=audit)))
        .annotate(closed_here=Exists(closed.filter(audit=audit)))
        .select_related(
            "audit", "requirement", "raised_by", "verified_by", "owner", "correction_evidence__item"
        )
        .prefetch_related(
            Prefetch(
                "carryover_checks",
                queryset=CarryOverCheck.objects.select_related("checked_by", "audit", "letter"),
            )
        )
        .order_by("audit__created_at", "audit__pk", "raised_at", "pk")
    )


def carried_over_finding_get(*, audit: Audit, pk: int) -> Finding:
    """One finding carried over to `audit` (already scoped to the person): anything else, such
    as another organisation's finding or this audit's own, is a 404."""
    finding = carried_over_findings(audit=audit).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding
