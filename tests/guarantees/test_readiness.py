"""EXI 31 beside its manual status: whether the public page is published and still says what
the registers say; the officer's page says the same."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guarantees.selectors import register_readiness_figures
from guarantees.services import guarantees_publish
from scopes.readiness_figures import readiness_figures_of
from scopes.services.scope import subcontractor_save
from tests.factories import OrganisationFactory, make_member
from tests.guarantees.conftest import make_chain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def figure(organisation):
    (found,) = readiness_figures_of(organisation=organisation, on=timezone.localdate())["EXI 31"]
    return found


def test_the_figure_follows_publication_and_changes(organisation, officer, chain) -> None:
    unpublished = figure(organisation)
    assert unpublished.gaps == 1
    assert "not published" in unpublished.text
    assert unpublished.gaps_url == reverse("guarantees:guarantees-page", args=[organisation.slug])
    guarantees_publish(organisation=organisation, actor=officer)
    current = figure(organisation)
    assert current.gaps == 0
    assert "version 1" in current.text
    assert "up to date" in current.text
    subcontractor_save(
        organisation=organisation, name="Nouveau", part_of_service="Support", actor=officer
    )
    stale = figure(organisation)
    assert stale.gaps == 1
    assert "changed since" in stale.text
    guarantees_publish(organisation=organisation, actor=officer)
    assert figure(organisation).gaps == 0


def test_the_officer_page_says_whether_the_public_page_is_current(
    client_as, organisation, officer, chain
) -> None:
    url = reverse("guarantees:guarantees-page", args=[organisation.slug])
    guarantees_publish(organisation=organisation, actor=officer)
    browser = client_as(officer)
    assert 'id="public-current"' in browser.get(url).content.decode()
    subcontractor_save(
        organisation=organisation, name="Nouveau", part_of_service="Support", actor=officer
    )
    content = browser.get(url).content.decode()
    assert 'id="public-stale"' in content
    assert 'id="public-current"' not in content


def test_the_figure_costs_the_same_whatever_the_chain(db) -> None:
    counts = []
    for size in (1, 10):
        organisation = OrganisationFactory(slug=f"figure-{size}")
        officer = make_member(organisation, "officer", email=f"o{size}@figure.test")
        make_chain(organisation, officer, extra_subcontractors=size)
        guarantees_publish(organisation=organisation, actor=officer)
        with CaptureQueriesContext(connection) as queries:
            (found,) = register_readiness_figures(organisation, timezone.localdate())["EXI 31"]
        assert found.gaps == 0
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
