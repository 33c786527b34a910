"""Give the demo organisation a realistic scope: activities, a datacenter subcontractor, an ISO
27001 certificate and a few readiness lines. Idempotent; for development only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from hdsready.mail import QUIET_MAILERS
from hdsready.management.demo import DemoSeedCommand
from hdsready.models import Membership, Organisation, Role, User
from scopes.iso_standards import IsoStandard
from scopes.models import (
    ActivityMode,
    Certificate,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
)
from scopes.selectors import ISO_CODE, builtin_framework
from scopes.services.assessment import ReadinessData, readiness_update
from scopes.services.certificates import certificate_procedures_open_expiring
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    scope_set_activities,
    subcontractor_save,
)

DATACENTER = "DataCenter Paris Nord (démo)"
ISO_COVERED_NOTE = "Couvert par le certificat ISO-DEMO-27001 (activités 3 à 5)."
# Backup (activity 6) is outside the ISO 27001 certificate: its controls are partly met.
ISO_NOT_COVERED = {
    "A.8.13": "Sauvegardes hors du périmètre du certificat ISO 27001 (activité 6).",
    "A.5.30": "Plan de continuité à étendre à l’activité de sauvegarde (activité 6).",
}


class Command(DemoSeedCommand):
    help = "Fill the demo organisation's scope (run after seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, actor = self.demo_organisation(options)
        today = timezone.localdate()
        # The procedure's alert e-mail would bury the personas `make run` has just printed.
        with override_settings(MAILERS=QUIET_MAILERS), transaction.atomic():
            datacenter = organisation.subcontractors.filter(name=DATACENTER).first()
            if datacenter is None:
                datacenter = subcontractor_save(
                    organisation=organisation, name=DATACENTER, siren="000000000", actor=actor
                )
            if not Certificate.objects.filter(organisation=organisation).exists():
                certificate_save(
                    organisation=organisation,
                    subcontractor=datacenter,
                    data=CertificateData(
                        kind="hds",
                        number="HDS-DEMO-0001",
                        certification_body="Organisme certificateur (démo)",
                        accreditation="COFRAC n° 5-0000",
                        standard_version="HDS v2",
                        activities=[1, 2],
                        scope_statement="",
                        issued_on=today - timedelta(days=1000),
                        expires_on=today + timedelta(days=60),
                    ),
                    actor=actor,
                )
                certificate_save(
                    organisation=organisation,
                    subcontractor=None,
                    data=CertificateData(
                        kind="iso27001",
                        number="ISO-DEMO-27001",
                        certification_body="Organisme certificateur (démo)",
                        accreditation="COFRAC n° 4-0000",
                        standard_version="",
                        iso_standard=IsoStandard.ISO_27001_2022,
                        activities=[3, 4, 5],
                        scope_statement="Hébergement infogéré d’applications de santé.",
                        issued_on=today - timedelta(days=400),
                        expires_on=today + timedelta(days=700),
                    ),
                    actor=actor,
                )
            scope_set_activities(
                organisation=organisation,
                choices={
                    1: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
                    2: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
                    **{n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
                },
                actor=actor,
            )
            statuses = {
                "EXI 02": ReadinessStatus.COMPLIANT,
                "EXI 03": ReadinessStatus.COMPLIANT,
                "EXI 05": ReadinessStatus.PARTIAL,
                "EXI 07": ReadinessStatus.NOT_COMPLIANT,
                "EXI 28": ReadinessStatus.COMPLIANT,
            }
            # The requirements not met yet are the contributor's work (their home starts there).
            contributor = Membership.objects.filter(
                organisation=organisation, role=Role.CONTRIBUTOR
            ).first()
            for requirement in Requirement.objects.filter(
                framework__organisation__isnull=True, ref_id__in=statuses
            ):
                status = statuses[requirement.ref_id]
                owner = (
                    contributor.user
                    if contributor is not None and status != ReadinessStatus.COMPLIANT
                    else actor
                )
                readiness_update(
                    organisation=organisation,
                    requirement=requirement,
                    data=ReadinessData(
                        status=status, owner=owner, target_date=today + timedelta(days=45)
                    ),
                    actor=actor,
                )
            self._iso_readiness(organisation, actor)
            # What the first daily scan does: the datacenter's certificate ends within 90 days,
            # so its EXI 14 procedure is open (once, however often the seed runs).
            certificate_procedures_open_expiring(today=today, now=timezone.now())
        self.stdout.write(
            "Demo scope: activities 1-2 at a datacenter whose HDS certificate ends in 60 days, "
            "3-6 in-house; ISO 27001 certificate missing activity 6 (backup), so the ISO 27001 "
            "readiness is compliant but for the backup controls."
        )

    def _iso_readiness(self, organisation: Organisation, actor: User) -> None:
        """The host holds an ISO 27001 certificate: its readiness says so, all but the controls
        of the activity the certificate does not cover yet (6, backup). Once only: the officer
        may have changed it since."""
        iso = builtin_framework(code=ISO_CODE)
        if ReadinessEntry.objects.filter(
            organisation=organisation, requirement__framework=iso
        ).exists():
            return
        for requirement in Requirement.objects.filter(framework=iso, assessable=True):
            partial = requirement.ref_id in ISO_NOT_COVERED
            readiness_update(
                organisation=organisation,
                requirement=requirement,
                data=ReadinessData(
                    status=ReadinessStatus.PARTIAL if partial else ReadinessStatus.COMPLIANT,
                    owner=actor,
                    notes=ISO_NOT_COVERED.get(requirement.ref_id, ISO_COVERED_NOTE),
                ),
                actor=actor,
            )
