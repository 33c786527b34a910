"""The flags and the next due date at their edges (pure rules, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessreviews.rules import (
    UNUSED_DAYS,
    Flag,
    auditor_flags,
    member_flags,
    next_review_due,
    review_overdue,
    token_flags,
)

NOW = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
# Hypothesis takes naive bounds and adds the time zone.
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@pytest.mark.parametrize(
    ("days", "flagged"), [(0, False), (89, False), (90, True), (91, True), (400, True)]
)
def test_an_account_unused_for_90_days_is_flagged(days: int, flagged: bool) -> None:
    flags = member_flags(
        last_login=NOW - timedelta(days=days),
        joined=NOW - timedelta(days=1000),
        has_second_factor=True,
        now=NOW,
    )
    assert (Flag.UNUSED_ACCOUNT in flags) is flagged


def test_89_days_and_23_hours_is_not_yet_90_days() -> None:
    flags = member_flags(
        last_login=NOW - timedelta(days=90) + timedelta(seconds=1),
        joined=NOW - timedelta(days=1000),
        has_second_factor=True,
        now=NOW,
    )
    assert flags == []


@pytest.mark.parametrize(("days", "flagged"), [(89, False), (90, True), (91, True)])
def test_a_member_who_never_logged_in_counts_from_their_account(days: int, flagged: bool) -> None:
    flags = member_flags(
        last_login=None, joined=NOW - timedelta(days=days), has_second_factor=True, now=NOW
    )
    assert (Flag.UNUSED_ACCOUNT in flags) is flagged


def test_a_member_without_a_second_factor_is_flagged() -> None:
    recent = NOW - timedelta(days=1)
    assert member_flags(last_login=recent, joined=recent, has_second_factor=False, now=NOW) == [
        Flag.NO_SECOND_FACTOR
    ]
    assert member_flags(last_login=recent, joined=recent, has_second_factor=True, now=NOW) == []


@pytest.mark.parametrize(
    ("valid_until", "flagged"),
    [
        (NOW - timedelta(days=1), True),  # ended yesterday
        (NOW - timedelta(hours=1), True),  # ended earlier today
        (NOW, True),  # the end is exclusive: it ends at this instant
        (NOW + timedelta(seconds=1), False),  # still open for a second
        (NOW + timedelta(days=1), False),
    ],
)
def test_an_auditor_whose_window_ended_is_flagged(valid_until: datetime, flagged: bool) -> None:
    assert (auditor_flags(valid_until=valid_until, now=NOW) == [Flag.WINDOW_ENDED]) is flagged


@pytest.mark.parametrize(
    ("last_used_at", "expected"),
    [
        (None, [Flag.TOKEN_NEVER_USED]),
        (NOW - timedelta(days=89), []),
        (NOW - timedelta(days=90), [Flag.TOKEN_UNUSED]),
        (NOW - timedelta(days=91), [Flag.TOKEN_UNUSED]),
        (NOW, []),
    ],
)
def test_tokens_never_used_or_unused_for_90_days_are_flagged(
    last_used_at: datetime | None, expected: list[Flag]
) -> None:
    assert token_flags(last_used_at=last_used_at, now=NOW) == expected


@given(last=moments, now=moments)
def test_a_token_is_flagged_exactly_when_unused_for_90_days(last: datetime, now: datetime) -> None:
    flagged = token_flags(last_used_at=last, now=now) == [Flag.TOKEN_UNUSED]
    assert flagged is (now - last >= timedelta(days=UNUSED_DAYS))


@given(until=moments, now=moments)
def test_an_auditor_is_flagged_exactly_when_the_window_is_over(
    until: datetime, now: datetime
) -> None:
    assert bool(auditor_flags(valid_until=until, now=now)) is (now >= until)


@given(
    last=st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))),
    since=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    months=st.sampled_from([1, 3, 6, 12]),
)
def test_the_next_review_is_due_one_interval_after_the_last(
    last: date | None, since: date, months: int
) -> None:
    start = last or since
    due = next_review_due(last_opened_on=last, since=since, interval_months=months)
    # Never earlier than 28 days a month, never later than 31.
    assert 28 * months <= (due - start).days <= 31 * months
    assert not review_overdue(due_on=due, today=due)
    assert review_overdue(due_on=due, today=due + timedelta(days=1))


def test_quarterly_from_a_month_end() -> None:
    assert next_review_due(
        last_opened_on=date(2026, 11, 30), since=date(2020, 1, 1), interval_months=3
    ) == date(2027, 2, 28)
