"""Organisations and memberships; the object permissions of a member follow their role."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from hdsready.models import Membership, Organisation, Role, User
from hdsready.roles import ALL_ORGANISATION_PERMS, ROLE_PERMS
from hdsready.services import CoreError
from hdsready.trail import trail_record

# What a URL's <slug:> accepts, lowercase only: the short name is the organisation's address.
slug_re = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 60
NAME_MAX_LENGTH = 200


def _sync_perms(*, user: User, organisation: Organisation, role: str | None) -> None:
    wanted = ROLE_PERMS.get(role, frozenset()) if role else frozenset()
    for perm in ALL_ORGANISATION_PERMS - wanted:
        remove_perm(perm, user, organisation)
    for perm in wanted:
        assign_perm(perm, user, organisation)


def organisation_slug_check(slug: str) -> None:
    """Raise CoreError unless `slug` can be an organisation's short name (its URL part)."""
    if not slug_re.fullmatch(slug) or len(slug) > SLUG_MAX_LENGTH:
        raise CoreError(
            _(
                "The short name may contain only lowercase letters, digits and hyphens "
                "(at most %(count)d characters)."
            )
            % {"count": SLUG_MAX_LENGTH}
        )


def organisation_new(*, name: str, slug: str, actor: User | None) -> Organisation:
    """Create an organisation with no member yet (its first officer comes from the caller:
    organisation_create or organisation_open); the one place that checks name and short name."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise CoreError(
            _("Enter the organisation's name (at most %(count)d characters).")
            % {"count": NAME_MAX_LENGTH}
        )
    organisation_slug_check(slug)
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise CoreError(_("An organisation with this short name already exists."))
        organisation = Organisation.objects.create(name=name, slug=slug)
        trail_record(
            kind="organisation.created",
            actor=actor,
            organisation=organisation,
            target=organisation,
            data={"name": name, "slug": slug},
        )
        return organisation


def organisation_create(*, name: str, slug: str, actor: User) -> Organisation:
    """Create an organisation whose first compliance officer is the actor."""
    with transaction.atomic():
        organisation = organisation_new(name=name, slug=slug, actor=actor)
        membership_create(organisation=organisation, user=actor, role=Role.OFFICER, actor=actor)
        return organisation


def membership_create(
    *, organisation: Organisation, user: User, role: str, actor: User | None
) -> Membership:
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user=user).exists():
            raise CoreError(_("This person is already a member of the organisation."))
        membership = Membership.objects.create(organisation=organisation, user=user, role=role)
        _sync_perms(user=user, organisation=organisation, role=role)
        trail_record(
            kind="membership.created",
            actor=actor,
            organisation=organisation,
            target=membership,
            data={"user": user.email, "role": role},
        )
        return membership


def _other_officers_exist(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.OFFICER)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if role not in Role.values:
            raise CoreError(_("Unknown role."))
        if membership.role == role:
            return membership
        if membership.role == Role.OFFICER and not _other_officers_exist(membership):
            raise CoreError(_("The organisation must keep at least one compliance officer."))
        old_role = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _sync_perms(user=membership.user, organisation=membership.organisation, role=role)
        trail_record(
            kind="membership.role_changed",
            actor=actor,
            organisation=membership.organisation,
            target=membership,
            data={"user": membership.user.email, "from": old_role, "to": role},
        )
        return membership


def membership_remove(*, membership: Membership, actor: User) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.OFFICER and not _other_officers_exist(membership):
            raise CoreError(_("The organisation must keep at least one compliance officer."))
        _sync_perms(user=membership.user, organisation=membership.organisation, role=None)
        trail_record(
            kind="membership.removed",
            actor=actor,
            organisation=membership.organisation,
            target=membership,
            data={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language, used later for e-mails to this user."""
    with transaction.atomic():
        if user.language == language:
            return
        old = user.language
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        trail_record(
            kind="user.language_changed",
            actor=user,
            target=user,
            data={"from": old, "to": language},
        )
