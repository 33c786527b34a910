from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hdsready.http import user_is_verified
from hdsready.selectors import memberships_for_user


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The organisations of the user, for the organisation switcher in the page header."""
    user = request.user
    if not user.is_authenticated or not user_is_verified(user):
        return {"my_memberships": []}
    return {"my_memberships": memberships_for_user(user=user)}
