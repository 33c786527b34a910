"""Give the demo organisation a sovereignty register: its data stored in France (the datacenter
subcontractor and the host's own backup site), first-level support reached from Morocco under
standard contractual clauses, and one exposure to a non-EU law. Idempotent; for development
only."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hdsready.management.demo import DemoSeedCommand
from scopes.models import HostProfile
from scopes.services.scope import host_profile_update
from sovereignty.models import StorageLocation
from sovereignty.selectors import scope_activity_numbers
from sovereignty.services import (
    AccessData,
    ExposureData,
    StorageData,
    law_exposure_save,
    remote_access_save,
    storage_location_save,
)


class Command(DemoSeedCommand):
    help = "Fill the demo organisation's sovereignty register (run after seed_demo_scope)."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, actor = self.demo_organisation(options)
        if StorageLocation.objects.filter(organisation=organisation).exists():
            self.stdout.write("Demo sovereignty register already there.")
            return
        in_scope = set(scope_activity_numbers(organisation=organisation))
        datacenter = organisation.subcontractors.order_by("pk").first()
        with transaction.atomic():
            storage_location_save(
                organisation=organisation,
                data=StorageData(
                    country="FR",
                    site="Saint-Denis (93), salle 2",
                    provider=datacenter,
                    activities=sorted(in_scope & {1, 2, 3, 4, 5}),
                    data_stored="Bases de production des clients (DPI, imagerie).",
                ),
                actor=actor,
            )
            storage_location_save(
                organisation=organisation,
                data=StorageData(
                    country="FR",
                    site="Lille (59), site de sauvegarde",
                    activities=sorted(in_scope & {6}),
                    data_stored="Sauvegardes chiffrées, rétention 35 jours.",
                ),
                actor=actor,
            )
            remote_access_save(
                organisation=organisation,
                data=AccessData(
                    country="MA",
                    legal_basis="art46",
                    safeguard_reference="Clauses contractuelles types 2021/914, module 3, "
                    "signées le 12/03/2024",
                    actors="Support de niveau 1 (prestataire, Rabat)",
                    purpose="Prise en charge des tickets, sans accès aux bases de production.",
                ),
                actor=actor,
            )
            law_exposure_save(
                organisation=organisation,
                data=ExposureData(
                    law="CLOUD Act",
                    jurisdiction="US",
                    actor="Éditeur de l’outil de supervision (société américaine)",
                    mitigations="L’outil ne reçoit que des métriques techniques, sans données "
                    "de santé.",
                    residual_risk="low",
                    justification="Aucune donnée de santé n’est accessible à l’éditeur.",
                ),
                actor=actor,
            )
            # The host profile says what the register shows (the page flags any disagreement):
            # reached from outside the EEA (EXI 29 applies), exposed to a non-EU law (EXI 30).
            profile, _created = HostProfile.objects.get_or_create(organisation=organisation)
            host_profile_update(
                organisation=organisation,
                stores_health_data=profile.stores_health_data,
                non_eea_access=True,
                non_eu_law_exposure=True,
                actor=actor,
            )
        self.stdout.write(
            "Demo sovereignty register: 2 storage locations, 1 access from Morocco, 1 law; "
            "the host profile agrees (EXI 29 and 30 apply)."
        )
