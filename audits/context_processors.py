from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from audits.selectors import notifications_unread_count
from hdsready.http import user_is_verified


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The number of unread notifications, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user_is_verified(user):
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications_unread_count(user=user)}
