from __future__ import annotations

import pytest
from django.utils import translation

from hdsready.models import TrailEvent
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from sovereignty.selectors import register_facts, sovereignty_facts
from sovereignty.services import (
    AccessData,
    ExposureData,
    SovereigntyError,
    StorageData,
    law_exposure_delete,
    law_exposure_save,
    remote_access_delete,
    remote_access_save,
    storage_location_delete,
    storage_location_save,
)

pytestmark = pytest.mark.usefixtures("english")


def _kinds() -> list[str]:
    return list(
        TrailEvent.objects.exclude(kind__startswith="membership.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_storage_location_saved_changed_deleted_with_a_trail(organisation, officer, subcontractor):
    location = storage_location_save(
        organisation=organisation,
        data=StorageData(country="fr", site="Roubaix", provider=subcontractor, activities=[1, 2]),
        actor=officer,
    )
    assert location.country == "FR"
    storage_location_save(
        organisation=organisation,
        location=location,
        data=StorageData(country="FR", site="Roubaix 2", activities=[2, 1, 2]),
        actor=officer,
    )
    location.refresh_from_db()
    assert location.activities == [1, 2]
    assert location.provider is None
    event = TrailEvent.objects.get(kind="storage_location.updated")
    assert event.data["changes"]["site"] == ["Roubaix", "Roubaix 2"]
    storage_location_delete(location=location, actor=officer)
    assert _kinds() == [
        "storage_location.created",
        "storage_location.updated",
        "storage_location.deleted",
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (StorageData(country="XX", site="Nowhere"), "country"),
        (StorageData(country="F\x00", site="Nowhere"), "country"),
        (StorageData(country="FR", site="Paris\x00"), "site"),
        (StorageData(country="FR", site="x" * 10_000), "site"),
        (StorageData(country="FR", site="Paris", data_stored="y" * 10_000), "data_stored"),
        (StorageData(country="FR", site="  "), "site"),
        (StorageData(country="FR", site="Paris", activities=[7]), "activities"),
        (StorageData(country="FR", site="Paris", activities=[6]), "activities"),
        (StorageData(country="FR", site="Paris", secnumcloud_reference="SNC-1"), "secnumcloud"),
    ],
)
def test_bad_storage_input_is_refused_beside_its_field(
    organisation, officer, subcontractor, data, field
):
    with pytest.raises(SovereigntyError) as refused:
        storage_location_save(organisation=organisation, data=data, actor=officer)
    assert refused.value.field == field
    assert not StorageLocation.objects.exists()
    assert _kinds() == []


def test_another_organisations_subcontractor_is_refused(
    organisation, officer, foreign_subcontractor
):
    with pytest.raises(SovereigntyError, match="Unknown subcontractor") as refused:
        storage_location_save(
            organisation=organisation,
            data=StorageData(country="FR", site="Paris", provider=foreign_subcontractor),
            actor=officer,
        )
    assert refused.value.field == "provider"
    with pytest.raises(SovereigntyError, match="Unknown subcontractor"):
        remote_access_save(
            organisation=organisation,
            data=AccessData(country="FR", subcontractor=foreign_subcontractor),
            actor=officer,
        )
    assert not StorageLocation.objects.exists()
    assert not RemoteAccess.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (AccessData(country="XX", actors="Support"), "country", "Unknown country"),
        (
            AccessData(country="MA", legal_basis="art45", actors="Support"),
            "legal_basis",
            "no adequacy decision",
        ),
        (
            AccessData(country="MA", legal_basis="art46", actors="Support"),
            "safeguard_reference",
            "Name the safeguard",
        ),
        (
            AccessData(country="US", legal_basis="art45", actors="Support"),
            "safeguard_reference",
            "partial",
        ),
        (AccessData(country="MA", legal_basis="art99", actors="Support"), "legal_basis", "Unknown"),
        (AccessData(country="MA"), "actors", "who has this access"),
        (AccessData(country="MA", actors="a" * 10_000), "actors", "At most"),
        (AccessData(country="MA", actors="Support\x00"), "actors", "not allowed"),
    ],
)
def test_bad_access_input_is_refused_beside_its_field(organisation, officer, data, field, message):
    with pytest.raises(SovereigntyError, match=message) as refused:
        remote_access_save(organisation=organisation, data=data, actor=officer)
    assert refused.value.field == field
    assert not RemoteAccess.objects.exists()
    assert _kinds() == []


def test_access_without_basis_is_recorded(organisation, officer, subcontractor):
    access = remote_access_save(
        organisation=organisation,
        data=AccessData(country="MA", subcontractor=subcontractor, purpose="Level-1 support"),
        actor=officer,
    )
    assert access.legal_basis == "none"
    remote_access_delete(access=access, actor=officer)
    assert _kinds() == ["remote_access.created", "remote_access.deleted"]


