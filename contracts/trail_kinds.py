"""The contracts app's audit-trail events, declared to the core's registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.clauses import CLAUSES_BY_REF
from contracts.models import ClauseState, Client, ClientContact, Contract
from hdsready.trail_events import TrailEventType, TrailLine, choices_of, trail_events_register


def _clauses(data: Mapping[str, Any]) -> list[TrailLine]:
    states = choices_of(ClauseState)
    lines = []
    for ref_id, answer in (data.get("clauses") or {}).items():
        clause = CLAUSES_BY_REF.get(ref_id)
        label = f"{ref_id} {clause.label}" if clause else ref_id
        if answer is None:
            text = gettext("own answer removed: the template's applies")
        else:
            text = str(states.get(answer.get("state"), answer.get("state")))
            if answer.get("reference"):
                text += f" ({answer['reference']})"
            if answer.get("note"):
                text = gettext("%(answer)s: %(note)s") % {"answer": text, "note": answer["note"]}
        lines.append(TrailLine(label, text))
    return lines


def register() -> None:
    contract_keys = {"is_template": _("Template"), "signed_copy": _("Signed copy")}
    trail_events_register(
        {
            "client.created": TrailEventType(_("Client added"), model=Client),
            "client.updated": TrailEventType(_("Client updated"), model=Client),
            "client.deleted": TrailEventType(_("Client deleted"), model=Client),
            "client_contact.created": TrailEventType(
                _("Client contact added"), model=ClientContact, keys={"client": _("Client")}
            ),
            "client_contact.updated": TrailEventType(
                _("Client contact updated"), model=ClientContact, keys={"client": _("Client")}
            ),
            "client_contact.deleted": TrailEventType(
                _("Client contact deleted"), model=ClientContact, keys={"client": _("Client")}
            ),
            "client_contacts.exported": TrailEventType(
                _("Client contacts exported"), keys={"rows": _("Contacts")}
            ),
            "client.certificates_sent": TrailEventType(
                _("Certificates handed to a client (EXI 12)"),
                keys={
                    "client": _("Client"),
                    "certificates": _("Certificates"),
                    "missing_files": _("Listed without their file"),
                },
            ),
            "contract.created": TrailEventType(
                _("Contract added"), model=Contract, keys=contract_keys
            ),
            "contract.updated": TrailEventType(
                _("Contract updated"), model=Contract, keys=contract_keys
            ),
            "contract.deleted": TrailEventType(_("Contract deleted"), model=Contract),
            "contract.clauses_set": TrailEventType(
                _("Contract clauses answered"), describe=_clauses
            ),
        }
    )
