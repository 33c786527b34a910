from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hdsready.http import PASSKEY_ENROLMENT_REQUIRED, user_is_verified
from hdsready.selectors import memberships_for_user, notifications_unread_count


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The organisations of the user, for the organisation switcher in the page header; none
    while the session may only enrol a passkey (the header then offers nothing it would refuse)."""
    user = request.user
    if not user.is_authenticated or not user_is_verified(user):
        return {"my_memberships": [], "session_confined": False}
    if request.session.get(PASSKEY_ENROLMENT_REQUIRED):
        return {"my_memberships": [], "session_confined": True}
    return {"my_memberships": memberships_for_user(user=user), "session_confined": False}


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The number of unread notifications, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user_is_verified(user):
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications_unread_count(user=user)}
