"""The hosting chain (pure, no ORM): who covers each of the six HDS activities on a given day.

DOMAIN: the chain is covered only if every activity in scope is covered by the host's own
certificate or by a subcontractor's valid HDS certificate that names that activity (HDS v2 EXI 12
and chapter 8). An in-house activity before the host's first certificate counts as covered by the
certification being prepared; once the host holds a certificate, it must name the activity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from scopes.activities import ACTIVITIES, Activity

EXPIRY_WARNING_DAYS = 90


class Cover(StrEnum):
    NOT_IN_SCOPE = "not_in_scope"
    IN_HOUSE_PENDING = "in_house_pending"  # the host's own certification is being prepared
    COVERED = "covered"
    EXPIRING = "expiring"  # covered, but the certificate ends within EXPIRY_WARNING_DAYS
    GAP = "gap"


# The body's decisions that end a certificate's cover from their date (scopes.models keeps the
# same values; this module stays free of the ORM).
LAPSED = frozenset({"suspended", "withdrawn"})


def last_covered_day(*, expires_on: date, status: str, status_from: date | None) -> date:
    """The last day a certificate covers: its printed expiry, or the day before a suspension or
    withdrawal applies (HDS v2 EXI 14: a lapsed certificate covers no day from its status date)."""
    if status in LAPSED and status_from is not None:
        return min(expires_on, status_from - timedelta(days=1))
    return expires_on


def calls_for_procedure(
    *, expires_on: date, status: str, today: date, warning_days: int = EXPIRY_WARNING_DAYS
) -> bool:
    """HDS v2 EXI 14: whether a certificate calls for the loss-of-certification procedure on
    `today`: suspended or withdrawn, or ending within the warning window (or ended). A renewal
    recorded on the certificate (its expiry moved past the window) ends the need."""
    return status in LAPSED or expires_on <= today + timedelta(days=warning_days)


@dataclass(frozen=True)
class CertificateFacts:
    holder: str  # the subcontractor's name, or the host's own name
    number: str
    activities: frozenset[int]
    issued_on: date
    expires_on: date  # the last day of validity, as printed on certificates
    status: str = "valid"  # valid, suspended or withdrawn (the stored decision)
    status_from: date | None = None  # the first day a suspension or withdrawal applies

    @property
    def last_day(self) -> date:
        return last_covered_day(
            expires_on=self.expires_on, status=self.status, status_from=self.status_from
        )

    def valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.last_day

    def lapsed_on(self, day: date) -> bool:
        """Within its printed validity, but suspended or withdrawn on that day."""
        return self.issued_on <= day <= self.expires_on and not self.valid_on(day)


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
    # On a gap: the certificate naming the activity that would cover the day but is suspended
    # or withdrawn, so the page says why.
    lapsed: CertificateFacts | None = None

    @property
    def is_gap(self) -> bool:
        return self.cover == Cover.GAP


def _best(
    certificates: Sequence[CertificateFacts], activity: int, day: date
) -> CertificateFacts | None:
    valid = [c for c in certificates if activity in c.activities and c.valid_on(day)]
    return max(valid, key=lambda c: c.last_day, default=None)


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
            lapsed = next(
                (c for c in certificates if activity.number in c.activities and c.lapsed_on(on)),
                None,
            )
            lines.append(ActivityCover(activity, Cover.GAP, performer, None, None, lapsed))
            continue
        days_left = (best.last_day - on).days
        cover = Cover.EXPIRING if days_left <= warning_days else Cover.COVERED
        lines.append(ActivityCover(activity, cover, performer, best, days_left))
    return lines


def chain_is_complete(lines: Sequence[ActivityCover]) -> bool:
    in_scope = [line for line in lines if line.cover != Cover.NOT_IN_SCOPE]
    return bool(in_scope) and not any(line.is_gap for line in in_scope)
