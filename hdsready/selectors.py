"""Permission-scoped reads of the core. The only module that asks django-guardian.

A selector that finds nothing the user may see raises Http404, never 403: an outsider learns
nothing about which ids exist.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential
from guardian.shortcuts import get_objects_for_user

from hdsready.models import (
    ApiToken,
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Membership,
    Notification,
    Organisation,
    TrailEvent,
    User,
    hash_token,
)


def organisations_for_user(
    *, user: User, perm: str = "view_organisation"
) -> QuerySet[Organisation]:
    # with_superuser=False: a platform superuser sees an organisation only as its member.
    return get_objects_for_user(
        user,
        f"hdsready.{perm}",
        klass=Organisation,
        with_superuser=False,
        accept_global_perms=False,
    )


def organisation_get_for_user(*, user: User, slug: str, perm: str) -> Organisation:
    organisation = organisations_for_user(user=user, perm=perm).filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def user_can(*, user: User, organisation: Organisation, perm: str) -> bool:
    return user.has_perm(f"hdsready.{perm}", organisation)


def object_perm_held(*, user: User, obj: Model, perm: str) -> bool:
    """Whether the user holds the object permission `perm` ("app_label.codename") on `obj`
    itself: not through a global permission, and not for being a platform superuser."""
    return get_objects_for_user(
        user,
        perm,
        klass=type(obj)._default_manager.filter(pk=obj.pk),
        with_superuser=False,
        accept_global_perms=False,
    ).exists()


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def memberships_of_organisation(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )


def membership_get_in_organisation(*, organisation: Organisation, pk: int) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation=organisation, pk=pk)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def pending_invitations_of_organisation(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation, status=InvitationStatus.PENDING
    ).select_related("invited_by")


def invitation_get_in_organisation(*, organisation: Organisation, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(organisation=organisation, pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def trail_events_of_organisation(
    *,
    organisation: Organisation,
    kind: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[TrailEvent]:
    events = TrailEvent.objects.filter(organisation=organisation)
    if kind:
        events = events.filter(kind__startswith=kind)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.order_by("-seq")


def trail_events_for_object(*, organisation: Organisation, target: Model) -> QuerySet[TrailEvent]:
    """The history of one object, newest first ("who changed what, when").

    A model that moved to another app keeps its earlier rows: they name it by its former label
    (the hash chain covers the name, so rows are never rewritten), which the model lists in
    `trail_former_labels`."""
    labels = [target._meta.label_lower, *getattr(type(target), "trail_former_labels", ())]
    return TrailEvent.objects.filter(
        organisation=organisation,
        object_type__in=labels,
        object_id=str(target.pk),
    ).order_by("-seq")


def api_tokens_of_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """One of the user's own tokens; anybody else's is a 404."""
    token = api_tokens_of_user(user=user).filter(pk=pk).select_related("user").first()
    if token is None:
        raise Http404
    return token


def passkeys_of_user(*, user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user).order_by("created_at", "pk")


def passkey_get_for_user(*, user: User, pk: int) -> WebAuthnCredential:
    """One of the user's own passkeys; anybody else's is a 404."""
    passkey = passkeys_of_user(user=user).filter(pk=pk).first()
    if passkey is None:
        raise Http404
    return passkey


def api_token_usable(*, raw: str) -> ApiToken | None:
    """The token a request presents, if it is neither revoked nor its owner deactivated."""
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def identity_provider_for_email(*, email: str) -> IdentityProvider | None:
    """The enabled single sign-on provider whose domains include this address's domain."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    # Domains are stored one per line; a provider that lists it exactly is the one.
    candidates = IdentityProvider.objects.select_related("organisation").filter(
        enabled=True, email_domains__regex=r"(^|\n)" + re.escape(domain) + r"(\n|$)"
    )
    return next((p for p in candidates if domain in p.domains), None)


def identity_provider_get(*, pk: object) -> IdentityProvider | None:
    if not isinstance(pk, int):
        return None
    return (
        IdentityProvider.objects.select_related("organisation").filter(pk=pk, enabled=True).first()
    )


def identity_provider_of_organisation(*, organisation: Organisation) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organisation=organisation).first()
