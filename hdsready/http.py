"""Typing for views behind login and MFA: request.user is a real, verified User there."""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from hdsready.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


# Session key: a code opened this session while an organisation of the user requires a passkey
# they have not enrolled yet; the session reaches passkey enrolment only (middleware).
PASSKEY_ENROLMENT_REQUIRED = "passkey_enrolment_required"


def user_is_verified(user: object) -> bool:
    """True when django-otp's middleware says this session passed the second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def safe_next(request: HttpRequest) -> str:
    """Where to go after logging in: the page asked for, if it is on this site; else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("hdsready:home")


# Query strings are typed by people and by scanners: an id that does not parse is treated as
# absent, never as a server error.
_PK = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and within PostgreSQL's bigint


def query_pk(value: str | None) -> int | None:
    """A primary key from a query string, or None for anything else ("²", "-1", 10**30)."""
    if value is None or not _PK.fullmatch(value):
        return None
    return int(value)
