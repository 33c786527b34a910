"""Open an organisation on a real install and invite its first compliance officer.

    manage.py organisation_open --name "Clinicloud" --slug clinicloud --officer-email rssi@...

The invitation is e-mailed (after commit, like any other) and its link is printed too, so the
first officer can be reached on an install without SMTP yet.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from hdsready.mail import site_link
from hdsready.services import CoreError
from hdsready.services.onboarding import organisation_open


class Command(BaseCommand):
    help = "Create an organisation and invite its first compliance officer; prints the link."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument(
            "--slug", required=True, help="Its short name, in its addresses: /o/<slug>/."
        )
        parser.add_argument(
            "--officer-email", required=True, help="Who becomes its first compliance officer."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the invitation e-mail (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            try:
                organisation, invitation, raw_token = organisation_open(
                    name=options["name"],
                    slug=options["slug"],
                    officer_email=options["officer_email"],
                    actor=None,
                )
            except CoreError as exc:
                raise CommandError(str(exc)) from exc
        link = site_link(reverse("hdsready:invitation-accept", args=[raw_token]))
        self.stdout.write(self.style.SUCCESS(f"Organisation opened: {organisation.name}"))
        self.stdout.write(f"Invitation e-mailed to {invitation.email} (compliance officer).")
        self.stdout.write(f"It expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC. The link:")
        self.stdout.write(f"  {link}")
