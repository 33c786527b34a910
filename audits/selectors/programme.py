"""Reads of a cycle's audit programme (audits/programme.py): the applicable requirements, the
audits and their lines, the coverage grid of one chapter and its warnings, in a fixed number of
queries whatever the number of requirements, audits or lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import Http404

from audits.models import Audit, AuditKind, AuditStatus, Cycle, ProgrammeLine
from audits.programme import (
    MANDATORY_KEYS,
    Gaps,
    programme_gaps,
    propose_rotation,
    requirement_key,
)
from hdsready.models import Organisation
from scopes.models import Requirement
from scopes.readiness import requirement_applies
from scopes.selectors import HDS_CODE, ISO_CODE, not_applicable_controls, situation_of

FULL_KINDS = (AuditKind.INITIAL, AuditKind.RENEWAL)
# The frameworks of the programme, in the order pages list them.
PROGRAMME_FRAMEWORKS = (HDS_CODE, ISO_CODE)


def key_of(requirement: Requirement) -> str:
    return requirement_key(requirement.framework.code, requirement.ref_id)


def applicable_requirements(*, organisation: Organisation) -> list[Requirement]:
    """The requirements in scope, in catalog order: HDS v2 (those whose situation exists) then
    ISO/IEC 27001:2022 (every clause, every Annex A control the SoA does not exclude)."""
    situation = situation_of(organisation=organisation)
    excluded = not_applicable_controls(organisation=organisation)
    requirements = (
        Requirement.objects.filter(
            framework__organisation__isnull=True,
            framework__code__in=PROGRAMME_FRAMEWORKS,
            assessable=True,
        )
        .select_related("framework")
        .order_by("framework__code", "order")
    )
    # "hds" sorts before "iso27001", the pages' order.
    return [
        requirement
        for requirement in requirements
        if requirement.pk not in excluded
        and requirement_applies(applies_when=requirement.applies_when, situation=situation)
    ]


@dataclass
class Period:
    """A full audit (initial or renewal) and the surveillance audits planned after it, before the
    next full audit: together they cover the whole scope."""

    full: Audit | None
    surveillance: list[Audit] = field(default_factory=list)
    renewal: Audit | None = None


def programme_audits(*, cycle: Cycle) -> list[Audit]:
    return list(
        Audit.objects.filter(cycle=cycle)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("created_at", "pk")
    )


def periods_of(audits: Sequence[Audit]) -> list[Period]:
    periods: list[Period] = []
    current: Period | None = None
    for audit in audits:
        if audit.kind in FULL_KINDS:
            if current is not None:
                current.renewal = audit
            current = Period(full=audit)
            periods.append(current)
        else:
            if current is None:
                current = Period(full=None)
                periods.append(current)
            current.surveillance.append(audit)
    return [period for period in periods if period.surveillance]


def is_editable(audit: Audit) -> bool:
    """A surveillance audit's programme changes until the audit starts."""
    return audit.kind == AuditKind.SURVEILLANCE and audit.status == AuditStatus.DRAFT


def lines_of(audits: Sequence[Audit]) -> dict[tuple[int, int], ProgrammeLine]:
    """(audit, requirement) -> line, for these audits: one query."""
    return {
        (line.audit_id, line.requirement_id): line
        for line in ProgrammeLine.objects.filter(audit__in=list(audits))
    }


@dataclass(frozen=True)
class PeriodGaps:
    period: Period
    gaps: Gaps
    never: list[Requirement]
    missing: list[tuple[Audit, list[Requirement]]]


@dataclass(frozen=True)
class Programme:
    cycle: Cycle
    audits: list[Audit]
    applicable: list[Requirement]
    lines: dict[tuple[int, int], ProgrammeLine]
    periods: list[Period]
    gaps: list[PeriodGaps]

    def covers(self, audit: Audit, requirement: Requirement) -> bool:
        return audit.kind in FULL_KINDS or (audit.pk, requirement.pk) in self.lines

    @property
    def has_lines(self) -> bool:
        return bool(self.lines)


def programme_of(*, cycle: Cycle) -> Programme:
    audits = programme_audits(cycle=cycle)
    applicable = applicable_requirements(organisation=cycle.organisation)
    lines = lines_of(audits)
    periods = periods_of(audits)
    by_key = {key_of(requirement): requirement for requirement in applicable}
    by_pk = {requirement.pk: requirement for requirement in applicable}
    keys_by_audit: dict[int, set[str]] = {}
    for line in lines.values():
        keys_by_audit.setdefault(line.audit_id, set()).add(key_of_line(line, by_pk))
    gaps = []
    for period in periods:
        found = programme_gaps(
            applicable=list(by_key),
            surveillance=[keys_by_audit.get(audit.pk, set()) for audit in period.surveillance],
        )
        missing = [
            (audit, [by_key[key] for key in keys])
            for audit, keys in zip(period.surveillance, found.mandatory_missing, strict=True)
            if keys
        ]
        gaps.append(PeriodGaps(period, found, [by_key[key] for key in found.never], missing))
    return Programme(cycle, audits, applicable, lines, periods, gaps)


def key_of_line(line: ProgrammeLine, by_pk: dict[int, Requirement]) -> str:
    """The line's requirement key; a requirement no longer applicable keys as its pk, which no
    applicable key equals, so it neither covers nor warns."""
    requirement = by_pk.get(line.requirement_id)
    return key_of(requirement) if requirement is not None else f"pk:{line.requirement_id}"


@dataclass(frozen=True)
class Chapter:
    slug: str
    framework: str
    group: str
    label: str


def chapters_of(applicable: Sequence[Requirement]) -> list[Chapter]:
    """The chapters the grid pages by: an HDS chapter, the ISO clauses, an Annex A theme."""
    chapters: dict[str, Chapter] = {}
    for requirement in applicable:
        slug = f"{requirement.framework.code}-{requirement.group}".lower().replace(".", "")
        if slug not in chapters:
            chapters[slug] = Chapter(
                slug, requirement.framework.code, requirement.group, chapter_label(requirement)
            )
    return list(chapters.values())


def chapter_label(requirement: Requirement) -> str:
    code, group = requirement.framework.code, requirement.group
    if code == HDS_CODE:
        return f"HDS {group}"
    if group == "clauses":
        return "ISO 27001 4-10"
    return f"ISO 27001 {group}"


def proposal_for(
    *, programme: Programme
) -> tuple[list[Audit], list[frozenset[str]], dict[str, Requirement]]:
    """The rotation proposed for the period still to come: its surveillance audits not started
    share what the started ones have not covered, the mandatory topics in each."""
    by_key = {key_of(requirement): requirement for requirement in programme.applicable}
    by_pk = {requirement.pk: requirement for requirement in programme.applicable}
    for period in reversed(programme.periods):
        drafts = [audit for audit in period.surveillance if is_editable(audit)]
        if not drafts:
            continue
        started = {audit.pk for audit in period.surveillance if not is_editable(audit)}
        done = {
            key_of_line(line, by_pk)
            for line in programme.lines.values()
            if line.audit_id in started
        }
        keys = [key for key in by_key if key in MANDATORY_KEYS or key not in done]
        return drafts, propose_rotation(applicable=keys, surveillance_count=len(drafts)), by_key
    return [], [], by_key


def programme_line_get(*, cycle: Cycle, requirement_pk: int) -> Requirement:
    """An applicable requirement of the programme; anything else is a 404."""
    for requirement in applicable_requirements(organisation=cycle.organisation):
        if requirement.pk == requirement_pk:
            return requirement
    raise Http404
