"""Reading a snapshot in the active language: the facts frozen at publication with the labels of
today's catalogue (activities' wording, certificate kinds, the mandatory statement). Nothing here
reads the database, so a published version is rendered from its snapshot alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guarantees.facts import HOST, NO_TRANSFER_STATEMENT_FR, Statement
from scopes.activities import ACTIVITIES_BY_NUMBER


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


def activity_label(number: int) -> str:
    activity = ACTIVITIES_BY_NUMBER.get(number)
    if activity is None:
        return str(number)
    return activity.name_en if _english() else activity.wording_fr


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class CertificateRow:
    kind: str
    number: str
    body: str
    accreditation: str
    standard: str
    activities: list[int]
    issued_on: date | None
    expires_on: date | None


@dataclass(frozen=True)
class ActivityRow:
    number: int
    label: str


@dataclass(frozen=True)
class ActorRow:
    is_host: bool
    role: str
    name: str
    activities: list[ActivityRow]
    part_of_service: str
    certificates: list[CertificateRow]
    uncovered: list[int]


@dataclass(frozen=True)
class GuaranteesView:
    host_name: str
    as_of: date | None
    actors: list[ActorRow]
    statement: str
    statement_fr: str
    transfers: Mapping[str, Sequence[Mapping[str, Any]]] | None


def _kind_label(kind: str) -> str:
    return {"hds": "HDS", "iso27001": "ISO/IEC 27001"}.get(kind, kind)


def _certificate(row: Mapping[str, Any]) -> CertificateRow:
    return CertificateRow(
        kind=_kind_label(str(row.get("kind", ""))),
        number=str(row.get("number", "")),
        body=str(row.get("body", "")),
        accreditation=str(row.get("accreditation", "")),
        standard=str(row.get("standard", "")),
        activities=[int(n) for n in row.get("activities") or []],
        issued_on=_day(row.get("issued_on", "")),
        expires_on=_day(row.get("expires_on", "")),
    )


def _actor(row: Mapping[str, Any]) -> ActorRow:
    is_host = row.get("role") == HOST
    return ActorRow(
        is_host=is_host,
        role=_("Host") if is_host else _("Subcontractor"),
        name=str(row.get("name", "")),
        activities=[
            ActivityRow(int(n), activity_label(int(n))) for n in row.get("activities") or []
        ],
        part_of_service=str(row.get("part_of_service", "")),
        certificates=[_certificate(c) for c in row.get("certificates") or []],
        uncovered=[int(n) for n in row.get("uncovered") or []],
    )


def guarantees_view(snapshot: Mapping[str, Any]) -> GuaranteesView:
    """The page's content from a snapshot; call it inside the language to render in."""
    return GuaranteesView(
        host_name=str(snapshot.get("host", {}).get("name", "")),
        as_of=_day(snapshot.get("as_of", "")),
        actors=[_actor(row) for row in snapshot.get("actors") or []],
        statement=str(snapshot.get("statement", Statement.NOT_RECORDED.value)),
        statement_fr=NO_TRANSFER_STATEMENT_FR,
        transfers=snapshot.get("transfers"),
    )
