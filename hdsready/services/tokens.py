"""Personal API tokens: made and revoked by their owner, stored hashed.

A token is made only on a page behind the second factor, so every token comes from a session
that passed MFA (référentiel HDS v2: strong authentication of the host's staff). Making and
revoking one is written to the audit trail.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hdsready.models import ApiToken, User, hash_token
from hdsready.services import CoreError
from hdsready.trail import trail_record

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# Recording every use would write a row per request; a minute is precise enough to tell an
# active token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_create(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Make a token for its owner; returns the token and the raw secret, shown only once."""
    name = name.strip()
    if not name:
        raise CoreError(_("A token needs a name."))
    if actor.pk != user.pk:
        raise CoreError(_("Only its owner can make an API token."))
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=hash_token(raw), prefix=raw[:PREFIX_LENGTH]
        )
        trail_record(
            kind="api_token.created",
            actor=actor,
            target=token,
            data={"name": name, "prefix": token.prefix, "user": user.email},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token for good: requests carrying it are refused from now on."""
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not revoked:
            raise CoreError(_("This token is already revoked."))
        token.revoked_at = now
        trail_record(
            kind="api_token.revoked",
            actor=actor,
            target=token,
            data={"name": token.name, "prefix": token.prefix, "user": token.user.email},
        )
    return token


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Remember when a token was last used, at most once a minute (no trail event: it is
    bookkeeping for the owner's token page, not a change of anything)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    token.last_used_at = now
