"""The dossiers app's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, DossierKind
from hdsready.trail_events import TrailEventType, choices_of, trail_events_register


def register() -> None:
    choices = {"kind": choices_of(DossierKind), "language": choices_of(dict(settings.LANGUAGES))}
    trail_events_register(
        {
            "dossier.requested": TrailEventType(
                _("Dossier requested"), model=Dossier, choices=choices
            ),
            "dossier.retried": _("Dossier requested again"),
            "dossier.ready": TrailEventType(_("Dossier ready"), model=Dossier),
            "dossier.downloaded": TrailEventType(_("Dossier downloaded"), model=Dossier),
            "dossier.integrity_failed": TrailEventType(_("Altered dossier refused"), model=Dossier),
        }
    )
