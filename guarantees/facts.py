"""What the public guarantees page says (pure, no ORM): the actors of the hosting chain with their
activities and certificates (HDS v2 chapter 8, « présentation des garanties »), and the transfers
outside the European Economic Area with the statement EXI 31 makes mandatory.

The page is published as a snapshot: a JSON document of facts (names, numbers, dates, country
codes), never of sentences, so one frozen version reads in French or in English. `SNAPSHOT_SCHEMA`
is stored in every snapshot; a change of its shape adds a new number and keeps reading the old.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

SNAPSHOT_SCHEMA = 1

HOST = "host"
SUBCONTRACTOR = "subcontractor"


class Statement(StrEnum):
    """Which of EXI 31's forms of public information applies.

    Source: référentiel HDS v2 (arrêté of 26 April 2024), EXI 31. A host whose certified activity
    holds a SecNumCloud 3.2 qualification publishes `SECNUMCLOUD_STATEMENT_FR`; one without it that
    makes no transfer of personal health data outside the EEA publishes `NO_TRANSFER_STATEMENT_FR`;
    one that makes transfers, or is exposed to an unauthorised access under a non-EU law (EXI 30),
    publishes the table of chapter 8 with them.

    The register records SecNumCloud per storage location: the activity counts as qualified when
    every location holding its data is, and there is at least one. Transfers and exposures come
    first: a recorded transfer is published even beside a qualification.
    """

    SECNUMCLOUD = "secnumcloud"
    NO_TRANSFER = "no_transfer"
    TRANSFERS = "transfers"
    # The register of transfers was not available when the version was published.
    NOT_RECORDED = "not_recorded"


# The mandatory wording, verbatim from EXI 31 (regulatory text, printed in French whatever the
# page's language; the English page adds a translation beside it).
NO_TRANSFER_STATEMENT_FR = (
    "aucun transfert de données de santé à caractère personnel vers un pays tiers à l’espace "
    "économique européen"
)
SECNUMCLOUD_STATEMENT_FR = (
    "aucun risque d’accès imposé par la législation d’un pays tiers "
    "en violation du droit de l’Union"
)


@dataclass(frozen=True)
class CertificateFact:
    kind: str  # "hds" or "iso27001"
    number: str
    body: str
    accreditation: str
    standard: str
    activities: tuple[int, ...]
    issued_on: date
    expires_on: date

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.expires_on


@dataclass(frozen=True)
class ActorFact:
    role: str  # HOST or SUBCONTRACTOR
    name: str
    activities: tuple[int, ...]
    part_of_service: str = ""
    certificates: tuple[CertificateFact, ...] = ()


@dataclass(frozen=True)
class TransferFacts:
    """The sovereignty register as plain rows (JSON-ready mappings of codes, names, numbers):
    every storage location with `in_eea` and `secnumcloud`, the remote accesses from outside the
    EEA, the exposures to non-EU laws."""

    storage: Sequence[Mapping[str, Any]] = ()
    remote_accesses: Sequence[Mapping[str, Any]] = ()
    law_exposures: Sequence[Mapping[str, Any]] = ()

    @property
    def any_transfer(self) -> bool:
        outside = any(not row.get("in_eea") for row in self.storage)
        return outside or bool(self.remote_accesses)

    @property
    def secnumcloud(self) -> bool:
        return bool(self.storage) and all(row.get("secnumcloud") for row in self.storage)


@dataclass(frozen=True)
class GuaranteesFacts:
    host_name: str
    on: date
    actors: tuple[ActorFact, ...]
    transfers: TransferFacts | None = None


def statement_for(transfers: TransferFacts | None) -> Statement:
    if transfers is None:
        return Statement.NOT_RECORDED
    if transfers.any_transfer or transfers.law_exposures:
        return Statement.TRANSFERS
    if transfers.secnumcloud:
        return Statement.SECNUMCLOUD
    return Statement.NO_TRANSFER


def _uncovered(actor: ActorFact, on: date) -> list[int]:
    """The actor's activities that none of its HDS certificates valid on `on` names."""
    covered: set[int] = set()
    for certificate in actor.certificates:
        if certificate.kind == "hds" and certificate.valid_on(on):
            covered |= set(certificate.activities)
    return sorted(set(actor.activities) - covered)


def _certificate(certificate: CertificateFact) -> dict[str, Any]:
    return {
        "kind": certificate.kind,
        "number": certificate.number,
        "body": certificate.body,
        "accreditation": certificate.accreditation,
        "standard": certificate.standard,
        "activities": sorted(certificate.activities),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
    }


def snapshot_of(facts: GuaranteesFacts) -> dict[str, Any]:
    """The JSON document a publication freezes. Only the certificates valid on the day are
    listed (an expired certificate guarantees nothing); an activity no valid HDS certificate of
    its actor names is listed as uncovered, so the page says it rather than hide it."""
    actors = []
    for actor in facts.actors:
        valid = [c for c in actor.certificates if c.valid_on(facts.on)]
        valid.sort(key=lambda c: (c.kind, c.number))
        actors.append(
            {
                "role": actor.role,
                "name": actor.name,
                "activities": sorted(actor.activities),
                "part_of_service": actor.part_of_service,
                "certificates": [_certificate(c) for c in valid],
                "uncovered": _uncovered(actor, facts.on),
            }
        )
    transfers = facts.transfers
    return {
        "schema": SNAPSHOT_SCHEMA,
        "host": {"name": facts.host_name},
        "as_of": facts.on.isoformat(),
        "actors": actors,
        "statement": statement_for(transfers).value,
        "transfers": None
        if transfers is None
        else {
            "storage": [dict(row) for row in transfers.storage],
            "remote_accesses": [dict(row) for row in transfers.remote_accesses],
            "law_exposures": [dict(row) for row in transfers.law_exposures],
        },
    }
