"""The hosting chain (pure, no ORM): who covers each of the six HDS activities on a given day.

DOMAIN: the chain is covered only if every activity in scope is covered by the host's own
certificate or by a subcontractor's valid HDS certificate that names that activity (HDS v2 EXI 12
and chapter 8). An in-house activity before the host's first certificate counts as covered by the
certification being prepared; once the host holds a certificate, it must name the activity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scopes.activities import ACTIVITIES, Activity

EXPIRY_WARNING_DAYS = 90


class Cover(StrEnum):
    NOT_IN_SCOPE = "not_in_scope"
    IN_HOUSE_PENDING = "in_house_pending"  # the host's own certification is being prepared
    COVERED = "covered"
    EXPIRING = "expiring"  # covered, but the certificate ends within EXPIRY_WARNING_DAYS
    GAP = "gap"


@dataclass(frozen=True)
class CertificateFacts:
    holder: str  # the subcontractor's name, or the host's own name
    number: str
    activities: frozenset[int]
    issued_on: date
    expires_on: date  # the last day of validity, as printed on certificates

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.expires_on


@dataclass(frozen=True)
class Performer:
    """Who performs an activity in scope: the host (subcontractor None) or a subcontractor."""

    subcontractor: str | None


@dataclass(frozen=True)
class ActivityCover:
    activity: Activity
    cover: Cover
    performer: Performer | None
    certificate: CertificateFacts | None
    days_left: int | None

    @property
    def is_gap(self) -> bool:
        return self.cover == Cover.GAP


def _best(
    certificates: Sequence[CertificateFacts], activity: int, day: date
) -> CertificateFacts | None:
    valid = [c for c in certificates if activity in c.activities and c.valid_on(day)]
    return max(valid, key=lambda c: c.expires_on, default=None)


def hosting_chain(
    *,
    scope: Mapping[int, Performer],
    own_certificates: Sequence[CertificateFacts],
    subcontractor_certificates: Mapping[str, Sequence[CertificateFacts]],
    on: date,
    warning_days: int = EXPIRY_WARNING_DAYS,
) -> list[ActivityCover]:
    """One line per activity 1-6, in order, for the day `on`."""
    lines = []
    for activity in ACTIVITIES:
        performer = scope.get(activity.number)
        if performer is None:
            lines.append(ActivityCover(activity, Cover.NOT_IN_SCOPE, None, None, None))
            continue
        if performer.subcontractor is None:
            certificates: Sequence[CertificateFacts] = own_certificates
            if not certificates:
                lines.append(ActivityCover(activity, Cover.IN_HOUSE_PENDING, performer, None, None))
                continue
        else:
            certificates = subcontractor_certificates.get(performer.subcontractor, ())
        best = _best(certificates, activity.number, on)
        if best is None:
            lines.append(ActivityCover(activity, Cover.GAP, performer, None, None))
            continue
        days_left = (best.expires_on - on).days
        cover = Cover.EXPIRING if days_left <= warning_days else Cover.COVERED
        lines.append(ActivityCover(activity, cover, performer, best, days_left))
    return lines


def chain_is_complete(lines: Sequence[ActivityCover]) -> bool:
    in_scope = [line for line in lines if line.cover != Cover.NOT_IN_SCOPE]
    return bool(in_scope) and not any(line.is_gap for line in in_scope)
