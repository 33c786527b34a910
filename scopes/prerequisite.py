"""ISO/IEC 27001 prerequisite checks (pure, no ORM).

HDS v2 EXI 01 and 04: the host's ISMS is certified ISO/IEC 27001 and its scope covers all the
host's HDS activities. The certificate must also last through the HDS milestones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

CURRENT_EDITION = "2022"


class IsoFlag(StrEnum):
    MISSING = "missing"
    EXPIRED = "expired"
    OLD_EDITION = "old_edition"
    ACTIVITIES_OUTSIDE_SCOPE = "activities_outside_scope"
    ENDS_BEFORE_HDS_CERTIFICATE = "ends_before_hds_certificate"
    ENDS_BEFORE_AUDIT = "ends_before_audit"


@dataclass(frozen=True)
class IsoFacts:
    edition: str
    activities: frozenset[int]
    issued_on: date
    expires_on: date


@dataclass(frozen=True)
class IsoCheck:
    flags: list[IsoFlag]
    activities_outside: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.flags


def iso_prerequisite_check(
    *,
    iso: IsoFacts | None,
    hds_activities: Iterable[int],
    today: date,
    hds_certificate_expires_on: date | None = None,
    next_audit_on: date | None = None,
) -> IsoCheck:
    if iso is None:
        return IsoCheck([IsoFlag.MISSING])
    flags = []
    if iso.expires_on < today:  # expires_on is the last valid day
        flags.append(IsoFlag.EXPIRED)
    if CURRENT_EDITION not in iso.edition:
        flags.append(IsoFlag.OLD_EDITION)
    outside = sorted(set(hds_activities) - iso.activities)
    if outside:
        flags.append(IsoFlag.ACTIVITIES_OUTSIDE_SCOPE)
    if hds_certificate_expires_on is not None and iso.expires_on < hds_certificate_expires_on:
        flags.append(IsoFlag.ENDS_BEFORE_HDS_CERTIFICATE)
    if next_audit_on is not None and iso.expires_on < next_audit_on:
        flags.append(IsoFlag.ENDS_BEFORE_AUDIT)
    return IsoCheck(flags, outside)
