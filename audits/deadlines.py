"""The dates of the HDS certification cycle, as pure functions (no ORM, no clock).

Rules (shared DOMAIN.md, référentiel HDS v2 and its certification scheme):
- the host has 3 months after the END of the on-site audit (stage 2) to correct the
  non-conformities AND have the corrections audited; past that, the on-site audit is redone.
  Calendar months: 31 January + 3 months = 30 April (the month's last day when it is shorter);
- the certificate is valid 3 years from the certification decision;
- surveillance audits every year, the first no later than 12 months after the decision;
- a renewal audit before the expiry starts a new cycle.
Dates are calendar dates in Europe/Paris; a deadline is reached at the end of its day there.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

CORRECTION_WINDOW_MONTHS = 3
CERTIFICATE_VALIDITY_MONTHS = 36
SURVEILLANCE_INTERVAL_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def correction_deadline(*, onsite_audit_end: date) -> date:
    """Last day to correct the non-conformities and have the corrections audited."""
    return add_months(onsite_audit_end, CORRECTION_WINDOW_MONTHS)


def certificate_expiry(*, decision_date: date) -> date:
    """Last day of validity of a certificate decided on `decision_date` (3 years)."""
    return add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS) - timedelta(days=1)


def first_surveillance_due(*, decision_date: date) -> date:
    """The first surveillance audit takes place no later than 12 months after the decision."""
    return add_months(decision_date, SURVEILLANCE_INTERVAL_MONTHS)


def surveillance_due_dates(*, decision_date: date) -> list[date]:
    """The surveillance audits of a 3-year cycle: 12 and 24 months after the decision."""
    return [
        add_months(decision_date, SURVEILLANCE_INTERVAL_MONTHS * year)
        for year in range(1, CERTIFICATE_VALIDITY_MONTHS // SURVEILLANCE_INTERVAL_MONTHS)
    ]


def renewal_audit_due(*, decision_date: date) -> date:
    """The renewal audit is due early enough that its decision, after up to 3 months of
    corrections, falls before the certificate's last day of validity: its on-site audit ends
    at the latest 3 months before that day."""
    return add_months(certificate_expiry(decision_date=decision_date), -CORRECTION_WINDOW_MONTHS)


def renewal_too_late(*, onsite_audit_end: date, certificate_expires_on: date) -> bool:
    """A renewal whose on-site audit ends so late that the correction window runs past the
    certificate's last day: the decision may come after the certificate has expired."""
    return correction_deadline(onsite_audit_end=onsite_audit_end) > certificate_expires_on


def end_of_day(*, day: date) -> datetime:
    """The instant a deadline `day` is reached: midnight at the end of that day in Paris,
    as an aware datetime (DST-safe: the next Paris midnight, whatever the offset)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS)


def deadline_passed(*, deadline: date, now: datetime) -> bool:
    """True once the end of the deadline's day in Paris is reached. `now` must be aware."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now >= end_of_day(day=deadline)


def paris_date(*, now: datetime) -> date:
    """The calendar date in Paris at the instant `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(PARIS).date()


def days_left(*, deadline: date, now: datetime) -> int:
    """Whole days from today in Paris to the deadline: 0 on its day, negative once passed."""
    return (deadline - paris_date(now=now)).days
