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

from guarantees.facts import (
    HOST,
    NO_TRANSFER_STATEMENT_FR,
    SECNUMCLOUD_STATEMENT_FR,
    Statement,
)
from scopes.activities import ACTIVITIES_BY_NUMBER
from sovereignty.countries import country_name
from sovereignty.models import RemoteAccess, ResidualRisk


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
class StorageRow:
    country: str
    in_eea: bool
    provider: str
    activities: list[int]
    secnumcloud: bool
    secnumcloud_reference: str


@dataclass(frozen=True)
class AccessRow:
    country: str
    basis: str
    safeguard: str
    actors: str
    purpose: str


@dataclass(frozen=True)
class ExposureRow:
    law: str
    country: str
    actor: str
    mitigations: str
    residual_risk: str


@dataclass(frozen=True)
class GuaranteesView:
    host_name: str
    as_of: date | None
    actors: list[ActorRow]
    statement: str
    statement_fr: str
    recorded: bool  # the register of transfers was read when the version was published
    storage: list[StorageRow]
    remote_accesses: list[AccessRow]
    law_exposures: list[ExposureRow]


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _storage(row: Mapping[str, Any]) -> StorageRow:
    return StorageRow(
        country=country_name(str(row.get("country", ""))),
        in_eea=bool(row.get("in_eea")),
        provider=str(row.get("provider", "")),
        activities=[int(n) for n in row.get("activities") or []],
        secnumcloud=bool(row.get("secnumcloud")),
        secnumcloud_reference=str(row.get("secnumcloud_reference", "")),
    )


def _access(row: Mapping[str, Any]) -> AccessRow:
    return AccessRow(
        country=country_name(str(row.get("country", ""))),
        basis=_label(RemoteAccess.Basis, str(row.get("basis", ""))),
        safeguard=str(row.get("safeguard", "")),
        actors=str(row.get("actors", "")),
        purpose=str(row.get("purpose", "")),
    )


def _exposure(row: Mapping[str, Any]) -> ExposureRow:
    jurisdiction = str(row.get("jurisdiction", ""))
    return ExposureRow(
        law=str(row.get("law", "")),
        country=country_name(jurisdiction) if jurisdiction else "",
        actor=str(row.get("actor", "")),
        mitigations=str(row.get("mitigations", "")),
        residual_risk=_label(ResidualRisk, str(row.get("residual_risk", ""))),
    )


def _rows(transfers: Mapping[str, Sequence[Mapping[str, Any]]] | None, key: str) -> list[Any]:
    return list((transfers or {}).get(key) or [])


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
    statement = str(snapshot.get("statement", Statement.NOT_RECORDED.value))
    transfers = snapshot.get("transfers")
    return GuaranteesView(
        host_name=str(snapshot.get("host", {}).get("name", "")),
        as_of=_day(snapshot.get("as_of", "")),
        actors=[_actor(row) for row in snapshot.get("actors") or []],
        statement=statement,
        statement_fr=SECNUMCLOUD_STATEMENT_FR
        if statement == Statement.SECNUMCLOUD
        else NO_TRANSFER_STATEMENT_FR,
        recorded=transfers is not None,
        storage=[_storage(row) for row in _rows(transfers, "storage")],
        remote_accesses=[_access(row) for row in _rows(transfers, "remote_accesses")],
        law_exposures=[_exposure(row) for row in _rows(transfers, "law_exposures")],
    )
