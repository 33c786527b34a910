"""Auditor access: an officer invites a certification body's auditor, by e-mail, to one audit
for a time window. The auditor is not a member of the organisation: the only right they get is
the object permission "audits.audit_as_auditor" on that audit, and only while the window is open.

The invitation goes through the core's one invitation flow (hdsready.services.invitations:
SHA-256 of the token stored, single use by a conditional update, account creation); this module
gives it what is the auditor's own: finding a pending access and, on acceptance, the permission.
The window is checked on every request (audits.selectors); the beat task removes the permission
once the window ended or the access was revoked.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audits.models import Audit, AuditorAccess
from audits.services import AuditError
from audits.workflow import AUDITOR_INVITE
from hdsready.mail import TemplatedMail, mail_enqueue, site_link
from hdsready.models import User
from hdsready.permissions import object_perm_grant, object_perm_revoke
from hdsready.services import CoreError
from hdsready.services.invitations import (
    InvitationFlow,
    invitation_claim_once,
    invitation_token_new,
)
from hdsready.trail import trail_record

AUDITOR_PERM = "audits.audit_as_auditor"
AUDITOR_INVITATION_MAIL = "auditor-invitation"


def _locked(access: AuditorAccess) -> AuditorAccess:
    return (
        AuditorAccess.objects.select_for_update(of=("self",))
        .select_related("audit__cycle__organisation", "user")
        .get(pk=access.pk)
    )


def access_window_error(
    *, valid_from: datetime, valid_until: datetime, now: datetime
) -> str | None:
    """Why an auditor's access window [valid_from, valid_until) cannot be given, or None. The
    invitation form shows it beside the end of the window."""
    if valid_until <= valid_from:
        return _("The access window must end after it starts.")
    if valid_until <= now:
        return _("The access window must end in the future.")
    return None


def auditor_invite(
    *,
    audit: Audit,
    email: str,
    valid_from: datetime,
    valid_until: datetime,
    actor: User,
    now: datetime | None = None,
) -> tuple[AuditorAccess, str]:
    """Invite an auditor to one audit for [valid_from, valid_until); e-mail the link after
    commit. A pending invitation of the same address to the same audit is replaced."""
    now = now or timezone.now()
    email = email.strip().lower()
    if (refusal := AUDITOR_INVITE.refusal(audit)) is not None:
        raise AuditError(refusal)
    if not email:
        raise AuditError(_("Enter the auditor's e-mail address."))
    if window := access_window_error(valid_from=valid_from, valid_until=valid_until, now=now):
        raise AuditError(window)
    organisation = audit.cycle.organisation
    with transaction.atomic():
        for previous in AuditorAccess.objects.select_for_update().filter(
            audit=audit, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ):
            previous.revoked_at = now
            previous.save(update_fields=["revoked_at"])
            trail_record(
                kind="auditor_access.revoked",
                actor=actor,
                organisation=organisation,
                target=previous,
                data={"email": email, "reason": "replaced by a new invitation"},
            )
        raw_token, token_hash = invitation_token_new()
        access = AuditorAccess.objects.create(
            audit=audit,
            email=email,
            valid_from=valid_from,
            valid_until=valid_until,
            token_hash=token_hash,
            invited_by=actor,
            invited_at=now,
        )
        trail_record(
            kind=AUDITOR_INVITE.event,
            actor=actor,
            organisation=organisation,
            target=access,
            data={
                "email": email,
                "audit": audit.pk,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(),
            },
        )
        language = get_language() or settings.LANGUAGE_CODE
        mail_enqueue(AUDITOR_INVITATION_MAIL, access.pk, raw_token, language)
        return access, raw_token


def _find(token_hash: str, now: datetime) -> AuditorAccess | None:
    """The pending access a link designates, while it may still be accepted."""
    return (
        AuditorAccess.objects.select_related("audit__cycle__organisation", "invited_by")
        .filter(
            token_hash=token_hash,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            valid_until__gt=now,
        )
        .first()
    )


def _claim(access: AuditorAccess, user: User, now: datetime) -> AuditorAccess:
    """The auditor's own effect of an acceptance: the permission on the one audit."""
    invitation_claim_once(
        AuditorAccess.objects.filter(
            pk=access.pk, accepted_at__isnull=True, revoked_at__isnull=True, valid_until__gt=now
        ),
        accepted_at=now,
        user=user,
    )
    access = AuditorAccess.objects.select_related("audit__cycle__organisation", "user").get(
        pk=access.pk
    )
    object_perm_grant(user=user, obj=access.audit, perm=AUDITOR_PERM)
    trail_record(
        kind="auditor_access.accepted",
        actor=user,
        organisation=access.audit.cycle.organisation,
        target=access,
        data={"email": access.email, "audit": access.audit_id},
    )
    return access


