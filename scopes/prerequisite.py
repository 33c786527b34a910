"""ISO/IEC 27001 prerequisite checks (pure, no ORM).

HDS v2 EXI 01 and 04: the host's ISMS is certified ISO/IEC 27001 (or an equivalent, see
scopes.iso_standards) and its scope covers all the host's HDS activities. An activity the host
relies on a subcontractor for is covered by that subcontractor's HDS certificate (the hosting
chain, scopes.chain), not by the host's ISMS: only the activities the host performs itself must
be inside its ISO scope. The certificate must also last through the HDS milestones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from scopes.chain import Performer, last_covered_day
from scopes.iso_standards import standard_accepted


class IsoFlag(StrEnum):
    MISSING = "missing"
    EXPIRED = "expired"
    # Suspended or withdrawn by the certification body (HDS v2 EXI 14): it covers no day from
    # the decision's date, whatever its printed expiry.
    LAPSED = "lapsed"
    # Not against an accepted standard: the 2013 edition, or no standard recorded.
    OLD_EDITION = "old_edition"
    ACTIVITIES_OUTSIDE_SCOPE = "activities_outside_scope"
    ENDS_BEFORE_HDS_CERTIFICATE = "ends_before_hds_certificate"
    ENDS_BEFORE_AUDIT = "ends_before_audit"


@dataclass(frozen=True)
class IsoFacts:
    standard: str  # an IsoStandard code
    activities: frozenset[int]
    issued_on: date
    expires_on: date
    status: str = "valid"  # valid, suspended or withdrawn (the stored decision)
    status_from: date | None = None

    @property
    def last_covered_day(self) -> date:
        return last_covered_day(
            expires_on=self.expires_on, status=self.status, status_from=self.status_from
        )


@dataclass(frozen=True)
class IsoCheck:
    flags: list[IsoFlag]
    activities_outside: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.flags


def in_house_activities(scope: Mapping[int, Performer]) -> set[int]:
    """The activities in scope the host performs itself: those its ISO scope must cover."""
    return {number for number, performer in scope.items() if performer.subcontractor is None}


def iso_prerequisite_check(
    *,
    iso: IsoFacts | None,
    scope: Mapping[int, Performer],
    today: date,
    hds_certificate_expires_on: date | None = None,
    next_audit_on: date | None = None,
) -> IsoCheck:
    """`scope` maps each HDS activity in scope to who performs it, as for the hosting chain."""
    if iso is None:
        return IsoCheck([IsoFlag.MISSING])
    flags = []
    last_day = iso.last_covered_day
    if iso.expires_on < today:  # expires_on is the last valid day
        flags.append(IsoFlag.EXPIRED)
    elif last_day < today:
        flags.append(IsoFlag.LAPSED)
    if not standard_accepted(iso.standard):
        flags.append(IsoFlag.OLD_EDITION)
    outside = sorted(in_house_activities(scope) - iso.activities)
    if outside:
        flags.append(IsoFlag.ACTIVITIES_OUTSIDE_SCOPE)
    if hds_certificate_expires_on is not None and last_day < hds_certificate_expires_on:
        flags.append(IsoFlag.ENDS_BEFORE_HDS_CERTIFICATE)
    if next_audit_on is not None and last_day < next_audit_on:
        flags.append(IsoFlag.ENDS_BEFORE_AUDIT)
    return IsoCheck(flags, outside)
