"""Open an access review in the demo organisation: its members and its auditor's access, the
manager's line already confirmed. Idempotent; for development only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accessreviews.models import Campaign, Decision, SubjectKind
from accessreviews.services import campaign_open, item_decide
from hdsready.management.demo import DemoSeedCommand
from hdsready.models import Membership, Role


class Command(DemoSeedCommand):
    help = "Open an access review in the demo organisation (run after seed_demo_cycle)."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, actor = self.demo_organisation(options)
        if Campaign.objects.filter(organisation=organisation).exists():
            self.stdout.write("Demo access review already there.")
            return
        with transaction.atomic():
            campaign = campaign_open(
                organisation=organisation,
                due_on=timezone.localdate() + timedelta(days=30),
                actor=actor,
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
                    actor=actor,
                )
        self.stdout.write(f"Demo access review opened ({campaign.items.count()} lines).")
