"""The sovereignty register in the API: contributors write through the services (trail),
managers read, outsiders get 404; refusals come back under the field's name; flags follow the
rules; lists are paged and cost the same as they grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hdsready.models import TrailEvent
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from tests.scopes.test_api import api_client, o

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = "application/json"


def test_a_contributor_writes_each_section(organisation, contributor, subcontractor) -> None:
    api = api_client(contributor)
    response = api.post(
        o(organisation, "sovereignty/storage/"),
        {"country": "us", "site": "Ashburn", "provider": subcontractor.pk, "activities": [1]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["country"], body["country_name"], body["flagged"]) == (
        "US",
        "United States",
        True,
    )
    pk = body["id"]
    response = api.patch(
        o(organisation, f"sovereignty/storage/{pk}/"), {"country": "FR"}, content_type=JSON
    )
    assert response.status_code == 200, response.json()
    assert response.json()["flagged"] is False
    assert response.json()["provider"] == subcontractor.pk  # kept by the partial change
    response = api.post(
        o(organisation, "sovereignty/access/"),
        {"country": "CH", "legal_basis": "art45", "actors": "Astreinte"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["flagged"] is False
    response = api.post(
        o(organisation, "sovereignty/laws/"),
        {"law": "CLOUD Act", "jurisdiction": "US", "residual_risk": "medium", "justification": "j"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["flagged"] is True  # no mitigation
    law = response.json()["id"]
    assert api.delete(o(organisation, f"sovereignty/laws/{law}/")).status_code == 204
    kinds = set(TrailEvent.objects.values_list("kind", flat=True))
    assert {
        "storage_location.created",
        "storage_location.updated",
        "remote_access.created",
        "law_exposure.created",
        "law_exposure.deleted",
    } <= kinds


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("sovereignty/storage/", {"country": "XX", "site": "S"}, "country"),
        # A NUL byte is refused by the JSON parser itself, before any field (hdsready.api_edge).
        ("sovereignty/storage/", {"country": "FR", "site": "a\x00b"}, "detail"),
        ("sovereignty/storage/", {"country": "FR", "site": "a" * 10_000}, "site"),
        (
            "sovereignty/access/",
            {"country": "MA", "legal_basis": "art45", "actors": "N1"},
            "legal_basis",
        ),
        (
            "sovereignty/access/",
            {"country": "MA", "legal_basis": "art46", "actors": "N1"},
            "safeguard_reference",
        ),
        ("sovereignty/access/", {"country": "MA", "actors": "x" * 10_000}, "actors"),
        (
            "sovereignty/laws/",
            {"law": "L", "residual_risk": "low", "justification": "j", "jurisdiction": "QQ"},
            "jurisdiction",
        ),
    ],
)
def test_bad_input_is_a_400_under_the_field(organisation, officer, path, body, field) -> None:
    api = api_client(officer)  # its token's creation is in the trail
    before = TrailEvent.objects.count()
    response = api.post(o(organisation, path), body, content_type=JSON)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert TrailEvent.objects.count() == before
    assert not StorageLocation.objects.exists()
    assert not RemoteAccess.objects.exists()
    assert not LawExposure.objects.exists()


def test_another_organisations_subcontractor_does_not_exist_here(
    organisation, officer, foreign_subcontractor
) -> None:
    response = api_client(officer).post(
        o(organisation, "sovereignty/storage/"),
        {"country": "FR", "site": "S", "provider": foreign_subcontractor.pk},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "provider" in response.json()
    assert not StorageLocation.objects.exists()


def test_managers_read_outsiders_get_404(organisation, officer, manager, outsider) -> None:
    response = api_client(officer).post(
        o(organisation, "sovereignty/storage/"), {"country": "FR", "site": "S"}, content_type=JSON
    )
    pk = response.json()["id"]
    manager_api = api_client(manager)
    assert manager_api.get(o(organisation, "sovereignty/storage/")).json()["count"] == 1
    assert (
        manager_api.patch(
            o(organisation, f"sovereignty/storage/{pk}/"), {"site": "T"}, content_type=JSON
        ).status_code
        == 403
    )
    outsider_api = api_client(outsider)
    assert outsider_api.get(o(organisation, "sovereignty/storage/")).status_code == 404
    assert outsider_api.get(o(organisation, f"sovereignty/storage/{pk}/")).status_code == 404
    assert StorageLocation.objects.get().site == "S"


def test_lists_cost_the_same_as_they_grow(organisation, officer) -> None:
    api = api_client(officer)

    def add(n: int) -> None:
        for i in range(n):
            api.post(
                o(organisation, "sovereignty/access/"),
                {"country": "MA", "actors": f"A{i}"},
                content_type=JSON,
            )

    add(1)
    api.get(o(organisation, "sovereignty/access/"))
    with CaptureQueriesContext(connection) as small:
        api.get(o(organisation, "sovereignty/access/"))
    add(10)
    with CaptureQueriesContext(connection) as large:
        body = api.get(o(organisation, "sovereignty/access/")).json()
    assert body["count"] == 11
    assert all(row["flagged"] for row in body["results"])
    assert len(large) == len(small)
