"""The register in the API: contributors write contracts and clause answers through the
services (trail), managers read, outsiders get 404; lists are paginated."""

from __future__ import annotations

import pytest

from contracts.models import Contract, ContractClause
from hdsready.models import TrailEvent
from tests.scopes.test_api import api_client, o

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = "application/json"


def test_members_read_contracts_clients_and_clauses(organisation, manager, register) -> None:
    api = api_client(manager)
    contracts = api.get(o(organisation, "contracts/")).json()
    assert contracts["count"] == 2
    derived = next(c for c in contracts["results"] if c["id"] == register.contract.pk)
    assert (derived["status"], derived["template"]) == ("active", register.template.pk)
    clauses = api.get(o(organisation, f"contracts/{register.contract.pk}/clauses/")).json()
    assert clauses["count"] == 11
    exi17 = clauses["results"][0]
    assert (exi17["ref_id"], exi17["own"], exi17["state"]) == ("EXI 17", None, "present")
    assert exi17["inherited"]["reference"] == "art. 2"
    clients = api.get(o(organisation, "clients/")).json()
    assert [c["name"] for c in clients["results"]] == ["Clinique des Lilas"]
    detail = api.get(o(organisation, f"clients/{register.client.pk}/")).json()
    assert detail["contacts"] == []


def test_contributor_writes_a_contract_and_its_clauses(organisation, contributor, register) -> None:
    api = api_client(contributor)
    response = api.post(
        o(organisation, "contracts/"),
        {
            "title": "API",
            "client": register.client.pk,
            "template": register.template.pk,
            "activities": [5],
            "start_on": "2025-01-01",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    clause_url = o(organisation, f"contracts/{pk}/clauses/exi17/")
    response = api.put(clause_url, {"state": "missing", "note": "à ajouter"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["state"] == "missing"
    assert api.delete(clause_url).status_code == 204
    assert api.get(clause_url).json()["state"] == "present"  # the template's again
    response = api.patch(
        o(organisation, f"contracts/{pk}/"), {"end_on": "2026-01-01"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["end_on"] == "2026-01-01"
    assert list(
        TrailEvent.objects.filter(kind__startswith="contract.", actor=contributor)
        .order_by("seq")
        .values_list("kind", flat=True)
    ) == ["contract.created", "contract.clauses_set", "contract.clauses_set", "contract.updated"]


def test_bad_input_is_a_clear_400_and_nothing_saved(organisation, contributor, register) -> None:
    api = api_client(contributor)
    before = (Contract.objects.count(), ContractClause.objects.count(), TrailEvent.objects.count())
    clause_url = o(organisation, f"contracts/{register.contract.pk}/clauses/exi19/")
    response = api.put(clause_url, {"state": "present"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["detail"] == "EXI 19: give the article or page where the clause is."
    response = api.put(clause_url, {"state": "missing", "note": "a\x00b"}, content_type=JSON)
    assert response.status_code == 400
    response = api.post(
        o(organisation, "contracts/"),
        {"title": "X", "client": 999999, "start_on": "2025-02-30"},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert set(response.json()) == {"client", "start_on"}
    assert (
        api.get(o(organisation, f"contracts/{register.contract.pk}/clauses/exi99/")).status_code
        == 404
    )
    assert (
        Contract.objects.count(),
        ContractClause.objects.count(),
        TrailEvent.objects.count(),
    ) == before


def test_manager_cannot_write_and_outsider_sees_nothing(
    organisation, manager, outsider, register
) -> None:
    url = o(organisation, f"contracts/{register.contract.pk}/clauses/exi17/")
    assert api_client(manager).put(url, {"state": "missing"}, content_type=JSON).status_code == 403
    assert (
        api_client(manager)
        .delete(o(organisation, f"contracts/{register.contract.pk}/"))
        .status_code
        == 403
    )
    stranger = api_client(outsider)
    assert stranger.get(o(organisation, "contracts/")).status_code == 404
    assert stranger.get(url).status_code == 404
    assert stranger.get(o(organisation, f"clients/{register.client.pk}/")).status_code == 404
    assert Contract.objects.count() == 2
