"""The guarantees page inside the app: members preview what would be published, only an officer
publishes (the button is offered to no one else), outsiders get 404, every publication is one
trail event, and the page costs the same whatever the number of actors and versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guarantees.models import Publication
from guarantees.services import GuaranteesError, guarantees_publish
from hdsready.models import TrailEvent
from hdsready.trail_events import trail_event_kinds
from scopes.services.scope import subcontractor_save
from tests.factories import OrganisationFactory, make_member
from tests.guarantees.conftest import make_chain

pytestmark = pytest.mark.django_db


def page(organisation) -> str:
    return reverse("guarantees:guarantees-page", args=[organisation.slug])


def publish(organisation) -> str:
    return reverse("guarantees:guarantees-publish", args=[organisation.slug])


@pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
def test_members_preview_what_would_be_published(request, client_as, organisation, chain, persona):
    user = request.getfixturevalue(persona)
    officer = request.getfixturevalue("officer")
    guarantees_publish(organisation=organisation, actor=officer)
    subcontractor_save(
        organisation=organisation, name="Pas Encore Publié", part_of_service="Y", actor=officer
    )
    response = client_as(user).get(page(organisation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Pas Encore Publié" in content  # the preview reads the live registers
    assert "HDS-DC-42" in content
    assert reverse("guarantees:public-version", args=[organisation.slug, 1]) in content
    assert reverse("guarantees:public-pdf", args=[organisation.slug, 1]) in content
    assert ('id="publish-form"' in content) == (persona == "officer")
    # The address to give the certification body, in full.
    assert f'href="http://testserver/garanties/{organisation.slug}/"' in content


def test_before_any_publication_the_page_says_the_address_is_not_live(
    client_as, organisation, officer, chain
) -> None:
    content = client_as(officer).get(page(organisation)).content.decode()
    assert 'id="never-published"' in content
    assert "/garanties/" not in content
    assert "HDS-DC-42" in content  # the preview is there all the same


def test_outsider_gets_404(client_as, outsider, organisation, officer, chain) -> None:
    browser = client_as(outsider)
    assert browser.get(page(organisation)).status_code == 404
    assert browser.post(publish(organisation)).status_code == 404
    assert not Publication.objects.exists()


@pytest.mark.parametrize("persona", ["contributor", "manager"])
def test_only_the_officer_publishes(request, client_as, organisation, chain, persona) -> None:
    user = request.getfixturevalue(persona)
    before = TrailEvent.objects.count()
    assert client_as(user).post(publish(organisation)).status_code == 404
    assert not Publication.objects.exists()
    assert TrailEvent.objects.count() == before
    with pytest.raises(GuaranteesError):
        guarantees_publish(organisation=organisation, actor=user)
    assert not Publication.objects.exists()


def test_the_officer_publishes_numbered_versions_with_a_trail_event(
    client_as, organisation, officer, chain
) -> None:
    browser = client_as(officer)
    response = browser.post(publish(organisation))
    assert response.status_code == 302
    assert response["Location"] == page(organisation)
    browser.post(publish(organisation))
    numbers = list(
        Publication.objects.filter(organisation=organisation).values_list("number", flat=True)
    )
    assert sorted(numbers) == [1, 2]
    events = TrailEvent.objects.filter(kind="guarantees.published").order_by("seq")
    assert [e.data["number"] for e in events] == [1, 2]
    assert events[0].actor == officer
    assert events[0].data["actors"] == 3  # the host, the datacenter, the carrier
    assert "guarantees.published" in trail_event_kinds()
    first = Publication.objects.get(organisation=organisation, number=1)
    assert first.published_by == officer
    assert first.snapshot["host"] == {"name": "Clinicloud"}


def test_numbers_are_counted_per_organisation(organisation, officer, chain) -> None:
    other = OrganisationFactory(slug="autre-numerotation")
    other_officer = make_member(other, "officer", email="o@num.test")
    guarantees_publish(organisation=organisation, actor=officer)
    guarantees_publish(organisation=organisation, actor=officer)
    assert guarantees_publish(organisation=other, actor=other_officer).number == 1


def test_wrong_methods(client_as, organisation, officer, chain) -> None:
    browser = client_as(officer)
    assert browser.get(publish(organisation)).status_code == 405
    assert browser.post(page(organisation)).status_code == 405
    assert not Publication.objects.exists()


def test_the_page_costs_the_same_as_the_chain_and_the_versions_grow(db, client_as) -> None:
    counts = []
    for size in (1, 10):
        organisation = OrganisationFactory(slug=f"cout-{size}")
        officer = make_member(organisation, "officer", email=f"o{size}@cout.test")
        make_chain(organisation, officer, extra_subcontractors=size)
        for _ in range(size):
            guarantees_publish(organisation=organisation, actor=officer)
        browser = client_as(officer)
        browser.get(page(organisation))  # warm the session and the caches alike
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(page(organisation))
        assert response.status_code == 200
        assert f"CCT-{size - 1}" in response.content.decode()
        assert f"HDS-X-{size - 1}" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
