"""The audits app's audit-trail events: the certification workflow's, named by its actions in
audits/workflow.py, and the others the app writes."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from audits import workflow
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    CarryOverOutcome,
    Decision,
    DecisionOutcome,
    EvidenceReview,
    Finding,
    FindingKind,
    ReviewDecision,
    Stage,
)
from hdsready.trail_events import TrailEventType, choices_of, trail_events_register

REASONS = {
    "replaced by a new invitation": _("replaced by a new invitation"),
    "revoked": _("access revoked"),
    "window ended": _("access window ended"),
}


# The workflow's actions and the check of a carried-over finding, defined beside them.
TRAILED = (*workflow.ACTIONS, workflow.CARRYOVER_CHECK)


def register() -> None:
    statuses = choices_of(AuditStatus)
    workflow_choices: dict[str, Mapping[str, object]] = {
        "action": {action.name: action.label for action in TRAILED},
        "as": choices_of(workflow.ACTOR_LABELS),
        "from": statuses,
        "to": statuses,
        "kind": choices_of(FindingKind, AuditKind),
        "stage": choices_of(Stage),
        "outcome": choices_of(DecisionOutcome),
        "decision": choices_of(ReviewDecision),
        "check": choices_of(CarryOverOutcome),
    }
    workflow_keys = {
        "action": _("Action"),
        "as": _("As"),
        "from": _("Status before"),
        "to": _("Status after"),
        "start": _("Start date"),
        "end": _("End date"),
        "versions": _("Evidence versions frozen"),
        "previous": _("Previous date"),
        "accepted": _("Accepted"),
        "ended_on": _("On-site audit ended on"),
        "due_on": _("Action plan due by"),
        "check": _("Outcome of the check"),
    }
    models = {
        "finding.": Finding,
        "evidence_review.": EvidenceReview,
        "audit.decided": Decision,
    }
    trail_events_register(
        {
            action.event: TrailEventType(
                action.event_label,
                model=next(
                    (m for prefix, m in models.items() if action.event.startswith(prefix)), Audit
                ),
                keys=workflow_keys,
                choices=workflow_choices,
                hidden=frozenset({"letter", "evidence", "version", "audit"}),
            )
            for action in TRAILED
        }
    )
    trail_events_register(
        {
            "cycle.created": TrailEventType(
                _("Certification cycle opened"), keys={"body": _("Certification body")}
            ),
            "audit.planned": TrailEventType(
                _("Audit planned"), model=Audit, choices={"kind": choices_of(AuditKind)}
            ),
            "evidence_review.answered": TrailEventType(
                _("Review answered"), keys={"number": _("Version")}, hidden=frozenset({"version"})
            ),
            "auditor_access.accepted": _("Auditor invitation accepted"),
            "auditor_access.revoked": TrailEventType(
                _("Auditor access revoked"), choices={"reason": REASONS}
            ),
            "auditor_access.permissions_removed": TrailEventType(
                _("Auditor permissions removed"), choices={"reason": REASONS}
            ),
            "calendar_token.created": _("Calendar link created"),
            "calendar_token.revoked": _("Calendar link revoked"),
        }
    )
    trail_events_register(
        {
            "programme.proposed": TrailEventType(
                _("Audit programme proposed"),
                keys={
                    "audits": _("Surveillance audits"),
                    "requirements": _("Requirements in each"),
                },
                hidden=frozenset({"audits"}),
            ),
            "programme.requirement_placed": TrailEventType(
                _("Requirement placed in the audit programme"),
                keys={
                    "requirement": _("Requirement"),
                    "added": _("Added to"),
                    "removed": _("Removed from"),
                },
            ),
            "programme.body_plan_marked": TrailEventType(
                _("Audit programme marked as the certification body's plan"),
                keys={
                    "reference": _("Reference of the body's plan"),
                    "lines": _("Requirements"),
                },
            ),
        }
    )
