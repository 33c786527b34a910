"""The delta since the previous audit (issue 15): which audit a surveillance or renewal audit
starts from, the window of the audit trail it reads, and which trail events are changes of
which section. Pure rules, no ORM: audits/selectors/delta.py turns them into SQL.

The window, precisely (pinned by tests/audits/test_delta.py):
- It opens just after the trail row that recorded the previous audit's outcome: the decision
  (`audit.decided`) of an initial or renewal audit, the closing (`audit.closed`) of a
  surveillance audit. What the decision wrote in its own transaction (the certificates it
  records, the audits it plans, the proposed programme) is written before that row, so it is
  not a change. A change recorded after that row, even minutes later on the decision day, is
  one; a change recorded before it, even on the decision day, was there when the body decided,
  and is not.
- It closes at the row that recorded this audit's own outcome, once there is one (an audit
  already decided or closed keeps the delta it had); until then it is open, up to now.
- The previous audit is the organisation's audit whose outcome row is the latest before this
  audit's own outcome (the latest of all while this audit has none). Organisation-wide, so a
  new cycle's first surveillance audit starts from the previous cycle's renewal decision.
- An initial audit has no delta; nor has an audit that no earlier outcome precedes.
Rows are ordered by the trail's sequence numbers, not by their clock times: the chain numbers
them in commit order, and two rows of the same second keep their order.

Each change is one trail row. A file replaced twice shows as two changes, one per version,
each with its SHA-256 and the one it replaced; a deleted item shows as deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.models import AuditKind


class Section(StrEnum):
    SCOPE = "scope"
    SUBCONTRACTORS = "subcontractors"
    CERTIFICATES = "certificates"
    READINESS = "readiness"
    EVIDENCE = "evidence"
    SOA = "soa"
    FINDINGS = "findings"


SECTION_LABELS: dict[Section, Promise] = {
    Section.SCOPE: _("Scope and activities"),
    Section.SUBCONTRACTORS: _("Subcontractors and their certificates"),
    Section.CERTIFICATES: _("Certificates the host holds (ISO 27001, HDS)"),
    Section.READINESS: _("Readiness status by requirement"),
    Section.EVIDENCE: _("Evidence versions"),
    Section.SOA: _("Statement of Applicability"),
    Section.FINDINGS: _("Findings of the previous audit: corrections and verification"),
}


class Change(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    DELETED = "deleted"


# Nouns in French (« Ajouts », « Modifications », « Suppressions »): a context of their own.
CHANGE_LABELS: dict[Change, Promise] = {
    Change.ADDED: pgettext_lazy("change", "Added"),
    Change.CHANGED: pgettext_lazy("change", "Changed"),
    Change.DELETED: pgettext_lazy("change", "Deleted"),
}


class When(StrEnum):
    """A condition on a trail row besides its kind (the selector writes each one in SQL)."""

    ALWAYS = "always"
    FIRST_VERSION = "first_version"  # data.version == 1: a new evidence file
    STATUS_CHANGED = "status_changed"  # data.changes has "status"
    # data.holder is the organisation's name: the certificate services record the holder as
    # str(subcontractor or organisation), so a certificate of the host itself
    HOST_HOLDS = "host_holds"
    PREVIOUS_FINDING = "previous_finding"  # the row is about a finding of the previous audit


@dataclass(frozen=True)
class Rule:
    kind: str
    section: Section
    change: Change
    when: When = When.ALWAYS


# The first rule that matches a row classifies it; a row no rule matches is not a change (a
# login, a view, a download, the audits' own workflow, an EXI 14 procedure task...).
RULES: tuple[Rule, ...] = (
    Rule("scope.activities_set", Section.SCOPE, Change.CHANGED),
    Rule("scope.profile_updated", Section.SCOPE, Change.CHANGED),
    Rule("subcontractor.created", Section.SUBCONTRACTORS, Change.ADDED),
    Rule("subcontractor.updated", Section.SUBCONTRACTORS, Change.CHANGED),
    Rule("certificate.created", Section.CERTIFICATES, Change.ADDED, When.HOST_HOLDS),
    Rule("certificate.updated", Section.CERTIFICATES, Change.CHANGED, When.HOST_HOLDS),
    Rule("certificate.status_set", Section.CERTIFICATES, Change.CHANGED, When.HOST_HOLDS),
    Rule("certificate.deleted", Section.CERTIFICATES, Change.DELETED, When.HOST_HOLDS),
    Rule("certificate.created", Section.SUBCONTRACTORS, Change.ADDED),
    Rule("certificate.updated", Section.SUBCONTRACTORS, Change.CHANGED),
    Rule("certificate.status_set", Section.SUBCONTRACTORS, Change.CHANGED),
    Rule("certificate.deleted", Section.SUBCONTRACTORS, Change.DELETED),
    Rule("readiness.updated", Section.READINESS, Change.CHANGED, When.STATUS_CHANGED),
    Rule("evidence.version_added", Section.EVIDENCE, Change.ADDED, When.FIRST_VERSION),
    Rule("evidence.version_added", Section.EVIDENCE, Change.CHANGED),
    Rule("evidence.retired", Section.EVIDENCE, Change.DELETED),
    Rule("evidence.reinstated", Section.EVIDENCE, Change.ADDED),
    Rule("soa.updated", Section.SOA, Change.CHANGED),
    Rule("finding.correction_submitted", Section.FINDINGS, Change.CHANGED, When.PREVIOUS_FINDING),
    Rule("finding.correction_verified", Section.FINDINGS, Change.CHANGED, When.PREVIOUS_FINDING),
)
RULE_KINDS: frozenset[str] = frozenset(rule.kind for rule in RULES)
# The rows whose data is a snapshot of the object (no "before"): the before is the previous
# snapshot row of the same object.
SNAPSHOT_KINDS: frozenset[str] = frozenset(
    {
        "scope.activities_set",
        "subcontractor.created",
        "subcontractor.updated",
        "certificate.created",
        "certificate.updated",
    }
)

# The trail row that records an audit's outcome, by kind of audit.
OUTCOME_EVENTS: dict[str, str] = {
    AuditKind.INITIAL: "audit.decided",
    AuditKind.RENEWAL: "audit.decided",
    AuditKind.SURVEILLANCE: "audit.closed",
}
KINDS_WITH_DELTA: frozenset[str] = frozenset({AuditKind.SURVEILLANCE, AuditKind.RENEWAL})


def holds(rule: Rule, *, kind: str, data: Mapping[str, Any], facts: Mapping[When, bool]) -> bool:
    """Whether `rule` matches a row of `kind` with `data`; `facts` says what the row's data
    alone cannot (HOST_HOLDS, PREVIOUS_FINDING)."""
    if rule.kind != kind:
        return False
    if rule.when == When.ALWAYS:
        return True
    if rule.when == When.FIRST_VERSION:
        return data.get("version") == 1
    if rule.when == When.STATUS_CHANGED:
        return "status" in (data.get("changes") or {})
    return bool(facts.get(rule.when))


def classify(
    *, kind: str, data: Mapping[str, Any], host_holds: bool = False, previous_finding: bool = False
) -> tuple[Section, Change] | None:
    """The section and the change a trail row is, or None when it is not a change."""
    facts = {When.HOST_HOLDS: host_holds, When.PREVIOUS_FINDING: previous_finding}
    for rule in RULES:
        if holds(rule, kind=kind, data=data, facts=facts):
            return rule.section, rule.change
    return None


@dataclass(frozen=True)
class Outcome:
    """The trail row (its sequence number) that recorded one audit's outcome."""

    audit_id: int
    seq: int


