"""The sovereignty register's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hdsready.trail_events import TrailEventType, trail_events_register
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation


def register() -> None:
    trail_events_register(
        {
            "storage_location.created": TrailEventType(
                _("Storage location added"), model=StorageLocation
            ),
            "storage_location.updated": TrailEventType(
                _("Storage location updated"), model=StorageLocation
            ),
            "storage_location.deleted": TrailEventType(
                _("Storage location deleted"), model=StorageLocation
            ),
            "remote_access.created": TrailEventType(_("Remote access added"), model=RemoteAccess),
            "remote_access.updated": TrailEventType(_("Remote access updated"), model=RemoteAccess),
            "remote_access.deleted": TrailEventType(_("Remote access deleted"), model=RemoteAccess),
            "law_exposure.created": TrailEventType(
                _("Exposure to a non-EU law added"), model=LawExposure
            ),
            "law_exposure.updated": TrailEventType(
                _("Exposure to a non-EU law updated"), model=LawExposure
            ),
            "law_exposure.deleted": TrailEventType(
                _("Exposure to a non-EU law deleted"), model=LawExposure
            ),
        }
    )
