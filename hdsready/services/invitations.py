"""Invitations: an officer invites a person by e-mail to the organisation with a role.

The link is single-use (a conditional update flips PENDING to ACCEPTED exactly once) and expires
after INVITATION_VALID_DAYS. Only the SHA-256 of the token is stored.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hdsready.models import (
    INVITATION_TRANSITIONS,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    Role,
    User,
    hash_token,
)
from hdsready.services import CoreError
from hdsready.services.accounts import user_create_invited
from hdsready.services.organisations import membership_create
from hdsready.trail import trail_record


def invitation_send(
    *, organisation: Organisation, email: str, role: str, actor: User, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Create the invitation and e-mail the link after commit; returns it and the raw token."""
    from hdsready.tasks import invitation_email_send

    now = now or timezone.now()
    email = email.strip().lower()
    if role not in Role.values:
        raise CoreError(_("Unknown role."))
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user__email=email).exists():
            raise CoreError(_("This person is already a member of the organisation."))
        # A new invitation replaces any pending one for the same address.
        for previous in Invitation.objects.select_for_update().filter(
            organisation=organisation, email=email, status=InvitationStatus.PENDING
        ):
            _close(previous, InvitationStatus.REVOKED, actor=actor, now=now)
        raw_token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_token(raw_token),
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        trail_record(
            kind="invitation.sent",
            actor=actor,
            organisation=organisation,
            target=invitation,
            data={"email": email, "role": role, "expires_at": invitation.expires_at},
        )
        language = get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(
            lambda: invitation_email_send.delay(invitation.pk, raw_token, language)
        )
        return invitation, raw_token


def _close(invitation: Invitation, status: str, *, actor: User | None, now: datetime) -> None:
    if status not in INVITATION_TRANSITIONS[invitation.status]:
        raise CoreError(_("This invitation is no longer pending."))
    invitation.status = status
    invitation.closed_at = now
    invitation.save(update_fields=["status", "closed_at"])
    trail_record(
        kind=f"invitation.{status}",
        actor=actor,
        organisation=invitation.organisation,
        target=invitation,
        data={"email": invitation.email},
    )


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _close(invitation, InvitationStatus.REVOKED, actor=actor, now=timezone.now())
        return invitation


def invitation_find_usable(*, raw_token: str, now: datetime) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_token(raw_token), status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None or invitation.is_expired(now=now):
        return None
    return invitation


def _claim(*, invitation: Invitation, user: User, now: datetime) -> Membership:
    claimed = Invitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=now
    ).update(status=InvitationStatus.ACCEPTED, accepted_by=user, closed_at=now)
    if claimed != 1:
        raise CoreError(_("This invitation link is invalid, already used or expired."))
    trail_record(
        kind="invitation.accepted",
        actor=user,
        organisation=invitation.organisation,
        target=invitation,
        data={"email": invitation.email, "role": invitation.role},
    )
    return membership_create(
        organisation=invitation.organisation, user=user, role=invitation.role, actor=user
    )


def invitation_accept_new_user(
    *, invitation: Invitation, full_name: str, password: str, now: datetime | None = None
) -> User:
    """Create the invited person's account and membership in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        user = user_create_invited(
            email=invitation.email, full_name=full_name, password=password, via="invitation"
        )
        _claim(invitation=invitation, user=user, now=now)
        return user


def invitation_accept_existing_user(
    *, invitation: Invitation, user: User, now: datetime | None = None
) -> Membership:
    now = now or timezone.now()
    if user.email.lower() != invitation.email.lower():
        raise CoreError(_("This invitation was sent to another e-mail address."))
    with transaction.atomic():
        return _claim(invitation=invitation, user=user, now=now)


def invitations_expire(*, now: datetime) -> int:
    """Mark pending invitations past their date as expired (periodic; idempotent)."""
    expired = 0
    with transaction.atomic():
        for invitation in Invitation.objects.select_for_update(skip_locked=True).filter(
            status=InvitationStatus.PENDING, expires_at__lte=now
        ):
            _close(invitation, InvitationStatus.EXPIRED, actor=None, now=now)
            expired += 1
    return expired
