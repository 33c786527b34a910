"""The access reviews' audit-trail events, declared to the core's registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accessreviews.models import Campaign, CampaignItem, Decision, ReviewPolicy, SubjectKind
from accessreviews.rules import Interval
from hdsready.trail_events import TrailEventType, choices_of, trail_events_register


def register() -> None:
    trail_events_register(
        {
            "access_review.opened": TrailEventType(
                _("Access review opened"),
                model=Campaign,
                keys={
                    "members": _("Members"),
                    "auditor_accesses": _("Auditor accesses"),
                    "tokens": _("API tokens"),
                    "flagged": _("Flagged lines"),
                },
            ),
            "access_review.decided": TrailEventType(
                _("Access review line decided"),
                model=CampaignItem,
                keys={"already_revoked": _("Already revoked elsewhere")},
                choices={"subject_kind": choices_of(SubjectKind), "decision": choices_of(Decision)},
                hidden=frozenset({"campaign"}),
            ),
            "access_review.closed": TrailEventType(
                _("Access review closed"),
                model=Campaign,
                keys={
                    "confirmed": pgettext_lazy("access decision", "Confirmed"),
                    "revoked": pgettext_lazy("access decision", "Revoked"),
                },
                hidden=frozenset({"evidence"}),
            ),
            "access_review.policy_changed": TrailEventType(
                _("Access review interval changed"),
                model=ReviewPolicy,
                choices={"from": choices_of(Interval), "to": choices_of(Interval)},
            ),
        }
    )
