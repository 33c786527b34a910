"""The sovereignty register (HDS v2 chapter 7, EXI 28-30) and the published guarantees page
(chapter 8, EXI 31) in the stage 1 and full dossiers: read in a fixed number of queries, the
guarantees from the latest publication's frozen snapshot, printed in the dossier's language and
read back with pdftotext."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bench.dossier_seed import SeededOrganisation, seed_dossier_organisation
from dossiers.content import _guarantees_units, _sovereignty_units, dossier_plan
from dossiers.models import DossierKind
from dossiers.pdf import render_units
from guarantees.services import guarantees_publish
from hdsready.models import Organisation, User
from scopes.activities import ACTIVITIES_BY_NUMBER
from scopes.models import ActivityMode, ScopeActivity, Subcontractor
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from tests.dossiers.test_dossiers import (
    Capture,
    assert_well_formed,
    compact,
    only,
    pages_of,
    pdf_pages,
    placed_units,
    request_and_print,
)

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 31)


def make_register(organisation: Organisation, *, rows: int = 1, tag: str = "") -> None:
    """Per row: a storage location in France (SecNumCloud) and one in the United States, an
    access from Germany (no basis needed), one from Morocco under art. 46 and one from India
    without a basis (EXI 29), an exposure to the CLOUD Act mitigated and one not (EXI 30)."""
    provider = Subcontractor.objects.create(organisation=organisation, name=f"DataCentre {tag}")
    for n in range(rows):
        StorageLocation.objects.create(
            organisation=organisation,
            country="FR",
            site=f"Roubaix {tag}{n}",
            provider=provider,
            activities=[1, 5],
            data_stored="Dossiers patients",
            secnumcloud=True,
            secnumcloud_reference="ANSSI-SNC-0042",
            secnumcloud_on=date(2026, 1, 15),
        )
        StorageLocation.objects.create(
            organisation=organisation, country="US", site=f"Virginia {tag}{n}", activities=[6]
        )
        RemoteAccess.objects.create(
            organisation=organisation, country="DE", legal_basis="none", actors=f"Support {n}"
        )
        RemoteAccess.objects.create(
            organisation=organisation,
            country="MA",
            legal_basis="art46",
            safeguard_reference="CCT 2021/914",
            actors=f"Infogérance Rabat {n}",
            subcontractor=provider,
            purpose="Maintenance",
        )
        RemoteAccess.objects.create(
            organisation=organisation, country="IN", legal_basis="none", actors=f"Offshore {n}"
        )
        LawExposure.objects.create(
            organisation=organisation,
            law=f"CLOUD Act {n}",
            jurisdiction="US",
            actor="Hyperscaler",
            mitigations="Chiffrement, clés chez l'hébergeur",
            residual_risk="medium",
            justification="Clés hors de portée",
        )
        LawExposure.objects.create(
            organisation=organisation,
            law=f"FISA 702 {n}",
            jurisdiction="US",
            residual_risk="high",
            justification="À traiter",
        )


def sovereignty(organisation: Organisation, language: str = "en") -> dict[str, Any]:
    with translation.override(language):
        [unit] = _sovereignty_units(organisation, DAY)
    assert unit.template == "pdf/section_sovereignty.html"
    return unit.context


def guarantees(organisation: Organisation, language: str = "en") -> dict[str, Any]:
    with translation.override(language):
        [unit] = _guarantees_units(organisation)
    assert unit.template == "pdf/section_guarantees.html"
    return unit.context


def test_the_sovereignty_register_with_its_flags(organisation):
    make_register(organisation)
    c = sovereignty(organisation)
    assert c["as_of"] == "March 31, 2027"
    france, usa = sorted(c["storage"], key=lambda row: row["country"])
    assert (france["country_name"], france["in_eea"], france["provider"]) == (
        "France",
        True,
        "DataCentre ",
    )
    assert france["activities"] == [
        f"1. {ACTIVITIES_BY_NUMBER[1].name_en}",
        f"5. {ACTIVITIES_BY_NUMBER[5].name_en}",
    ]
    assert (france["secnumcloud"], france["secnumcloud_reference"]) == (True, "ANSSI-SNC-0042")
    assert france["secnumcloud_on"] == "Jan. 15, 2026"
    assert (usa["in_eea"], usa["provider"]) == (False, organisation.name)  # the host's own
    assert c["storage_outside_eea"] == 1
    # Every access, from inside the EEA too; only the one without a basis is flagged.
    accesses = {row["country"]: row for row in c["accesses"]}
    assert set(accesses) == {"DE", "MA", "IN"}
    assert (accesses["DE"]["in_eea"], accesses["DE"]["flagged"]) == (True, False)
    assert (accesses["MA"]["flagged"], accesses["MA"]["safeguard"]) == (False, "CCT 2021/914")
    assert accesses["MA"]["actors"] == "Infogérance Rabat 0, DataCentre "
    assert (accesses["IN"]["in_eea"], accesses["IN"]["flagged"]) == (False, True)
    assert c["accesses_flagged"] == 1
    exposures = {row["law"]: row for row in c["exposures"]}
    assert exposures["CLOUD Act 0"]["flagged"] is False
    assert exposures["CLOUD Act 0"]["jurisdiction"] == "United States"
    assert exposures["CLOUD Act 0"]["residual_risk"] == "Medium"
    assert exposures["FISA 702 0"]["flagged"] is True
    assert c["exposures_flagged"] == 1
    assert c["adequacy_source"].startswith("https://commission.europa.eu/")
    assert c["adequacy_as_of"] == "Dec. 3, 2026"
    assert [row["country_name"] for row in sovereignty(organisation, "fr")["accesses"]] == [
        "Allemagne",
        "Inde",
        "Maroc",
    ]


def test_an_empty_register(organisation):
    c = sovereignty(organisation)
    assert (c["storage"], c["accesses"], c["exposures"]) == ([], [], [])
    assert c["storage_outside_eea"] == c["accesses_flagged"] == c["exposures_flagged"] == 0


def test_sovereignty_queries_stay_the_same_whatever_the_register_size(organisation):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            sovereignty(organisation)
        return len(captured)

    make_register(organisation, rows=1)
    one = queries()
    make_register(organisation, rows=10, tag="b")
    assert len(sovereignty(organisation)["storage"]) == 22
    assert queries() == one == 3


@pytest.fixture
def published(organisation: Organisation, officer: User):
    """A scope with a subcontractor, the register, and two publications."""
    provider = Subcontractor.objects.create(
        organisation=organisation, name="Nuage Sûr", part_of_service="Sauvegardes"
    )
    ScopeActivity.objects.create(
        organisation=organisation,
        activity=1,
        mode=ActivityMode.SUBCONTRACTED,
        subcontractor=provider,
    )
    ScopeActivity.objects.create(organisation=organisation, activity=5, mode=ActivityMode.IN_HOUSE)
    make_register(organisation)
    guarantees_publish(organisation=organisation, actor=officer)
    return guarantees_publish(organisation=organisation, actor=officer)


def test_guarantees_not_published(organisation):
    assert guarantees(organisation) == {"published": False}


def test_guarantees_from_the_latest_snapshot_never_recomputed(organisation, published):
    # The registers change after the publication: the dossier still prints what was published.
    Subcontractor.objects.filter(organisation=organisation, name="Nuage Sûr").update(name="Renamed")
    StorageLocation.objects.filter(organisation=organisation).delete()

    c = guarantees(organisation)
    assert (c["published"], c["number"]) == (True, 2)
    assert c["published_by"] == str(published.published_by)
    assert c["host"] == organisation.name
    names = [actor["name"] for actor in c["actors"]]
    assert names == [organisation.name, "Nuage Sûr"]
    host, provider = c["actors"]
    assert host["role"] == "Host"
    assert [a["label"] for a in host["activities"]] == [f"5. {ACTIVITIES_BY_NUMBER[5].name_en}"]
    assert host["activities"][0]["uncovered"] is True  # no certificate names it
    assert provider["part_of_service"] == "Sauvegardes"
    assert provider["certificates"] == []
    assert c["statement"] == "transfers"
    assert {row["country"] for row in c["storage"]} == {"France", "United States"}
    # The page publishes only the accesses from outside the EEA.
    assert {row["country"] for row in c["accesses"]} == {"Morocco", "India"}
    assert {row["law"] for row in c["exposures"]} == {"CLOUD Act 0", "FISA 702 0"}
    assert guarantees(organisation, "fr")["actors"][0]["role"] == "Hébergeur"


def test_guarantees_queries_stay_the_same_whatever_the_snapshot_size(
    organisation, officer, published
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            guarantees(organisation)
        return len(captured)

    one = queries()
    for n in range(10):  # taking part in the service without a hosting activity of their own
        Subcontractor.objects.create(
            organisation=organisation, name=f"Sous-traitant {n:02d}", part_of_service="Réseau"
        )
    make_register(organisation, rows=5, tag="b")
    guarantees_publish(organisation=organisation, actor=officer)
    assert len(guarantees(organisation)["actors"]) == 12
    assert queries() == one == 2  # the publication, its publisher


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
def test_which_dossiers_carry_them(kind, carried, seeded_registers):
    plan = dossier_plan(
        organisation=seeded_registers.organisation,
        kind=kind,
        audit=seeded_registers.audit,
        cycle=seeded_registers.cycle,
        today=DAY,
    )
    templates = [unit.template for unit in plan.units]
    assert ("pdf/section_sovereignty.html" in templates) is carried
    assert ("pdf/section_guarantees.html" in templates) is carried


# --- printed -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_registers(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeededOrganisation]:
    with django_db_blocker.unblock(), transaction.atomic():
        seeded = seed_dossier_organisation(slug="registers-dossier", versions=5, findings=2)
        yield seeded
        transaction.set_rollback(True)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_printed_in_the_dossier_language(
    language, seeded_registers: SeededOrganisation, django_capture_on_commit_callbacks: Capture
):
    organisation = seeded_registers.organisation
    StorageLocation.objects.filter(organisation=organisation).delete()
    RemoteAccess.objects.filter(organisation=organisation).delete()
    LawExposure.objects.filter(organisation=organisation).delete()
    make_register(organisation)
    guarantees_publish(organisation=organisation, actor=seeded_registers.officer)

    dossier = request_and_print(
        django_capture_on_commit_callbacks, seeded_registers, DossierKind.STAGE1, language=language
    )

    pages = assert_well_formed(dossier, seeded_registers)
    placed = placed_units(dossier)
    register = compact("".join(pages_of(only(placed, "pdf/section_sovereignty.html"), pages)))
    page = compact("".join(pages_of(only(placed, "pdf/section_guarantees.html"), pages)))
    for printed in ("Roubaix0", "ANSSI-SNC-0042", "CCT2021/914", "Offshore0", "FISA7020"):
        assert printed in register, printed
    assert "commission.europa.eu" in register
    for printed in ("CLOUDAct0", "CCT2021/914", organisation.name):
        assert compact(printed) in page, printed
    if language == "fr":
        in_register = [
            "Registre de souveraineté",
            "Hors de l'EEE (EXI 28)",
            "Aucune base légale valable (EXI 29)",
            "Aucune mesure d'atténuation (EXI 30)",
            "Maroc",
            "Inde",
        ]
        in_page = ["Page publique des garanties", "Acteur de la chaîne", "Maroc"]
        absent = ["Sovereignty register", "Outside the EEA", "Public guarantees page"]
    else:
        in_register = [
            "Sovereignty register",
            "Outside the EEA (EXI 28)",
            "No valid legal basis (EXI 29)",
            "No mitigation (EXI 30)",
            "Morocco",
            "India",
            "Germany",
        ]
        in_page = [
            "Public guarantees page",
            "Version 1, published on",
            "Actor in the chain",
            "Morocco",
            "Transfers outside the European Economic Area",
        ]
        absent = ["Registre de souveraineté", "Hors de l'EEE", "Acteur de la chaîne"]
    text = register + page
    for word in in_register:
        assert compact(word) in register, word
    for word in in_page:
        assert compact(word) in page, word
    for word in absent:
        assert compact(word) not in text, word


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("fr", "La page des garanties n'a jamais été publiée", "never been published"),
        ("en", "The guarantees page has never been published", "jamais été publiée"),
    ],
)
def test_printed_when_nothing_is_published(language, expected, absent, organisation, tmp_path):
    with translation.override(language):
        units = _guarantees_units(organisation)
    [part] = render_units([(u.template, u.context) for u in units], language=language)
    path = tmp_path / "unit.pdf"
    path.write_bytes(part.pdf)
    text = compact("".join(pdf_pages(path)))
    assert compact(expected) in text
    assert "EXI31" in text
    assert compact(absent) not in text
