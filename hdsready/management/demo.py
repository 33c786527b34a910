"""What the demo seed commands share (`make run` runs them in turn): they refuse to run with
DEBUG off unless --force, and start from the demo organisation and its compliance officer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hdsready.models import Membership, Organisation, Role, User

DEMO_SLUG = "demo"


class DemoSeedCommand(BaseCommand):
    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Allow when DEBUG is off.")

    def demo_organisation(self, options: dict[str, Any]) -> tuple[Organisation, User]:
        """The demo organisation and its compliance officer (the seeds' actor)."""
        name = type(self).__module__.rsplit(".", 1)[-1]
        if not settings.DEBUG and not options["force"]:
            raise CommandError(f"{name} is for development (DEBUG=true).")
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if organisation is None:
            raise CommandError("Run seed_demo first.")
        officer = (
            Membership.objects.select_related("user")
            .filter(organisation=organisation, role=Role.OFFICER)
            .first()
        )
        if officer is None:
            raise CommandError("The demo organisation has no compliance officer.")
        return organisation, officer.user
