"""Typing for views behind login and MFA: request.user is a real, verified User there."""

from __future__ import annotations

import re

from django.http import HttpRequest

from hdsready.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


def user_is_verified(user: object) -> bool:
    """True when django-otp's middleware says this session passed the second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


# Query strings are typed by people and by scanners: an id that does not parse is treated as
# absent, never as a server error.
_PK = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and within PostgreSQL's bigint


def query_pk(value: str | None) -> int | None:
    """A primary key from a query string, or None for anything else ("²", "-1", 10**30)."""
    if value is None or not _PK.fullmatch(value):
        return None
    return int(value)
