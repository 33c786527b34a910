"""Give the demo organisation a register of client contracts: three clients with their contacts,
a contract template and three contracts made from it or not, with some clauses missing.
Idempotent; for development only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from contracts.clauses import CLAUSES
from contracts.models import ClauseState, Contract
from contracts.services import (
    ClauseAnswer,
    ClientData,
    ContactData,
    ContractData,
    client_contact_save,
    client_save,
    contract_clauses_set,
    contract_save,
)
from evidence.models import EvidenceKind
from evidence.services import ItemData, evidence_item_create
from hdsready.management.demo import DemoSeedCommand

TEMPLATE_TITLE = "Offre HDS infogérance · modèle 2025"

# (client, SIREN, notes, contacts: (name, function, e-mail, phone, health professional, referent))
CLIENTS = (
    (
        "Clinique des Lilas (démo)",
        "552100554",
        "Client depuis 2023.",
        (
            (
                "Dr Claire Martin",
                "Médecin DIM",
                "c.martin@lilas.test",
                "01 23 45 67 89",
                True,
                False,
            ),
            ("Paul Girard", "RSSI", "p.girard@lilas.test", "01 23 45 67 80", False, True),
        ),
    ),
    (
        "Centre hospitalier de Montreuil (démo)",
        "267500452",
        "",
        (("Inès Roux", "Responsable informatique", "i.roux@ch-montreuil.test", "", False, True),),
    ),
    (
        "Éditeur Santé Connect (démo)",
        "",
        "",
        (
            (
                "Hugo Lefèvre",
                "Directeur technique",
                "h.lefevre@sante-connect.test",
                "",
                False,
                False,
            ),
        ),
    ),
)


class Command(DemoSeedCommand):
    help = "Fill the demo organisation's register of client contracts (run after seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, actor = self.demo_organisation(options)
        if Contract.objects.filter(organisation=organisation).exists():
            self.stdout.write("Demo contracts already there.")
            return
        today = timezone.localdate()
        with transaction.atomic():
            clients = []
            for name, siren, notes, contacts in CLIENTS:
                client = client_save(
                    organisation=organisation,
                    data=ClientData(name=name, siren=siren, notes=notes),
                    actor=actor,
                )
                for person, function, email, phone, health, referent in contacts:
                    client_contact_save(
                        client=client,
                        data=ContactData(person, function, email, phone, health, referent),
                        actor=actor,
                    )
                clients.append(client)
            template = contract_save(
                organisation=organisation,
                data=ContractData(
                    title=TEMPLATE_TITLE,
                    services="Hébergement et infogérance de l’application du client.",
                    activities=[3, 4, 5, 6],
                ),
                is_template=True,
                actor=actor,
            )
            # The template was checked once: every clause present but the guarantees if the host
            # fails (EXI 25), still missing.
            contract_clauses_set(
                contract=template,
                answers={
                    clause.code: ClauseAnswer(ClauseState.MISSING, note="À ajouter à l’annexe 3.")
                    if clause.ref_id == "EXI 25"
                    else ClauseAnswer(ClauseState.PRESENT, reference=f"art. {index}")
                    for index, clause in enumerate(CLAUSES, start=1)
                },
                actor=actor,
            )
            signed = evidence_item_create(
                organisation=organisation,
                data=ItemData(
                    title="Contrat signé · Clinique des Lilas",
                    url="https://ged.demo.hdsready.test/contrats/lilas-2024.pdf",
                ),
                kind=EvidenceKind.LINK,
                actor=actor,
            )
            lilas = contract_save(
                organisation=organisation,
                data=ContractData(
                    title="Hébergement du DPI",
                    client=clients[0],
                    template=template,
                    services="Hébergement du dossier patient informatisé.",
                    activities=[3, 4, 5, 6],
                    start_on=today - timedelta(days=400),
                    end_on=today + timedelta(days=700),
                    signed_copy=signed,
                ),
                actor=actor,
            )
            contract_clauses_set(
                contract=lilas,
                answers={"exi25": ClauseAnswer(ClauseState.PRESENT, reference="annexe 3, p. 12")},
                actor=actor,
            )
            montreuil = contract_save(
                organisation=organisation,
                data=ContractData(
                    title="Sauvegarde externalisée",
                    client=clients[1],
                    template=template,
                    activities=[6],
                    start_on=today - timedelta(days=90),
                ),
                actor=actor,
            )
            contract_clauses_set(
                contract=montreuil,
                answers={
                    "exi27": ClauseAnswer(ClauseState.MISSING, note="Formats de restitution ?"),
                    "exi22": ClauseAnswer(ClauseState.NOT_APPLICABLE, note="Aucun sous-traitant."),
                },
                actor=actor,
            )
            ended = contract_save(
                organisation=organisation,
                data=ContractData(
                    title="Plateforme de télésurveillance (pilote)",
                    client=clients[2],
                    activities=[4],
                    start_on=today - timedelta(days=900),
                    end_on=today - timedelta(days=30),
                ),
                actor=actor,
            )
            contract_clauses_set(
                contract=ended,
                answers={
                    clause.code: ClauseAnswer(ClauseState.PRESENT, reference=f"§ {index}")
                    for index, clause in enumerate(CLAUSES[:6], start=1)
                },
                actor=actor,
            )
        self.stdout.write("Demo contracts: 3 clients, 1 template, 3 contracts.")