@dataclass(frozen=True)
class Window:
    """The trail rows after `after_seq` up to `until_seq` (included; None: up to now)."""

    previous_audit_id: int
    after_seq: int
    until_seq: int | None

    def contains(self, seq: int) -> bool:
        return seq > self.after_seq and (self.until_seq is None or seq <= self.until_seq)


def delta_window(*, audit_id: int, kind: str, outcomes: Iterable[Outcome]) -> Window | None:
    """The window of the audit's delta from the outcome rows of the organisation's audits (one
    per audit: its first), or None when the audit has no delta."""
    if kind not in KINDS_WITH_DELTA:
        return None
    first: dict[int, int] = {}
    for outcome in outcomes:
        first[outcome.audit_id] = min(outcome.seq, first.get(outcome.audit_id, outcome.seq))
    own = first.pop(audit_id, None)
    earlier = [(seq, other) for other, seq in first.items() if own is None or seq < own]
    if not earlier:
        return None
    seq, previous = max(earlier)
    return Window(previous_audit_id=previous, after_seq=seq, until_seq=own)


def before_after(
    data: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> dict[str, list[Any]]:
    """What a snapshot row changed against the previous snapshot of the same object, as the
    trail's "changes" ({field: [before, after]}); every field when there is no previous one."""
    previous = previous or {}
    return {
        key: [previous.get(key), value]
        for key, value in data.items()
        if key != "holder" and previous.get(key) != value
    }
