"""Open an access review in the demo organisation: its members and its auditor's access, the
manager's line already confirmed. Idempotent; for development only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accessreviews.models import Campaign, Decision, SubjectKind
from accessreviews.services import campaign_open, item_decide
from hdsready.models import Membership, Organisation, Role

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = "Open an access review in the demo organisation (run after seed_demo_cycle)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Allow when DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo_access_review is for development (DEBUG=true).")
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if organisation is None:
            raise CommandError("Run seed_demo first.")
        officer = Membership.objects.filter(organisation=organisation, role=Role.OFFICER).first()
        if officer is None:
            raise CommandError("The demo organisation has no compliance officer.")
        if Campaign.objects.filter(organisation=organisation).exists():
            self.stdout.write("Demo access review already there.")
            return
        with transaction.atomic():
            campaign = campaign_open(
                organisation=organisation,
                due_on=timezone.localdate() + timedelta(days=30),
                actor=officer.user,
            )
            manager = Membership.objects.filter(organisation=organisation, role=Role.MANAGER)
            line = campaign.items.filter(
                subject_kind=SubjectKind.MEMBERSHIP, subject_id__in=manager.values("pk")
            ).first()
            if line is not None:
                item_decide(
                    item=line,
                    decision=Decision.CONFIRM,
                    reason="Suit l’avancement de la certification.",
                    actor=officer.user,
                )
        self.stdout.write(f"Demo access review opened ({campaign.items.count()} lines).")