AUDITOR_INVITATIONS: InvitationFlow[AuditorAccess, AuditorAccess] = InvitationFlow(
    via="auditor access", find=_find, claim=_claim, email_of=lambda access: access.email
)


def auditor_accept_new_user(
    *, access: AuditorAccess, full_name: str, password: str, now: datetime | None = None
) -> User:
    """Create the auditor's account (no membership anywhere) and open their access."""
    try:
        return AUDITOR_INVITATIONS.accept_new_user(
            invitation=access, full_name=full_name, password=password, now=now
        )
    except CoreError as exc:
        raise AuditError(str(exc)) from exc


def auditor_accept_existing_user(
    *, access: AuditorAccess, user: User, now: datetime | None = None
) -> AuditorAccess:
    try:
        return AUDITOR_INVITATIONS.accept_existing_user(invitation=access, user=user, now=now)
    except CoreError as exc:
        raise AuditError(str(exc)) from exc


def auditor_invitation_mail(access_id: int, raw_token: str, language: str) -> TemplatedMail | None:
    """The e-mail with the link, while the access is neither accepted nor revoked."""
    access = (
        AuditorAccess.objects.select_related("audit__cycle__organisation", "invited_by")
        .filter(pk=access_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if access is None:
        return None
    return TemplatedMail(
        to=access.email,
        template_prefix="emails/auditor_invitation",
        context={
            "access": access,
            "audit": access.audit,
            "link": site_link(reverse("audits:auditor-accept", args=[raw_token])),
        },
        language=language,
    )


def _remove_permission(access: AuditorAccess, *, now: datetime) -> None:
    """Remove the auditor's permission on the audit, unless another access of the same person
    to the same audit is still open (a second window granted the same permission)."""
    if access.user is None:
        return
    still_open = any(
        other.is_open(now=now)
        for other in AuditorAccess.objects.filter(
            audit_id=access.audit_id, user=access.user, accepted_at__isnull=False
        ).exclude(pk=access.pk)
    )
    if not still_open:
        object_perm_revoke(user=access.user, obj=access.audit, perm=AUDITOR_PERM)


def auditor_access_revoke(
    *, access: AuditorAccess, actor: User, now: datetime | None = None
) -> AuditorAccess:
    """End an auditor's access before its window ends; the permission goes at once."""
    now = now or timezone.now()
    with transaction.atomic():
        access = _locked(access)
        if access.revoked_at is not None:
            raise AuditError(_("This auditor access was already revoked."))
        access.revoked_at = now
        update_fields = ["revoked_at"]
        if access.user is not None and access.permissions_removed_at is None:
            _remove_permission(access, now=now)
            access.permissions_removed_at = now
            update_fields.append("permissions_removed_at")
        access.save(update_fields=update_fields)
        trail_record(
            kind="auditor_access.revoked",
            actor=actor,
            organisation=access.audit.cycle.organisation,
            target=access,
            data={"email": access.email, "audit": access.audit_id},
        )
        return access


def auditor_access_expire_sweep(*, now: datetime) -> int:
    """Remove the permission of every accepted access whose window ended or that was revoked.
    Idempotent: the conditional update on permissions_removed_at handles each access once."""
    candidates = (
        AuditorAccess.objects.filter(permissions_removed_at__isnull=True, user__isnull=False)
        .filter(Q(revoked_at__isnull=False) | Q(valid_until__lte=now))
        .values_list("pk", flat=True)
    )
    removed = 0
    for pk in list(candidates):
        with transaction.atomic():
            changed = AuditorAccess.objects.filter(
                pk=pk, permissions_removed_at__isnull=True
            ).update(permissions_removed_at=now)
            if not changed:
                continue  # another sweep got there first
            access = AuditorAccess.objects.select_related("audit__cycle__organisation", "user").get(
                pk=pk
            )
            _remove_permission(access, now=now)
            trail_record(
                kind="auditor_access.permissions_removed",
                actor=None,
                organisation=access.audit.cycle.organisation,
                target=access,
                data={
                    "email": access.email,
                    "audit": access.audit_id,
                    "reason": "revoked" if access.revoked_at else "window ended",
                },
            )
            removed += 1
    return removed
