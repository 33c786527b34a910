"""Accounts created from an invitation link (organisation or auditor)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hdsready.models import User
from hdsready.services import CoreError
from hdsready.trail import trail_record


def user_create_invited(*, email: str, full_name: str, password: str, via: str) -> User:
    """Create the account of an invited person with a password that passes the validators.
    Call it inside the transaction that also claims the invitation."""
    if User.objects.filter(email__iexact=email).exists():
        raise CoreError(_("An account with this e-mail exists: log in to accept."))
    user = User(email=email.lower(), full_name=full_name.strip())
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise CoreError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.language = get_language() or settings.LANGUAGE_CODE
    user.save()
    trail_record(kind="user.created", actor=user, target=user, data={"via": via})
    return user
