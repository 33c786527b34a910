"""The readiness figures of EXI 11 and 17-27, computed from the register: at the edges, beside
the manual status on the readiness pages, and in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import ClauseState
from contracts.selectors import register_figures_of, register_readiness_figures
from contracts.services import (
    ClauseAnswer,
    ClientData,
    ContactData,
    client_contact_save,
    client_save,
    contract_clauses_set,
)
from scopes.models import Requirement
from tests.contracts.conftest import make_contract, present

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def counts(organisation, ref_id):
    figures = register_figures_of(organisation=organisation, on=timezone.localdate())
    (count,) = [c for c in figures.clauses if c.clause.ref_id == ref_id]
    return figures.in_force, count


def test_no_contracts_no_clients(organisation) -> None:
    figures = register_figures_of(organisation=organisation, on=timezone.localdate())
    assert figures.in_force == 0
    assert all(c.present == c.gaps == 0 for c in figures.clauses)
    assert (figures.clients, figures.clients_with_health_professional) == (0, 0)
    shown = register_readiness_figures(organisation, timezone.localdate())
    assert shown["EXI 17"][0].text == "Clause present: 0 of 0 contracts in force"
    assert shown["EXI 11"][0].gaps == 0


def test_inherited_own_missing_and_not_applicable(organisation, officer, register) -> None:
    # register: template has EXI 17 present, EXI 18 missing; one contract derived from it.
    other = make_contract(organisation, officer, register.client, title="Sans modèle")
    contract_clauses_set(
        contract=other,
        answers={"exi17": present(), "exi18": ClauseAnswer(ClauseState.NOT_APPLICABLE)},
        actor=officer,
    )
    total, exi17 = counts(organisation, "EXI 17")
    assert (total, exi17.present, exi17.gaps) == (2, 2, 0)
    _total, exi18 = counts(organisation, "EXI 18")
    assert (exi18.present, exi18.missing, exi18.not_applicable, exi18.gaps) == (0, 1, 1, 1)
    _total, exi19 = counts(organisation, "EXI 19")
    assert (exi19.present, exi19.unanswered, exi19.gaps) == (0, 2, 2)
    text = register_readiness_figures(organisation, timezone.localdate())["EXI 18"][0].text
    assert text == "Clause present: 0 of 2 contracts in force (1 where it does not apply)"


def test_templates_ended_and_future_contracts_are_not_counted(
    organisation, officer, register
) -> None:
    today = timezone.localdate()
    make_contract(
        organisation,
        officer,
        register.client,
        title="Fini",
        template=register.template,
        start_on=today - timedelta(days=100),
        end_on=today - timedelta(days=1),
    )
    make_contract(
        organisation,
        officer,
        register.client,
        title="À venir",
        template=register.template,
        start_on=today + timedelta(days=1),
    )
    # A contract ending today is still in force.
    make_contract(
        organisation, officer, register.client, title="Dernier jour", start_on=today, end_on=today
    )
    total, exi17 = counts(organisation, "EXI 17")
    assert (total, exi17.present) == (2, 1)


def test_clients_with_a_health_professional(organisation, officer, register) -> None:
    other = client_save(organisation=organisation, data=ClientData(name="B"), actor=officer)
    client_contact_save(
        client=register.client,
        data=ContactData(name="Dr A", health_professional=True),
        actor=officer,
    )
    client_contact_save(
        client=register.client,
        data=ContactData(name="Dr B", health_professional=True, incident_referent=True),
        actor=officer,
    )
    client_contact_save(client=other, data=ContactData(name="C"), actor=officer)
    figures = register_figures_of(organisation=organisation, on=timezone.localdate())
    assert (figures.clients, figures.clients_with_health_professional) == (2, 1)
    assert figures.clients_with_incident_referent == 1
    exi11 = register_readiness_figures(organisation, timezone.localdate())["EXI 11"][0]
    assert exi11.text == "Health professional designated: 1 of 2 clients"
    assert exi11.gaps == 1


def test_another_organisations_register_is_not_counted(
    organisation, officer, outsider, register
) -> None:
    other = outsider.memberships.get().organisation
    client = client_save(organisation=other, data=ClientData(name="Ailleurs"), actor=outsider)
    make_contract(other, outsider, client)
    total, _exi17 = counts(organisation, "EXI 17")
    assert total == 1


def _queries(organisation) -> int:
    with CaptureQueriesContext(connection) as captured:
        register_figures_of(organisation=organisation, on=timezone.localdate())
    return len(captured)


def test_queries_stay_the_same_as_the_register_grows(organisation, officer, register) -> None:
    first = _queries(organisation)
    for n in range(12):
        client = client_save(
            organisation=organisation, data=ClientData(name=f"Client {n}"), actor=officer
        )
        client_contact_save(
            client=client, data=ContactData(name="X", health_professional=True), actor=officer
        )
        contract = make_contract(organisation, officer, client, template=register.template)
        contract_clauses_set(contract=contract, answers={"exi20": present()}, actor=officer)
    assert _queries(organisation) == first == 2


def hds(ref_id):
    return Requirement.objects.get(
        framework__code="hds", framework__organisation__isnull=True, ref_id=ref_id
    )


class TestReadinessPages:
    def test_the_hds_list_shows_the_figure_beside_the_manual_status(
        self, client_as, organisation, manager, register
    ) -> None:
        page = client_as(manager).get(
            reverse("scopes:readiness-list", args=[organisation.slug, "hds"])
        )
        html = page.content.decode()
        assert "Clause present: 1 of 1 contract in force" in html  # EXI 17 via the template
        assert "Not assessed" in html  # the manual status stays
        gaps = reverse("contracts:contract-list", args=[organisation.slug])
        assert f"{gaps}?status=active&amp;gap=exi18" in html

    def test_the_requirement_page_shows_it(
        self, client_as, organisation, contributor, register
    ) -> None:
        page = client_as(contributor).get(
            reverse("scopes:readiness-edit", args=[organisation.slug, hds("EXI 18").pk])
        )
        html = page.content.decode()
        assert 'id="register-figures"' in html
        assert "Clause present: 0 of 1 contract in force" in html
        assert "1 contract without it" in html
        assert "<form" in html  # the manual status form is still there

    def test_the_iso_list_has_no_register_figure(
        self, client_as, organisation, officer, register
    ) -> None:
        page = client_as(officer).get(
            reverse("scopes:readiness-list", args=[organisation.slug, "iso27001"])
        )
        assert "register-figure" not in page.content.decode()

    def test_the_hds_list_costs_the_same_with_more_contracts(
        self, client_as, organisation, officer, register
    ) -> None:
        client = client_as(officer)
        url = reverse("scopes:readiness-list", args=[organisation.slug, "hds"])
        client.get(url)
        with CaptureQueriesContext(connection) as first:
            client.get(url)
        for n in range(8):
            make_contract(
                organisation, officer, register.client, title=f"C{n}", template=register.template
            )
        with CaptureQueriesContext(connection) as more:
            client.get(url)
        assert len(more) == len(first)
