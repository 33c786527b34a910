"""The starting point of the next-audit journeys (issue 15): the demo as `make run` seeds it,
41 days ago, its initial audit's non-conformities corrected and verified and the certification
granted the next day. Seeded in the past (time-machine) so that the seeds' own trail rows come
before the decision and only a journey's changes after it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import Audit, AuditKind, Finding, FindingKind, FindingStatus
from audits.services.cycle import decision_record
from audits.services.findings import finding_submit_correction, finding_verify
from audits.workflow import Actor
from hdsready.mail import QUIET_MAILERS
from hdsready.models import Membership, Organisation, Role, User
from tests.factories import PASSWORD

SEEDED_DAYS_AGO = 41
DECIDED_DAYS_AGO = 40
DEMO_SEEDS = (
    "seed_demo",
    "seed_demo_scope",
    "seed_demo_cycle",
    "seed_demo_contracts",
    "seed_demo_sovereignty",
)


def member(organisation: Organisation, role: str) -> User:
    return Membership.objects.get(organisation=organisation, role=role).user


def seed_decided_demo() -> Organisation:
    """Needs DEBUG (the demo seeds are for development) and a database that commits."""
    with (
        time_machine.travel(timezone.now() - timedelta(days=SEEDED_DAYS_AGO), tick=True),
        override_settings(MAILERS=QUIET_MAILERS),
    ):
        call_command("catalog_sync", stdout=StringIO())
        for command in DEMO_SEEDS:
            call_command(command, "--force", stdout=StringIO())
    with (
        time_machine.travel(timezone.now() - timedelta(days=DECIDED_DAYS_AGO), tick=True),
        override_settings(MAILERS=QUIET_MAILERS),
    ):
        organisation = Organisation.objects.get(slug="demo")
        officer = member(organisation, Role.OFFICER)
        auditor = User.objects.get(email=AUDITOR_EMAIL)
        initial = Audit.objects.get(cycle__organisation=organisation, kind=AuditKind.INITIAL)
        nonconformities = Finding.objects.filter(audit=initial).exclude(
            kind=FindingKind.OBSERVATION
        )
        for finding in nonconformities.filter(status=FindingStatus.OPEN):
            finding_submit_correction(
                finding=finding,
                correction="Correction apportée.",
                root_cause="Cause identifiée.",
                action_plan="Plan d’actions sur six mois.",
                actor=officer,
            )
        for finding in nonconformities:
            finding_verify(
                finding=finding,
                accepted=True,
                comment="Correction vérifiée.",
                actor=auditor,
                role=Actor.AUDITOR,
            )
        initial.refresh_from_db()
        decision_record(
            audit=initial,
            decided_on=timezone.localdate(),
            activities=initial.cycle.activities,
            certificate_numbers={"physical": "HDS-2026-0098", "managed": "HDS-2026-0099"},
            actor=officer,
        )
    for user in User.objects.filter(email__endswith="@demo.hdsready.test"):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return organisation
