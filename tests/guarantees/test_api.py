"""The guarantees in the API: members list the published versions with their frozen facts, only
an officer publishes (others of the organisation get 403, outsiders 404)."""

from __future__ import annotations

import pytest

from guarantees.models import Publication
from guarantees.services import guarantees_publish
from hdsready.models import TrailEvent
from tests.scopes.test_api import api_client, o

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = "application/json"


def test_members_list_the_publications(organisation, officer, manager, contributor, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    guarantees_publish(organisation=organisation, actor=officer)
    for user in (officer, manager, contributor):
        body = api_client(user).get(o(organisation, "guarantees/")).json()
        assert body["count"] == 2
        newest = body["results"][0]
        assert newest["number"] == 2
        assert newest["public_url"] == f"/garanties/{organisation.slug}/2/"
        assert newest["pdf_url"] == f"/garanties/{organisation.slug}/2/pdf/"
        names = [actor["name"] for actor in newest["snapshot"]["actors"]]
        assert names == ["Clinicloud", "Datacentre Lyon SA", "Transports Sauvegarde"]


def test_the_officer_publishes(organisation, officer, chain) -> None:
    response = api_client(officer).post(o(organisation, "guarantees/"), content_type=JSON)
    assert response.status_code == 201
    assert response.json()["number"] == 1
    assert TrailEvent.objects.filter(kind="guarantees.published").count() == 1


def test_others_may_not_publish(organisation, manager, contributor, outsider, chain) -> None:
    url = o(organisation, "guarantees/")
    assert api_client(manager).post(url, content_type=JSON).status_code == 403
    assert api_client(contributor).post(url, content_type=JSON).status_code == 403
    assert api_client(outsider).post(url, content_type=JSON).status_code == 404
    assert api_client(outsider).get(o(organisation, "guarantees/")).status_code == 404
    assert not Publication.objects.exists()


def test_an_unreadable_body_is_refused(organisation, officer, chain) -> None:
    api = api_client(officer)
    url = o(organisation, "guarantees/")
    assert api.post(url, '{"note": "a\\u0000"}', content_type=JSON).status_code == 400
    assert api.post(url, "{", content_type=JSON).status_code == 400
    assert api.post(url).status_code == 415  # a form, not JSON
    assert not Publication.objects.exists()
