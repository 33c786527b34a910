"""The evidence app's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceItem
from hdsready.trail_events import TrailEventType, trail_events_register

PURPOSES = {"viewed": _("viewing"), "downloaded": _("download")}


def register() -> None:
    trail_events_register(
        {
            "evidence.created": TrailEventType(
                _("Evidence added"), model=EvidenceItem, keys={"owner": _("Owner")}
            ),
            "evidence.updated": TrailEventType(_("Evidence updated"), model=EvidenceItem),
            "evidence.retired": _("Evidence retired"),
            "evidence.reinstated": _("Evidence reinstated"),
            "evidence.version_added": TrailEventType(
                _("New version added"), keys={"sha256": _("SHA-256 fingerprint")}
            ),
            "evidence.viewed": _("Evidence viewed"),
            "evidence.downloaded": _("Evidence downloaded"),
            "evidence.integrity_failed": TrailEventType(
                _("Altered file refused"), choices={"purpose": PURPOSES}
            ),
        }
    )
