"""The cycle's dates, pinned by hand-written cases: month ends, leap years, DST, year ends."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audits.deadlines import (
    add_months,
    certificate_expiry,
    correction_deadline,
    days_left,
    deadline_passed,
    end_of_day,
    first_surveillance_due,
    paris_date,
    renewal_audit_due,
    renewal_too_late,
    surveillance_due_dates,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("onsite_end", "deadline"),
    [
        # Plain cases.
        (date(2026, 1, 15), date(2026, 4, 15)),
        (date(2026, 3, 1), date(2026, 6, 1)),
        (date(2026, 6, 10), date(2026, 9, 10)),
        # Month ends: the last day of a shorter month.
        (date(2026, 1, 31), date(2026, 4, 30)),
        (date(2026, 3, 31), date(2026, 6, 30)),
        (date(2026, 5, 31), date(2026, 8, 31)),
        (date(2026, 8, 31), date(2026, 11, 30)),
        (date(2026, 10, 31), date(2027, 1, 31)),
        (date(2026, 12, 31), date(2027, 3, 31)),
        (date(2026, 4, 30), date(2026, 7, 30)),
        (date(2026, 6, 30), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 12, 30)),
        # February: 28 or 29 days.
        (date(2025, 11, 30), date(2026, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2027, 11, 29), date(2028, 2, 29)),
        (date(2027, 11, 28), date(2028, 2, 28)),
        (date(2026, 11, 29), date(2027, 2, 28)),
        (date(2099, 11, 30), date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2399, 11, 30), date(2400, 2, 29)),  # 2400 is
        # From a leap day.
        (date(2028, 2, 29), date(2028, 5, 29)),
        # Year ends.
        (date(2026, 10, 1), date(2027, 1, 1)),
        (date(2026, 12, 1), date(2027, 3, 1)),
        (date(2026, 11, 15), date(2027, 2, 15)),
        # Around the DST changes (calendar dates are unaffected).
        (date(2026, 3, 29), date(2026, 6, 29)),
        (date(2026, 10, 25), date(2027, 1, 25)),
        (date(2026, 12, 28), date(2027, 3, 28)),
        (date(2026, 7, 26), date(2026, 10, 26)),
    ],
)
def test_correction_deadline(onsite_end, deadline):
    assert correction_deadline(onsite_audit_end=onsite_end) == deadline


@pytest.mark.parametrize(
    ("decision", "first_surveillance", "expiry", "renewal_due"),
    [
        (date(2026, 5, 16), date(2027, 5, 16), date(2029, 5, 15), date(2029, 2, 15)),
        (date(2026, 1, 1), date(2027, 1, 1), date(2028, 12, 31), date(2028, 9, 30)),
        (date(2026, 12, 31), date(2027, 12, 31), date(2029, 12, 30), date(2029, 9, 30)),
        (date(2028, 2, 29), date(2029, 2, 28), date(2031, 2, 27), date(2030, 11, 27)),
        (date(2027, 2, 28), date(2028, 2, 28), date(2030, 2, 27), date(2029, 11, 27)),
        (date(2026, 3, 1), date(2027, 3, 1), date(2029, 2, 28), date(2028, 11, 28)),
        (date(2029, 3, 1), date(2030, 3, 1), date(2032, 2, 29), date(2031, 11, 29)),
        (date(2026, 8, 31), date(2027, 8, 31), date(2029, 8, 30), date(2029, 5, 30)),
    ],
)
def test_certificate_dates(decision, first_surveillance, expiry, renewal_due):
    assert first_surveillance_due(decision_date=decision) == first_surveillance
    assert certificate_expiry(decision_date=decision) == expiry
    # The renewal's on-site audit ends 3 months before the expiry at the latest, so that its
    # correction window (and the decision) fits before the certificate's last day.
    assert renewal_audit_due(decision_date=decision) == renewal_due
    assert correction_deadline(onsite_audit_end=renewal_due) <= expiry


@pytest.mark.parametrize(
    ("onsite_end", "too_late"),
    [
        (date(2029, 2, 15), False),  # the window ends on the expiry day itself
        (date(2029, 2, 14), False),
        (date(2029, 2, 16), True),
        (date(2029, 5, 15), True),
    ],
)
def test_renewal_too_late(onsite_end, too_late):
    assert (
        renewal_too_late(onsite_audit_end=onsite_end, certificate_expires_on=date(2029, 5, 15))
        is too_late
    )


def test_surveillance_every_year_of_the_cycle():
    assert surveillance_due_dates(decision_date=date(2026, 5, 16)) == [
        date(2027, 5, 16),
        date(2028, 5, 16),
    ]
    assert surveillance_due_dates(decision_date=date(2028, 2, 29)) == [
        date(2029, 2, 28),
        date(2030, 2, 28),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), 13, date(2027, 2, 28)),
        (date(2026, 1, 31), 25, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 12, 15), 12, date(2027, 12, 15)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


class TestEndOfDayInParis:
    def test_winter_day_ends_at_23_utc(self):
        assert end_of_day(day=date(2027, 1, 15)).astimezone(UTC) == datetime(
            2027, 1, 15, 23, tzinfo=UTC
        )

    def test_summer_day_ends_at_22_utc(self):
        assert end_of_day(day=date(2026, 7, 15)).astimezone(UTC) == datetime(
            2026, 7, 15, 22, tzinfo=UTC
        )

    def test_day_before_spring_forward_ends_at_23_utc(self):
        # Clocks go forward at 02:00 on 29 March 2026: the 28th still ends in winter time.
        assert end_of_day(day=date(2026, 3, 28)).astimezone(UTC) == datetime(
            2026, 3, 28, 23, tzinfo=UTC
        )
        # The 23-hour day itself ends at 22:00 UTC.
        assert end_of_day(day=date(2026, 3, 29)).astimezone(UTC) == datetime(
            2026, 3, 29, 22, tzinfo=UTC
        )

    def test_fall_back_day_has_25_hours(self):
        # Clocks go back at 03:00 on 25 October 2026.
        start = end_of_day(day=date(2026, 10, 24))
        end = end_of_day(day=date(2026, 10, 25))
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


class TestDeadlinePassed:
    deadline = date(2026, 4, 30)

    @pytest.mark.parametrize(
        ("instant", "passed"),
        [
            (datetime(2026, 4, 30, 0, 0, tzinfo=PARIS), False),
            (datetime(2026, 4, 30, 23, 59, 59, tzinfo=PARIS), False),
            (datetime(2026, 5, 1, 0, 0, tzinfo=PARIS), True),
            (datetime(2026, 4, 30, 21, 59, 59, tzinfo=UTC), False),  # 23:59:59 in Paris
            (datetime(2026, 4, 30, 22, 0, 0, tzinfo=UTC), True),  # midnight in Paris
            (datetime(2026, 4, 30, 23, 30, tzinfo=UTC), True),  # still the 30th in London
        ],
    )
    def test_reached_at_the_end_of_the_day_in_paris(self, instant, passed):
        assert deadline_passed(deadline=self.deadline, now=instant) is passed

    def test_winter_deadline(self):
        deadline = date(2027, 1, 31)
        assert not deadline_passed(deadline=deadline, now=datetime(2027, 1, 31, 22, 59, tzinfo=UTC))
        assert deadline_passed(deadline=deadline, now=datetime(2027, 1, 31, 23, 0, tzinfo=UTC))

    def test_naive_now_is_refused(self):
        with pytest.raises(ValueError, match="aware"):
            deadline_passed(deadline=self.deadline, now=datetime(2026, 4, 30, 12, 0))  # noqa: DTZ001


class TestDaysLeft:
    def test_counts_calendar_days_in_paris(self):
        deadline = date(2026, 4, 30)
        assert days_left(deadline=deadline, now=datetime(2026, 4, 1, 12, tzinfo=PARIS)) == 29
        assert days_left(deadline=deadline, now=datetime(2026, 4, 30, 23, 0, tzinfo=PARIS)) == 0
        assert days_left(deadline=deadline, now=datetime(2026, 5, 2, 9, tzinfo=PARIS)) == -2
        # 22:30 UTC on the 29th is already the 30th in Paris.
        assert days_left(deadline=deadline, now=datetime(2026, 4, 29, 22, 30, tzinfo=UTC)) == 0

    def test_with_a_travelling_clock(self):
        # The callers pass timezone.now(); time-machine moves it across the DST change.
        with time_machine.travel(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), tick=False):
            now = datetime.now(UTC)
            assert paris_date(now=now) == date(2026, 3, 29)
            assert days_left(deadline=date(2026, 3, 29), now=now) == 0
