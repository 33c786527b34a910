"""Where a person who belongs to no organisation lands: an app that gives people something to do
without a membership (the invited auditor's audits) registers a finder in its
`AppConfig.ready()`, so the core's home never imports it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hdsready.models import User

# The address of the user's page in that app, or None when the app has nothing for them.
HomeFinder = Callable[[User, datetime], str | None]

_FINDERS: list[HomeFinder] = []


def home_finder_register(finder: HomeFinder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def home_elsewhere(*, user: User, now: datetime) -> str | None:
    """The first page another app has for this user, if any."""
    for finder in _FINDERS:
        if (url := finder(user, now)) is not None:
            return url
    return None
