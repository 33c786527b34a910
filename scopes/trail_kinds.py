"""The scope app's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hdsready.trail_events import TrailEventType, TrailLine, choices_of, trail_events_register
from scopes.models import (
    ActivityMode,
    Certificate,
    CertificateKind,
    CertificateStatus,
    HostProfile,
    ProcedureClosing,
    ProcedureTaskKind,
    ProcedureTrigger,
    ReadinessEntry,
    SoAEntry,
    Subcontractor,
)


def _activities(data: Mapping[str, Any]) -> list[TrailLine]:
    modes = choices_of(ActivityMode)
    lines = []
    for number, choice in (data.get("activities") or {}).items():
        text = str(modes.get(choice.get("mode"), choice.get("mode")))
        if choice.get("subcontractor"):
            text = gettext("%(mode)s: %(subcontractor)s") % {
                "mode": text,
                "subcontractor": choice["subcontractor"],
            }
        lines.append(TrailLine(gettext("Activity %(number)s") % {"number": number}, text))
    return lines


def register() -> None:
    certificate_kinds = {"kind": choices_of(CertificateKind)}
    statuses = choices_of(CertificateStatus)
    trail_events_register(
        {
            "scope.activities_set": TrailEventType(
                _("Activities in scope set"), describe=_activities
            ),
            "scope.profile_updated": TrailEventType(_("Host profile updated"), model=HostProfile),
            "subcontractor.created": TrailEventType(_("Subcontractor added"), model=Subcontractor),
            "subcontractor.updated": TrailEventType(
                _("Subcontractor updated"), model=Subcontractor
            ),
            "certificate.created": TrailEventType(
                _("Certificate added"),
                model=Certificate,
                keys={"holder": _("Holder"), "standard": _("Standard")},
                choices=certificate_kinds,
            ),
            "certificate.updated": TrailEventType(
                _("Certificate updated"),
                model=Certificate,
                keys={"holder": _("Holder"), "standard": _("Standard")},
                choices=certificate_kinds,
            ),
            "certificate.status_set": TrailEventType(
                _("Certificate status set"),
                model=Certificate,
                keys={
                    "holder": _("Holder"),
                    "from_status": _("Previous status"),
                    "status_from": _("Applies from"),
                    "reason": _("Reason"),
                },
                choices={"status": statuses, "from_status": statuses},
            ),
            "certificate.procedure_opened": TrailEventType(
                _("Certificate procedure opened (EXI 14)"),
                model=Certificate,
                keys={
                    "holder": _("Holder"),
                    "trigger": _("Opened because"),
                    "gap_from": _("Gap from"),
                },
                choices={"trigger": choices_of(ProcedureTrigger)},
            ),
            "certificate.procedure_task_done": TrailEventType(
                _("Certificate procedure task done (EXI 14)"),
                model=Certificate,
                keys={"holder": _("Holder"), "task": _("Task")},
                choices={"task": choices_of(ProcedureTaskKind)},
            ),
            "certificate.procedure_closed": TrailEventType(
                _("Certificate procedure closed (EXI 14)"),
                model=Certificate,
                keys={"holder": _("Holder"), "because": _("Because")},
                choices={"because": choices_of(ProcedureClosing)},
            ),
            "certificate.deleted": TrailEventType(
                _("Certificate deleted"), model=Certificate, choices=certificate_kinds
            ),
            "readiness.updated": TrailEventType(_("Readiness updated"), model=ReadinessEntry),
            "soa.updated": TrailEventType(_("Statement of Applicability updated"), model=SoAEntry),
            "soa.imported": TrailEventType(
                _("Statement of Applicability imported"),
                keys={"rows": _("Rows read"), "changed": _("Controls changed")},
            ),
            "certified_hosts.uploaded": TrailEventType(
                _("List of certified hosts uploaded"),
                keys={"filename": _("File name"), "sha256": _("SHA-256"), "rows": _("Rows read")},
            ),
            "certified_hosts.imported": TrailEventType(
                _("List of certified hosts imported"),
                keys={
                    "filename": _("File name"),
                    "sha256": _("SHA-256"),
                    "rows": _("Rows imported"),
                    "columns": _("Columns"),
                },
            ),
            "framework.imported": TrailEventType(
                _("Framework imported"),
                keys={
                    "library_urn": _("Library URN"),
                    "urn": _("URN"),
                    "nodes": _("Nodes"),
                    "assessable": _("Assessable requirements"),
                },
            ),
        }
    )
