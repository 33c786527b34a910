"""The transfers section of the public page (HDS v2 EXI 31), from the sovereignty register:
the mandatory statement when nothing leaves the EEA, the SecNumCloud statement when every
location is qualified, the table of transfers and exposures otherwise; frozen like the rest,
country names and labels read in the page's language."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from guarantees.facts import NO_TRANSFER_STATEMENT_FR, SECNUMCLOUD_STATEMENT_FR
from guarantees.services import guarantees_publish
from sovereignty.services import (
    AccessData,
    ExposureData,
    StorageData,
    law_exposure_save,
    remote_access_save,
    storage_location_save,
)

pytestmark = pytest.mark.django_db


def public(organisation, suffix: str = "") -> str:
    return (
        Client()
        .get(reverse("guarantees:public-latest", args=[organisation.slug]) + suffix)
        .content.decode()
    )


def store(organisation, officer, chain, *, country: str = "FR", secnumcloud: bool = False):
    return storage_location_save(
        organisation=organisation,
        data=StorageData(
            country=country,
            site="Site secret de Lyon",
            provider=chain.datacenter,
            activities=[1, 2],
            data_stored="Dossiers patients",
            secnumcloud=secnumcloud,
            secnumcloud_reference="SNC-2025-1" if secnumcloud else "",
            secnumcloud_on=date(2025, 1, 1) if secnumcloud else None,
        ),
        actor=officer,
    )


def test_nothing_outside_the_eea_prints_the_mandatory_statement(
    organisation, officer, chain
) -> None:
    store(organisation, officer, chain)
    publication = guarantees_publish(organisation=organisation, actor=officer)
    assert publication.snapshot["statement"] == "no_transfer"
    page = public(organisation)
    assert f"«\u202f{NO_TRANSFER_STATEMENT_FR}\u202f»" in page
    assert "France" in page
    assert 'id="remote-accesses"' not in page
    # The register's site names and data descriptions stay inside the app.
    assert "Site secret de Lyon" not in page
    assert "Dossiers patients" not in page
    # The English page keeps the French wording (it is the regulation's) and adds a translation.
    english = public(organisation, "?lang=en")
    assert NO_TRANSFER_STATEMENT_FR in english
    assert "No transfer of personal health data" in english


def test_every_location_qualified_prints_the_secnumcloud_statement(
    organisation, officer, chain
) -> None:
    store(organisation, officer, chain, secnumcloud=True)
    publication = guarantees_publish(organisation=organisation, actor=officer)
    assert publication.snapshot["statement"] == "secnumcloud"
    page = public(organisation)
    assert SECNUMCLOUD_STATEMENT_FR in page
    assert NO_TRANSFER_STATEMENT_FR not in page
    assert "SNC-2025-1" in page


def test_transfers_and_exposures_are_listed_instead_of_the_statement(
    organisation, officer, chain
) -> None:
    store(organisation, officer, chain)
    remote_access_save(
        organisation=organisation,
        data=AccessData(
            country="US",
            legal_basis="art46",
            safeguard_reference="Clauses contractuelles types 2021/914",
            actors="Support niveau 3",
            subcontractor=chain.datacenter,
            purpose="Support",
        ),
        actor=officer,
    )
    law_exposure_save(
        organisation=organisation,
        data=ExposureData(
            law="CLOUD Act",
            jurisdiction="US",
            residual_risk="medium",
            justification="Maison mère américaine",
            actor="Éditeur de l’hyperviseur",
            mitigations="Chiffrement, clés en France",
        ),
        actor=officer,
    )
    publication = guarantees_publish(organisation=organisation, actor=officer)
    assert publication.snapshot["statement"] == "transfers"
    (access,) = publication.snapshot["transfers"]["remote_accesses"]
    assert access["country"] == "US"  # a code, named when the page is read
    page = public(organisation)
    assert NO_TRANSFER_STATEMENT_FR not in page
    assert 'id="statement-transfers"' in page
    for fact in (
        "États-Unis",
        "Clauses contractuelles types 2021/914",
        "CLOUD Act",
        "Chiffrement, clés en France",
    ):
        assert fact in page, fact
    english = public(organisation, "?lang=en")
    assert "United States" in english
    assert "États-Unis" not in english


def test_a_transfer_recorded_after_publication_waits_for_the_next_one(
    organisation, officer, chain
) -> None:
    store(organisation, officer, chain)
    guarantees_publish(organisation=organisation, actor=officer)
    store(organisation, officer, chain, country="IN")
    page = public(organisation)
    assert NO_TRANSFER_STATEMENT_FR in page
    assert "Inde" not in page
    guarantees_publish(organisation=organisation, actor=officer)
    page = public(organisation)
    assert "Inde" in page
    assert NO_TRANSFER_STATEMENT_FR not in page
    first = (
        Client()
        .get(reverse("guarantees:public-version", args=[organisation.slug, 1]))
        .content.decode()
    )
    assert NO_TRANSFER_STATEMENT_FR in first


def test_a_version_frozen_without_the_register_says_so(organisation, officer, chain) -> None:
    publication = guarantees_publish(organisation=organisation, actor=officer)
    # A snapshot of a publication made before the register existed has no transfers at all.
    publication.snapshot = {**publication.snapshot, "transfers": None, "statement": "not_recorded"}
    publication.save(update_fields=["snapshot"])
    page = public(organisation)
    assert 'id="statement-missing"' in page
    assert NO_TRANSFER_STATEMENT_FR not in page
