"""The guarantees app's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guarantees.facts import Statement
from guarantees.models import Publication
from hdsready.trail_events import TrailEventType, trail_events_register


def register() -> None:
    trail_events_register(
        {
            "guarantees.published": TrailEventType(
                _("Guarantees page published"),
                model=Publication,
                keys={"actors": _("Actors of the hosting chain"), "statement": _("Statement")},
                choices={
                    "statement": {
                        Statement.NO_TRANSFER.value: _("No transfer outside the EEA"),
                        Statement.TRANSFERS.value: _("Transfers outside the EEA listed"),
                        Statement.NOT_RECORDED.value: _("Transfers not recorded"),
                    }
                },
            ),
        }
    )
