"""Invitations: a single-use, expiring link that gives a person, by e-mail, a place in the app.

One flow for every kind (InvitationFlow): the link's token is random and only its SHA-256 is
stored; it is usable while pending and not expired; accepting it creates the account if needed
(a password here, then the MFA enrolment) and claims the invitation with a conditional update,
so it is used at most once. What accepting grants is the kind's own `claim`: here a membership
of an organisation with a role (INVITATION_VALID_DAYS); audits' auditor accesses pass their own
(audits.services.auditors), so the core never imports them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hdsready.mail import TemplatedMail, mail_enqueue, site_link
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

INVITATION_MAIL = "invitation"


@dataclass(frozen=True)
class InvitationFlow[T, R]:
    """One kind of invitation. `find` returns the invitation a token hash designates while it
    may still be accepted; `claim` uses it once for a user (through invitation_claim_once),
    grants what it gives, records it in the trail and returns what it granted. `email_of`
    reads the invited address."""

    via: str  # recorded on the account an acceptance creates
    find: Callable[[str, datetime], T | None]
    claim: Callable[[T, User, datetime], R]
    email_of: Callable[[T], str]

    def find_usable(self, *, raw_token: str, now: datetime) -> T | None:
        return self.find(hash_token(raw_token), now)

    def accept_new_user(
        self, *, invitation: T, full_name: str, password: str, now: datetime | None = None
    ) -> User:
        """Create the invited person's account and claim the invitation in one transaction."""
        now = now or timezone.now()
        with transaction.atomic():
            user = user_create_invited(
                email=self.email_of(invitation),
                full_name=full_name,
                password=password,
                via=self.via,
            )
            self.claim(invitation, user, now)
            return user

    def accept_existing_user(self, *, invitation: T, user: User, now: datetime | None = None) -> R:
        now = now or timezone.now()
        if user.email.lower() != self.email_of(invitation).lower():
            raise CoreError(_("This invitation was sent to another e-mail address."))
        with transaction.atomic():
            return self.claim(invitation, user, now)


def invitation_token_new() -> tuple[str, str]:
    """A fresh link token and its SHA-256, which is all that is stored: a leaked database does
    not leak usable links."""
    raw_token = secrets.token_urlsafe(32)
    return raw_token, hash_token(raw_token)


def invitation_claim_once(pending: QuerySet[Any], **accepted: object) -> None:
    """Mark the one invitation of `pending` (filtered on pending and unexpired) accepted with a
    conditional update: of two acceptances of the same link, only one changes the row."""
    if pending.update(**accepted) != 1:
        raise CoreError(_("This invitation link is invalid, already used or expired."))


# --- organisation members -----------------------------------------------------------------


def invitation_send(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: User | None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Create the invitation and e-mail the link after commit; returns it and the raw token.
    No actor: the operator of the install, from the console (organisation_open)."""
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
        raw_token, token_hash = invitation_token_new()
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=token_hash,
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
        mail_enqueue(INVITATION_MAIL, invitation.pk, raw_token, language)
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


def _find(token_hash: str, now: datetime) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=token_hash, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None or invitation.is_expired(now=now):
        return None
    return invitation


def _claim(invitation: Invitation, user: User, now: datetime) -> Membership:
    invitation_claim_once(
        Invitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=now
        ),
        status=InvitationStatus.ACCEPTED,
        accepted_by=user,
        closed_at=now,
    )
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


MEMBER_INVITATIONS: InvitationFlow[Invitation, Membership] = InvitationFlow(
    via="invitation", find=_find, claim=_claim, email_of=lambda invitation: invitation.email
)


def invitation_find_usable(*, raw_token: str, now: datetime) -> Invitation | None:
    return MEMBER_INVITATIONS.find_usable(raw_token=raw_token, now=now)


def invitation_accept_new_user(
    *, invitation: Invitation, full_name: str, password: str, now: datetime | None = None
) -> User:
    """Create the invited person's account and membership in one transaction."""
    return MEMBER_INVITATIONS.accept_new_user(
        invitation=invitation, full_name=full_name, password=password, now=now
    )


def invitation_accept_existing_user(
    *, invitation: Invitation, user: User, now: datetime | None = None
) -> Membership:
    return MEMBER_INVITATIONS.accept_existing_user(invitation=invitation, user=user, now=now)


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


def invitation_mail(invitation_id: int, raw_token: str, language: str) -> TemplatedMail | None:
    """The e-mail with the link, while the invitation is still pending."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        return None
    return TemplatedMail(
        to=invitation.email,
        template_prefix="emails/invitation",
        context={
            "invitation": invitation,
            "link": site_link(reverse("hdsready:invitation-accept", args=[raw_token])),
        },
        language=language,
    )
