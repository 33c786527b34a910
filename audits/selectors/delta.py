"""The delta of a surveillance or renewal audit since the previous audit's outcome (audits/delta.py
defines the window and the rules; this module writes them in SQL).

Bounded whatever the history: finding the window is two queries (the organisation's audits, their
outcome rows), the counts per section and change one aggregate, a page of changes one query and
its count one; the dossier's most recent changes per section one query with a window function.
Nothing reads the whole window into Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models import When as SqlWhen
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, RowNumber
from django.utils.translation import gettext

from audits.delta import (
    CHANGE_LABELS,
    KINDS_WITH_DELTA,
    OUTCOME_EVENTS,
    RULE_KINDS,
    RULES,
    SECTION_LABELS,
    SNAPSHOT_KINDS,
    Change,
    Outcome,
    Rule,
    Section,
    When,
    before_after,
    delta_window,
)
from audits.delta import (
    Window as DeltaWindow,
)
from audits.models import Audit, Decision, Finding
from audits.selectors import evidence_versions_for_auditor
from evidence.models import EvidenceVersion
from hdsready.models import TrailEvent
from hdsready.trail_events import TrailLine, trail_event_lines


@dataclass(frozen=True)
class Delta:
    """An audit's delta: its window and whose eyes read it (the invited auditor sees the
    evidence the audit shows them, evidence_versions_for_auditor)."""

    audit: Audit
    window: DeltaWindow
    previous: Audit
    for_auditor: bool = False


def delta_of(*, audit: Audit, for_auditor: bool = False) -> Delta | None:
    """The audit's delta, or None (an initial audit, or no earlier outcome). Two queries (none
    for an initial audit)."""
    if audit.kind not in KINDS_WITH_DELTA:
        return None
    organisation_id = audit.cycle.organisation_id
    audits = {
        row.pk: row
        for row in Audit.objects.filter(cycle__organisation_id=organisation_id).select_related(
            "decision", "cycle__organisation"
        )
    }
    decisions = {
        str(row.decision.pk): pk
        for pk, row in audits.items()
        if OUTCOME_EVENTS.get(row.kind) == "audit.decided" and _decision(row) is not None
    }
    closings = [
        str(pk) for pk, row in audits.items() if OUTCOME_EVENTS.get(row.kind) == "audit.closed"
    ]
    rows = TrailEvent.objects.filter(organisation_id=organisation_id).filter(
        Q(kind="audit.decided", object_type="audits.decision", object_id__in=list(decisions))
        | Q(kind="audit.closed", object_type="audits.audit", object_id__in=closings)
    )
    outcomes = [
        Outcome(
            audit_id=decisions[object_id] if kind == "audit.decided" else int(object_id),
            seq=seq,
        )
        for kind, object_id, seq in rows.values_list("kind", "object_id", "seq")
    ]
    window = delta_window(audit_id=audit.pk, kind=audit.kind, outcomes=outcomes)
    if window is None:
        return None
    return Delta(
        audit=audit,
        window=window,
        previous=audits[window.previous_audit_id],
        for_auditor=for_auditor,
    )


def _decision(audit: Audit) -> Decision | None:
    return getattr(audit, "decision", None)


def _as_text(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(as_text=Cast("pk", CharField())).values("as_text")


def _condition(rule: Rule, delta: Delta) -> Q:
    match = Q(kind=rule.kind)
    if rule.when == When.FIRST_VERSION:
        match &= Q(data__version=1)
    elif rule.when == When.STATUS_CHANGED:
        match &= Q(data__changes__has_key="status")
    elif rule.when == When.HOST_HOLDS:
        match &= Q(data__holder=delta.audit.cycle.organisation.name)
    elif rule.when == When.PREVIOUS_FINDING:
        match &= Q(
            object_type="audits.finding",
            object_id__in=_as_text(Finding.objects.filter(audit=delta.previous)),
        )
    if delta.for_auditor and rule.section == Section.EVIDENCE:
        # The auditor sees the versions the audit shows them, and the items of those.
        visible = evidence_versions_for_auditor(audit=delta.audit).order_by()
        match &= Q(object_type="evidence.evidenceversion", object_id__in=_as_text(visible)) | Q(
            object_type="evidence.evidenceitem",
            object_id__in=visible.annotate(item_text=Cast("item_id", CharField())).values(
                "item_text"
            ),
        )
    return match


def _classified(delta: Delta) -> QuerySet[Any]:
    # Typed loosely: the rows carry the annotations delta_section and delta_change.
    window = delta.window
    rows = TrailEvent.objects.filter(
        organisation_id=delta.audit.cycle.organisation_id,
        seq__gt=window.after_seq,
        kind__in=RULE_KINDS,
    )
    if window.until_seq is not None:
        rows = rows.filter(seq__lte=window.until_seq)
    conditions = [(_condition(rule, delta), rule) for rule in RULES]
    return rows.annotate(
        delta_section=Case(
            *[SqlWhen(q, then=Value(str(rule.section))) for q, rule in conditions],
            default=None,
            output_field=CharField(),
        ),
        delta_change=Case(
            *[SqlWhen(q, then=Value(str(rule.change))) for q, rule in conditions],
            default=None,
            output_field=CharField(),
        ),
    ).filter(delta_section__isnull=False)


@dataclass
class SectionCount:
    section: Section
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(str(change), self.counts.get(change, 0)) for change in Change]


def delta_counts(*, delta: Delta) -> list[SectionCount]:
    """How many changes of each kind in each section: one aggregate query."""
    found: dict[tuple[str, str], int] = {
        (section, change): count
        for section, change, count in _classified(delta)
        .order_by()
        .values("delta_section", "delta_change")
        .annotate(n=Count("pk"))
        .values_list("delta_section", "delta_change", "n")
    }
    return [
        SectionCount(
            section=section,
            label=str(SECTION_LABELS[section]),
            counts={str(change): found.get((section, change), 0) for change in Change},
        )
        for section in Section
    ]


def _detailed(rows: QuerySet[TrailEvent]) -> QuerySet[TrailEvent]:
    """With what a row's detail needs: the previous snapshot of the same object, and for a new
    version of a file the SHA-256 of the version it replaced."""
    previous = TrailEvent.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
        kind__in=SNAPSHOT_KINDS,
        seq__lt=OuterRef("seq"),
    ).order_by("-seq")
    replaced = EvidenceVersion.objects.filter(
        item_id=Cast(KeyTextTransform("item", OuterRef("data")), IntegerField()),
        number=Cast(KeyTextTransform("version", OuterRef("data")), IntegerField()) - 1,
    )
    return rows.annotate(
        previous_data=Case(
            SqlWhen(kind__in=SNAPSHOT_KINDS, then=Subquery(previous.values("data")[:1])),
            default=None,
        ),
        replaced_sha256=Case(
            SqlWhen(
                kind="evidence.version_added",
                then=Subquery(replaced.values("sha256")[:1]),
            ),
            default=None,
            output_field=CharField(),
        ),
    )


def delta_changes(*, delta: Delta, section: Section | None = None) -> QuerySet[TrailEvent]:
    """The changes of one section (of every section: None), the newest first, for a page of
    them (lazy: paged in SQL)."""
    rows = _classified(delta)
    if section is not None:
        rows = rows.filter(delta_section=str(section))
    return _detailed(rows).order_by("-seq")


def delta_recent(*, delta: Delta, per_section: int) -> list[TrailEvent]:
    """The `per_section` most recent changes of every section: one query."""
    ranked = _classified(delta).annotate(
        rank=Window(RowNumber(), partition_by=[F("delta_section")], order_by=F("seq").desc())
    )
    return list(_detailed(ranked.filter(rank__lte=per_section)).order_by("-seq"))


@dataclass(frozen=True)
class ChangeRow:
    """One change as pages and dossiers show it."""

    seq: int
    section: Section
    change: Change
    change_label: str
    section_label: str
    label: str
    at: datetime
    by: str
    lines: list[TrailLine]


def _label(event: TrailEvent) -> str:
    data: Mapping[str, Any] = event.data or {}
    if event.kind == "scope.activities_set":
        return gettext("Activities in scope")
    if event.kind == "scope.profile_updated":
        return gettext("Host profile")
    if event.kind.startswith("readiness."):
        return str(data.get("requirement") or event.object_repr)
    if event.kind.startswith("soa."):
        return str(data.get("control") or event.object_repr)
    if event.kind.startswith("subcontractor."):
        return str(data.get("name") or event.object_repr)
    if event.kind.startswith("certificate.") and data.get("holder"):
        return f"{event.object_repr} — {data['holder']}"
    return event.object_repr


def _lines(event: TrailEvent) -> list[TrailLine]:
    data: dict[str, Any] = dict(event.data or {})
    previous = getattr(event, "previous_data", None)
    if event.kind == "scope.activities_set":
        lines = trail_event_lines(event.kind, data)
        if previous:
            before = "; ".join(
                f"{line.label}: {line.text}" for line in trail_event_lines(event.kind, previous)
            )
            lines.insert(0, TrailLine(gettext("Before"), before))
        return lines
    if event.kind in SNAPSHOT_KINDS and previous is not None:
        return trail_event_lines(event.kind, {"changes": before_after(data, previous)})
    lines = trail_event_lines(event.kind, data)
    replaced = getattr(event, "replaced_sha256", None)
    if replaced:
        lines.append(TrailLine(gettext("Replaces the file of SHA-256"), replaced, "replaced"))
    return lines


# What the row's label already says.
_LABEL_KEYS = frozenset({"requirement", "control"})


def change_rows(events: Sequence[TrailEvent]) -> list[ChangeRow]:
    """The rows of changes read by `delta_changes` or `delta_recent` (no query)."""
    return [
        ChangeRow(
            seq=event.seq,
            section=Section(event.delta_section),  # type: ignore[attr-defined]
            change=Change(event.delta_change),  # type: ignore[attr-defined]
            change_label=str(CHANGE_LABELS[Change(event.delta_change)]),  # type: ignore[attr-defined]
            section_label=str(SECTION_LABELS[Section(event.delta_section)]),  # type: ignore[attr-defined]
            label=_label(event),
            at=event.created_at,
            by=event.actor_label,
            lines=[line for line in _lines(event) if line.key not in _LABEL_KEYS],
        )
        for event in events
    ]


def section_of(value: str | None) -> Section | None:
    """The section a query string asks for; None (every section) for anything else."""
    if value in {section.value for section in Section}:
        return Section(value)
    return None
