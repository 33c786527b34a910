"""Opening an organisation on a real install: the operator's path from an empty database.

The operator (a console command, or a staff member on the staff page) creates the organisation
and invites its first compliance officer by e-mail. The officer's permissions are set when they
accept, by the same membership service as every member (roles.ROLE_PERMS), so an organisation
opened here is set up exactly as one created by the demo seed.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from hdsready.models import Invitation, Organisation, Role, User
from hdsready.services import CoreError
from hdsready.services.invitations import invitation_send
from hdsready.services.organisations import organisation_new


def organisation_open(
    *,
    name: str,
    slug: str,
    officer_email: str,
    actor: User | None,
    now: datetime | None = None,
) -> tuple[Organisation, Invitation, str]:
    """Create an organisation and invite its first compliance officer (HDS: the host names who
    answers for its certification); both steps are in the audit trail. `actor` is a staff user,
    or None for the operator at the console, who is nobody in the app. Returns the organisation,
    the invitation and the raw link token (the console prints the link, so no SMTP is needed)."""
    if actor is not None and not (actor.is_active and actor.is_staff):
        raise CoreError(_("Only staff can open an organisation."))
    officer_email = officer_email.strip().lower()
    try:
        validate_email(officer_email)
    except ValidationError as exc:
        raise CoreError(_("Enter a valid e-mail address for the officer.")) from exc
    with transaction.atomic():
        organisation = organisation_new(name=name, slug=slug, actor=actor)
        invitation, raw_token = invitation_send(
            organisation=organisation,
            email=officer_email,
            role=Role.OFFICER,
            actor=actor,
            now=now,
        )
        return organisation, invitation, raw_token
