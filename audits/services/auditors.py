"""Auditor access: an officer invites a certification body's auditor, by e-mail, to one audit
for a time window. The auditor is not a member of the organisation: the only right they get is
the object permission "audits.audit_as_auditor" on that audit, and only while the window is open.

The link is single-use (a conditional update sets accepted_at exactly once) and only the SHA-256
of the token is stored. The window is checked on every request (audits.selectors); the beat task
removes the permission once the window ended or the access was revoked.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audits.models import Audit, AuditorAccess, token_digest
from audits.services import AuditError
from hdsready.models import User
from hdsready.permissions import object_perm_grant, object_perm_revoke
from hdsready.services import CoreError
from hdsready.services.accounts import user_create_invited
from hdsready.trail import trail_record

AUDITOR_PERM = "audits.audit_as_auditor"


def _locked(access: AuditorAccess) -> AuditorAccess:
    return (
        AuditorAccess.objects.select_for_update(of=("self",))
        .select_related("audit__cycle__organisation", "user")
        .get(pk=access.pk)
    )


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
    from audits.tasks import auditor_invitation_email_send

    now = now or timezone.now()
    email = email.strip().lower()
    if not email:
        raise AuditError(_("Enter the auditor's e-mail address."))
    if valid_until <= valid_from:
        raise AuditError(_("The access window must end after it starts."))
    if valid_until <= now:
        raise AuditError(_("The access window must end in the future."))
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
        raw_token = secrets.token_urlsafe(32)
        access = AuditorAccess.objects.create(
            audit=audit,
            email=email,
            valid_from=valid_from,
            valid_until=valid_until,
            token_hash=token_digest(raw_token),
            invited_by=actor,
            invited_at=now,
        )
        trail_record(
            kind="auditor_access.invited",
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
        transaction.on_commit(
            lambda: auditor_invitation_email_send.delay(access.pk, raw_token, language)
        )
        return access, raw_token


def _claim(*, access: AuditorAccess, user: User, now: datetime) -> AuditorAccess:
    claimed = AuditorAccess.objects.filter(
        pk=access.pk, accepted_at__isnull=True, revoked_at__isnull=True, valid_until__gt=now
    ).update(accepted_at=now, user=user)
    if claimed != 1:
        raise AuditError(_("This invitation link is invalid, already used or expired."))
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


def auditor_accept_new_user(
    *, access: AuditorAccess, full_name: str, password: str, now: datetime | None = None
) -> User:
    """Create the auditor's account (no membership anywhere) and open their access."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            user = user_create_invited(
                email=access.email, full_name=full_name, password=password, via="auditor access"
            )
        except CoreError as exc:
            raise AuditError(str(exc)) from exc
        _claim(access=access, user=user, now=now)
        return user


def auditor_accept_existing_user(
    *, access: AuditorAccess, user: User, now: datetime | None = None
) -> AuditorAccess:
    now = now or timezone.now()
    if user.email.lower() != access.email.lower():
        raise AuditError(_("This invitation was sent to another e-mail address."))
    with transaction.atomic():
        return _claim(access=access, user=user, now=now)


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
