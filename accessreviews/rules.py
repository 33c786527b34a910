"""The access review's rules as pure functions (no ORM, no clock: `now` is an argument).

ISO 27001 A.5.18 asks that access rights be reviewed at regular intervals; HDS v2 EXI 16 that
the host's internal audits cover the traces of who reached the health data. A campaign lists
every right, and these rules flag the ones that deserve a second look:
- an account nobody logged into for UNUSED_DAYS days (a member who never logged in counts from
  the day their account was made);
- a member with no second factor enrolled;
- an auditor access whose window has ended (its end, `valid_until`, is exclusive);
- an API token never used, or not used for UNUSED_DAYS days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.deadlines import add_months

UNUSED_DAYS = 90
DEFAULT_INTERVAL_MONTHS = 3


class Flag(models.TextChoices):
    UNUSED_ACCOUNT = "unused_account", _("Account unused for 90 days")
    NO_SECOND_FACTOR = "no_second_factor", _("No second factor enrolled")
    WINDOW_ENDED = "window_ended", _("Access window ended")
    TOKEN_NEVER_USED = "token_never_used", _("Token never used")
    TOKEN_UNUSED = "token_unused", _("Token unused for 90 days")


class Interval(models.IntegerChoices):
    MONTHLY = 1, _("Every month")
    QUARTERLY = 3, _("Every quarter")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Every year")


def unused_since(*, last_used: datetime, now: datetime) -> bool:
    """True once UNUSED_DAYS whole days have passed since `last_used`."""
    return now - last_used >= timedelta(days=UNUSED_DAYS)


def member_flags(
    *, last_login: datetime | None, joined: datetime, has_second_factor: bool, now: datetime
) -> list[Flag]:
    flags = []
    if unused_since(last_used=last_login or joined, now=now):
        flags.append(Flag.UNUSED_ACCOUNT)
    if not has_second_factor:
        flags.append(Flag.NO_SECOND_FACTOR)
    return flags


def auditor_flags(*, valid_until: datetime, now: datetime) -> list[Flag]:
    return [Flag.WINDOW_ENDED] if now >= valid_until else []


def token_flags(*, last_used_at: datetime | None, now: datetime) -> list[Flag]:
    if last_used_at is None:
        return [Flag.TOKEN_NEVER_USED]
    return [Flag.TOKEN_UNUSED] if unused_since(last_used=last_used_at, now=now) else []


def next_review_due(*, last_opened_on: date | None, since: date, interval_months: int) -> date:
    """The last day by which the next campaign must be opened: one interval after the last
    campaign was opened, or after `since` (the organisation's creation) before the first."""
    return add_months(last_opened_on or since, interval_months)


def review_overdue(*, due_on: date, today: date) -> bool:
    """A date is still in time on its own day (as every deadline of the app)."""
    return today > due_on
