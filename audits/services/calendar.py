"""A user's private iCalendar feed address: made and revoked by its owner, stored hashed."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from audits.models import CalendarToken
from audits.services import AuditError
from hdsready.models import User, hash_token
from hdsready.trail import trail_record

CALENDAR_TOKEN_BYTES = 32


def calendar_token_create(*, user: User, actor: User) -> str:
    """Make (or replace) the user's feed token; returns the raw token, shown only once. The
    address alone gives read access to the deadlines, so replacing it invalidates the old one."""
    if actor.pk != user.pk:
        raise AuditError(_("Only its owner can make a calendar address."))
    raw = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    with transaction.atomic():
        token, _created = CalendarToken.objects.update_or_create(
            user=user, defaults={"token_hash": hash_token(raw)}
        )
        trail_record(kind="calendar_token.created", actor=actor, target=token, data={})
    return raw


def calendar_token_revoke(*, user: User, actor: User) -> None:
    if actor.pk != user.pk:
        raise AuditError(_("Only its owner can revoke a calendar address."))
    with transaction.atomic():
        token = CalendarToken.objects.select_for_update().filter(user=user).first()
        if token is None:
            raise AuditError(_("You have no calendar address."))
        trail_record(kind="calendar_token.revoked", actor=actor, target=token, data={})
        token.delete()