def test_law_exposure_needs_law_risk_and_justification(organisation, officer):
    with pytest.raises(SovereigntyError) as refused:
        law_exposure_save(
            organisation=organisation,
            data=ExposureData(law="CLOUD Act", residual_risk="high", justification=" "),
            actor=officer,
        )
    assert refused.value.field == "justification"
    with pytest.raises(SovereigntyError) as refused:
        law_exposure_save(
            organisation=organisation,
            data=ExposureData(law="CLOUD Act", residual_risk="huge", justification="x"),
            actor=officer,
        )
    assert refused.value.field == "residual_risk"
    with pytest.raises(SovereigntyError) as refused:
        law_exposure_save(
            organisation=organisation,
            data=ExposureData(
                law="CLOUD Act", residual_risk="low", justification="x", jurisdiction="QQ"
            ),
            actor=officer,
        )
    assert refused.value.field == "jurisdiction"
    assert not LawExposure.objects.exists()
    exposure = law_exposure_save(
        organisation=organisation,
        data=ExposureData(
            law="CLOUD Act",
            jurisdiction="us",
            residual_risk="medium",
            justification="Keys held in France",
            mitigations="Client-side encryption",
        ),
        actor=officer,
    )
    assert exposure.jurisdiction == "US"
    law_exposure_delete(exposure=exposure, actor=officer)
    assert _kinds() == ["law_exposure.created", "law_exposure.deleted"]


def test_sovereignty_facts_are_plain_data_in_bounded_queries(
    organisation, officer, subcontractor, django_assert_num_queries
):
    def fill(n: int) -> None:
        for i in range(n):
            storage_location_save(
                organisation=organisation,
                data=StorageData(country="FR", site=f"Site {i}", provider=subcontractor),
                actor=officer,
            )
            remote_access_save(
                organisation=organisation,
                data=AccessData(
                    country="MA", legal_basis="art46", safeguard_reference="SCC", actors="N1"
                ),
                actor=officer,
            )
            remote_access_save(
                organisation=organisation, data=AccessData(country="DE", actors="N2"), actor=officer
            )
            law_exposure_save(
                organisation=organisation,
                data=ExposureData(law=f"Law {i}", residual_risk="low", justification="j"),
                actor=officer,
            )

    fill(1)
    with django_assert_num_queries(3):
        facts = sovereignty_facts(organisation=organisation)
    fill(9)
    with django_assert_num_queries(3):
        facts = sovereignty_facts(organisation=organisation)
    assert len(facts.storage) == 10
    assert len(facts.remote_accesses) == 10  # Germany is inside the EEA: not a transfer
    assert len(facts.law_exposures) == 10
    first = facts.storage[0]
    assert (first.country, first.in_eea, first.provider) == ("FR", True, "DataCentre Nord")
    assert facts.all_storage_in_eea
    access = facts.remote_accesses[0]
    assert access.country == "MA"
    assert access.safeguard == "SCC"
    assert not access.flagged
    with translation.override("fr"):
        assert sovereignty_facts(organisation=organisation).remote_accesses[0].country_name == (
            "Maroc"
        )


def test_register_facts_carry_every_access_in_bounded_queries(
    organisation, officer, django_assert_num_queries
):
    def fill(n: int) -> None:
        for i in range(n):
            remote_access_save(
                organisation=organisation,
                data=AccessData(country="DE", actors=f"Support {i}"),
                actor=officer,
            )
            remote_access_save(
                organisation=organisation, data=AccessData(country="IN", actors="X"), actor=officer
            )
            law_exposure_save(
                organisation=organisation,
                data=ExposureData(law=f"Law {i}", residual_risk="high", justification="j"),
                actor=officer,
            )

    fill(1)
    with django_assert_num_queries(3):
        register_facts(organisation=organisation)
    fill(9)
    with django_assert_num_queries(3):
        facts = register_facts(organisation=organisation)
    # Inside the EEA too, unlike the facts the public page publishes.
    assert [(a.country, a.in_eea, a.flagged) for a in facts.remote_accesses[:1]] == [
        ("DE", True, False)
    ]
    assert len(facts.remote_accesses) == 20
    assert sum(1 for a in facts.remote_accesses if a.flagged) == 10  # India, no basis (EXI 29)
    assert len(sovereignty_facts(organisation=organisation).remote_accesses) == 10
    assert all(e.flagged for e in facts.law_exposures)  # no mitigation (EXI 30)
