"""The client contracts in the stage 1 and full dossiers (HDS v2 chapter 6, EXI 17-27; contacts
EXI 11 and 20): the contracts in force on the dossier's day with their eleven clauses (own answer
or the template's), the gaps per clause, the clients' key contacts; read in a fixed number of
queries; printed in the dossier's language and read back with pdftotext."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from bench.dossier_seed import SeededOrganisation, seed_dossier_organisation
from contracts.clauses import CLAUSES
from contracts.models import ClauseState, Client, ClientContact, Contract, ContractClause
from dossiers.content import CONTRACTS_PER_UNIT, _contracts_units, dossier_plan
from dossiers.models import DossierKind
from hdsready.models import Organisation
from scopes.activities import ACTIVITIES_BY_NUMBER
from tests.dossiers.test_dossiers import (
    Capture,
    assert_well_formed,
    compact,
    pages_of,
    placed_units,
    request_and_print,
)

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 31)


def answer(contract: Contract, code: str, state: str, reference: str = "") -> None:
    ContractClause.objects.create(contract=contract, clause=code, state=state, reference=reference)


def make_register(organisation: Organisation, *, clients: int = 1, tag: str = "") -> None:
    """Per client: a contract in force from a template (EXI 17 present in the template, EXI 18
    missing in the template but present in the contract, EXI 20 not applicable in the
    contract), an ended one, one not yet in force; a health professional and a referent for
    all but the first client, who has only a plain contact."""
    template = Contract.objects.create(
        organisation=organisation, is_template=True, title=f"Modèle 2025{tag}", activities=[3]
    )
    answer(template, "exi17", ClauseState.PRESENT, "art. 2")
    answer(template, "exi18", ClauseState.MISSING)
    for number in range(clients):
        client = Client.objects.create(
            organisation=organisation, name=f"Clinique {tag}{number:03d}", siren="123456789"
        )
        contract = Contract.objects.create(
            organisation=organisation,
            client=client,
            template=template,
            title=f"Offre Santé {number:03d}",
            activities=[3, 5],
            start_on=DAY - timedelta(days=100),
            end_on=DAY + timedelta(days=100),
        )
        answer(contract, "exi18", ClauseState.PRESENT, "annexe B p. 4")
        answer(contract, "exi20", ClauseState.NOT_APPLICABLE)
        Contract.objects.create(
            organisation=organisation,
            client=client,
            title=f"Ancien contrat {number:03d}",
            start_on=DAY - timedelta(days=800),
            end_on=DAY - timedelta(days=1),
        )
        Contract.objects.create(
            organisation=organisation,
            client=client,
            title=f"Contrat à venir {number:03d}",
            start_on=DAY + timedelta(days=1),
        )
        if number == 0:
            ClientContact.objects.create(client=client, name="Accueil", function="Standard")
        else:
            ClientContact.objects.create(
                client=client,
                name=f"Dr Martin {number}",
                function="Médecin DIM",
                email=f"dim{number}@clinique.test",
                health_professional=True,
            )
            ClientContact.objects.create(
                client=client, name=f"RSSI {number}", phone="01 23 45 67 89", incident_referent=True
            )


def units(organisation: Organisation, language: str = "en") -> list[Any]:
    with translation.override(language):
        return _contracts_units(organisation, DAY)


def test_the_register_as_of_the_day(organisation):
    make_register(organisation, clients=2)
    # A client with only an ended contract is not among the clients of the dossier.
    gone = Client.objects.create(organisation=organisation, name="Partie")
    Contract.objects.create(
        organisation=organisation,
        client=gone,
        title="Fini",
        start_on=date(2020, 1, 1),
        end_on=date(2021, 1, 1),
    )

    summary, contracts = units(organisation)
    assert summary.template == contracts.template == "pdf/section_contracts.html"
    assert summary.context["in_force"] == 2
    assert summary.context["as_of"] == "March 31, 2027"
    gaps = {row["ref"]: row for row in summary.context["gaps"]}
    assert list(gaps) == [clause.ref_id for clause in CLAUSES]
    assert (gaps["EXI 17"]["present"], gaps["EXI 17"]["without"]) == (2, [])
    assert (gaps["EXI 18"]["present"], gaps["EXI 18"]["missing"]) == (2, 0)
    assert (gaps["EXI 20"]["not_applicable"], gaps["EXI 20"]["without"]) == (2, [])
    assert gaps["EXI 21"]["unanswered"] == 2
    assert gaps["EXI 21"]["without"] == [
        "Offre Santé 000 (Clinique 000)",
        "Offre Santé 001 (Clinique 001)",
    ]

    clients = summary.context["clients"]
    assert [client["name"] for client in clients] == ["Clinique 000", "Clinique 001"]
    first, second = clients
    assert first["contacts"] == []  # the plain contact holds no HDS role
    assert first["without_health_professional"]
    assert first["without_incident_referent"]
    assert [c["name"] for c in second["contacts"]] == ["Dr Martin 1", "RSSI 1"]
    assert not second["without_health_professional"]
    assert not second["without_incident_referent"]
    assert summary.context["clients_without_health_professional"] == 1
    assert summary.context["clients_without_incident_referent"] == 1

    [contract, _other] = contracts.context["contracts"]
    assert contract["title"] == "Offre Santé 000"
    assert contract["client"] == "Clinique 000"
    assert contract["template"] == "Modèle 2025"
    assert contract["start_on"] == "Dec. 21, 2026"
    assert contract["end_on"] == "July 9, 2027"
    assert contract["activities"] == [
        f"3. {ACTIVITIES_BY_NUMBER[3].name_en}",
        f"5. {ACTIVITIES_BY_NUMBER[5].name_en}",
    ]
    clauses = {row["ref"]: row for row in contract["clauses"]}
    assert clauses["EXI 17"] == {
        "ref": "EXI 17",
        "label": "Scope and dates of the host's certificate",
        "state_key": "present",
        "state": "Present",
        "source": "From the template",
        "reference": "art. 2",
    }
    assert (clauses["EXI 18"]["state"], clauses["EXI 18"]["source"]) == ("Present", "Own answer")
    assert clauses["EXI 18"]["reference"] == "annexe B p. 4"
    assert (clauses["EXI 20"]["state"], clauses["EXI 20"]["source"]) == (
        "Not applicable",
        "Own answer",
    )
    assert (clauses["EXI 21"]["state"], clauses["EXI 21"]["source"]) == ("Not answered", "")
    assert contract["gaps"] == 8  # EXI 19 and 21-27


def test_a_long_register_is_laid_out_in_parts(organisation):
    make_register(organisation, clients=CONTRACTS_PER_UNIT + 1)
    summary, first, second = units(organisation)
    assert summary.context["part"] == "summary"
    assert (first.context["continued"], len(first.context["contracts"])) == (
        False,
        CONTRACTS_PER_UNIT,
    )
    assert (second.context["continued"], len(second.context["contracts"])) == (True, 1)


def test_queries_stay_the_same_whatever_the_register_size(organisation):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            units(organisation)
        return len(captured)

    empty = queries()
    assert empty == 1  # no contract in force: nothing else to read
    make_register(organisation, clients=1)
    one = queries()
    make_register(organisation, clients=12, tag="b")
    assert len(units(organisation)[1].context["contracts"]) == 13
    assert queries() == one == 3


@pytest.mark.parametrize(
    ("kind", "carried"),
    [
        (DossierKind.STAGE1, True),
        (DossierKind.FULL, True),
        (DossierKind.STAGE2, False),
        (DossierKind.CORRECTIONS, False),
        (DossierKind.SOA, False),
    ],
)
def test_which_dossiers_carry_it(kind, carried, seeded_plain):
    plan = dossier_plan(
        organisation=seeded_plain.organisation,
        kind=kind,
        audit=seeded_plain.audit,
        cycle=seeded_plain.cycle,
        today=DAY,
    )
    templates = [unit.template for unit in plan.units]
    assert ("pdf/section_contracts.html" in templates) is carried


# --- printed -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_plain(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeededOrganisation]:
    with django_db_blocker.unblock(), transaction.atomic():
        seeded = seed_dossier_organisation(slug="contracts-dossier", versions=5, findings=2)
        yield seeded
        transaction.set_rollback(True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_printed_in_the_dossier_language(
    language, seeded_plain: SeededOrganisation, django_capture_on_commit_callbacks: Capture
):
    organisation = seeded_plain.organisation
    make_register(organisation, clients=2)
    # The dossier is of today: the register's dates move with it.
    shift = timezone.localdate() - DAY
    for contract in Contract.objects.filter(organisation=organisation, is_template=False):
        contract.start_on = contract.start_on + shift if contract.start_on else None
        contract.end_on = contract.end_on + shift if contract.end_on else None
        contract.save(update_fields=["start_on", "end_on"])

    dossier = request_and_print(
        django_capture_on_commit_callbacks, seeded_plain, DossierKind.STAGE1, language=language
    )

    pages = assert_well_formed(dossier, seeded_plain)
    parts = [
        spot for spot in placed_units(dossier) if spot.unit.template.endswith("contracts.html")
    ]
    assert len(parts) == 2
    text = compact("".join(page for spot in parts for page in pages_of(spot, pages)))
    for printed in (
        "Offre Santé 000",
        "Clinique 001",
        "Dr Martin 1",
        "dim1@clinique.test",
        "RSSI 1",
    ):
        assert compact(printed) in text
    assert "annexeBp.4" in text
    assert "Anciencontrat" not in text  # ended
    assert "Contratàvenir" not in text  # not yet in force
    assert "Accueil" not in text  # a contact with no HDS role
    if language == "fr":
        words = [
            "Contrats clients",  # the section's title
            "Périmètre et dates du certificat de l'hébergeur",  # EXI 17
            "Présente",
            "Non applicable",
            "Sans réponse",
            "Référent incidents (EXI 20)",
            ACTIVITIES_BY_NUMBER[5].wording_fr,
        ]
        absent = ["Client contracts", "Not answered", ACTIVITIES_BY_NUMBER[5].name_en]
    else:
        words = [
            "Client contracts",
            "Contracts in force",
            "Scope and dates of the host's certificate",
            "Present",
            "Not applicable",
            "Not answered",
            "From the template",
            "Own answer",
            "Incident referent (EXI 20)",
            "No designated health professional (EXI 11).",
            ACTIVITIES_BY_NUMBER[5].name_en,
        ]
        absent = ["Contrats clients", "Sans réponse", ACTIVITIES_BY_NUMBER[5].wording_fr]
    for word in words:
        assert compact(word) in text, word
    for word in absent:
        assert compact(word) not in text, word
