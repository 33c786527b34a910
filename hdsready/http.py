"""Typing for views behind login and MFA: request.user is a real, verified User there."""

from __future__ import annotations

from django.http import HttpRequest

from hdsready.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


def user_is_verified(user: object) -> bool:
    """True when django-otp's middleware says this session passed the second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
