"""The public guarantees page: reached without logging in, rendered from the frozen snapshot of a
publication only. Nothing unpublished and nothing of another organisation reaches it; it links to
nothing inside the application and names no user; it reads in French by default and in English on
request; it prints as a PDF; its cost does not grow with the number of actors."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guarantees.services import guarantees_publish
from scopes.activities import ACTIVITIES_BY_NUMBER
from scopes.services.scope import subcontractor_save
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.guarantees.conftest import make_chain

pytestmark = pytest.mark.django_db


def latest(organisation) -> str:
    return reverse("guarantees:public-latest", args=[organisation.slug])


def version(organisation, number: int) -> str:
    return reverse("guarantees:public-version", args=[organisation.slug, number])


def pdf(organisation, number: int) -> str:
    return reverse("guarantees:public-pdf", args=[organisation.slug, number])


def text(response) -> str:
    return response.content.decode()


def test_anyone_reads_the_published_page_without_logging_in(organisation, officer, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    response = Client().get(latest(organisation))
    assert response.status_code == 200
    page = text(response)
    for fact in (
        "Clinicloud",
        "Datacentre Lyon SA",
        "HDS-OWN-1",
        "ISO-OWN-7",
        "HDS-DC-42",
        "Organisme Certif",
        "COFRAC 5-0001",
        "Transport des supports de sauvegarde",
    ):
        assert fact in page, fact
    # The expired certificate is not a guarantee.
    assert "HDS-DC-OLD" not in page
    # The same version at its own address: the same page, but for where its links point.
    same = text(Client().get(version(organisation, 1)))
    assert same.replace(version(organisation, 1), latest(organisation)) == page.replace(
        version(organisation, 1), latest(organisation)
    )


def test_an_organisation_with_no_publication_is_404(organisation, officer, chain) -> None:
    anonymous = Client()
    assert anonymous.get(latest(organisation)).status_code == 404
    assert anonymous.get(version(organisation, 1)).status_code == 404
    assert anonymous.get(pdf(organisation, 1)).status_code == 404
    assert anonymous.get("/garanties/nobody/").status_code == 404


def test_a_change_shows_only_once_published_again(organisation, officer, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    subcontractor_save(
        organisation=organisation,
        name="Nuage Secret SAS",
        part_of_service="Hébergement des journaux",
        actor=officer,
    )
    subcontractor_save(
        organisation=organisation,
        name="Datacentre Renommé",
        actor=officer,
        subcontractor=chain.datacenter,
    )
    anonymous = Client()
    before = text(anonymous.get(latest(organisation)))
    assert "Nuage Secret SAS" not in before
    assert "Datacentre Renommé" not in before
    assert "Datacentre Lyon SA" in before
    # The officer's preview shows it at once; the public page does not.
    guarantees_publish(organisation=organisation, actor=officer)
    after = text(anonymous.get(latest(organisation)))
    assert "Nuage Secret SAS" in after
    assert "Datacentre Renommé" in after
    # The first version stays as it was published, and both are listed.
    first = text(anonymous.get(version(organisation, 1)))
    assert "Datacentre Lyon SA" in first
    assert "Nuage Secret SAS" not in first
    assert version(organisation, 1) in after
    assert version(organisation, 2) in after


def test_version_numbers_of_one_organisation_do_not_reach_another(
    organisation, officer, chain
) -> None:
    other = OrganisationFactory(name="Autre Hôte", slug="autre-hote")
    other_officer = make_member(other, "officer", email="o@autre-hote.test")
    make_chain(other, other_officer)
    subcontractor_save(
        organisation=other,
        name="Prestataire De L'Autre",
        part_of_service="Support",
        actor=other_officer,
    )
    guarantees_publish(organisation=other, actor=other_officer)
    guarantees_publish(organisation=organisation, actor=officer)
    guarantees_publish(organisation=organisation, actor=officer)
    anonymous = Client()
    assert anonymous.get(version(organisation, 2)).status_code == 200
    assert anonymous.get(version(other, 2)).status_code == 404
    assert anonymous.get(pdf(other, 2)).status_code == 404
    ours = text(anonymous.get(latest(organisation)))
    theirs = text(anonymous.get(latest(other)))
    assert "Prestataire De L'Autre" not in ours
    assert "Autre Hôte" not in ours
    assert "Prestataire De L&#x27;Autre" in theirs
    assert "Clinicloud" not in theirs
    assert version(organisation, 1) not in theirs


def test_the_page_links_nowhere_inside_the_app_and_names_no_user(
    organisation, officer, contributor, manager, chain, client_as
) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    guarantees_publish(organisation=organisation, actor=officer)
    for browser in (Client(), client_as(officer)):
        for url in (
            latest(organisation),
            version(organisation, 1),
            latest(organisation) + "?lang=en",
        ):
            page = text(browser.get(url))
            links = re.findall(r'(?:href|src|action)="([^"]*)"', page)
            assert links
            assert all(link.startswith(("/garanties/", "/static/")) for link in links), links
            assert "@" not in page
            for user in (officer, contributor, manager):
                assert user.email not in page
            assert "/o/" not in page
            assert "csrfmiddlewaretoken" not in page


def test_headers_cacheable_and_strict(organisation, officer, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    anonymous = Client()
    response = anonymous.get(latest(organisation))
    assert response["Cache-Control"] == "public, no-cache"
    assert response["Content-Language"] == "fr"
    # Revalidating costs a 304 until the next publication, then the new version.
    etag = response["ETag"]
    assert anonymous.get(latest(organisation), HTTP_IF_NONE_MATCH=etag).status_code == 304
    guarantees_publish(organisation=organisation, actor=officer)
    again = anonymous.get(latest(organisation), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "style-src 'self'" in policy
    assert "script-src" not in policy
    assert "unsafe-inline" not in policy
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    frozen = anonymous.get(version(organisation, 1))
    assert frozen["Cache-Control"] == "public, max-age=86400"
    assert anonymous.post(latest(organisation)).status_code == 405
    assert anonymous.post(version(organisation, 1)).status_code == 405


def test_french_by_default_english_on_request(organisation, officer, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    anonymous = Client()
    french = text(anonymous.get(latest(organisation), HTTP_ACCEPT_LANGUAGE="en"))
    assert ACTIVITIES_BY_NUMBER[1].wording_fr in french
    assert ACTIVITIES_BY_NUMBER[1].name_en not in french
    assert '<html lang="fr">' in french
    english = anonymous.get(latest(organisation) + "?lang=en")
    assert english["Content-Language"] == "en"
    page = text(english)
    assert ACTIVITIES_BY_NUMBER[1].name_en in page
    assert ACTIVITIES_BY_NUMBER[1].wording_fr not in page
    assert '<html lang="en">' in page
    assert "?lang=en" in page  # the PDF and the versions keep the language
    # The language switch stays on the address it is on: the latest version stays the latest.
    assert f'href="{latest(organisation)}" hreflang="fr"' in page
    assert f'href="{latest(organisation)}?lang=en" hreflang="en"' in french


def test_a_logged_in_visitor_without_the_second_factor_reads_it_too(
    organisation, officer, chain
) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    browser = Client()
    browser.force_login(officer)  # password only: no second factor
    assert browser.get(latest(organisation)).status_code == 200


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def compact(value: str) -> str:
    return re.sub(r"\s+", "", value).replace("\u2019", "'")


def test_the_pdf_prints_the_published_facts(organisation, officer, chain, tmp_path) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    subcontractor_save(
        organisation=organisation, name="Après Publication", part_of_service="X", actor=officer
    )
    response = Client().get(pdf(organisation, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "public, max-age=86400"
    printed = compact(_pdf_text(response.content, tmp_path))
    for fact in ("Clinicloud", "DatacentreLyonSA", "HDS-OWN-1", "HDS-DC-42", "ISO-OWN-7"):
        assert fact in printed, fact
    assert compact(ACTIVITIES_BY_NUMBER[5].wording_fr) in printed
    assert "AprèsPublication" not in printed
    assert "HDS-DC-OLD" not in printed
    english = compact(_pdf_text(Client().get(pdf(organisation, 1) + "?lang=en").content, tmp_path))
    assert compact(ACTIVITIES_BY_NUMBER[5].name_en) in english


def test_the_public_page_costs_the_same_whatever_the_number_of_actors(db) -> None:
    counts = []
    for size in (1, 10):
        organisation = OrganisationFactory(slug=f"taille-{size}")
        officer = make_member(organisation, "officer", email=f"o{size}@taille.test")
        make_chain(organisation, officer, extra_subcontractors=size)
        for _ in range(size):
            guarantees_publish(organisation=organisation, actor=officer)
        anonymous = Client()
        with CaptureQueriesContext(connection) as queries:
            response = anonymous.get(latest(organisation))
        assert response.status_code == 200
        assert f"CCT-{size - 1}" in text(response)
        assert f"HDS-X-{size - 1}" in text(response)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4, counts


def test_a_user_without_organisation_gets_the_same_public_page(
    organisation, officer, chain
) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    stranger = UserFactory(email="visitor@example.org")
    browser = Client()
    browser.force_login(stranger)
    assert browser.get(latest(organisation)).content == Client().get(latest(organisation)).content


def test_hostile_addresses_are_404_or_the_page_never_500(organisation, officer, chain) -> None:
    guarantees_publish(organisation=organisation, actor=officer)
    anonymous = Client()
    base = f"/garanties/{organisation.slug}/"
    for number in ("0", "99999999999999999999", "2147483648"):
        assert anonymous.get(f"{base}{number}/").status_code == 404, number
        assert anonymous.get(f"{base}{number}/pdf/").status_code == 404, number
    for query in ("?lang=%00", "?lang=" + "x" * 10_000, "?page=%00", "?page=-1", "?page=999"):
        response = anonymous.get(base + query)
        assert response.status_code == 200, query
        assert response["Content-Language"] == "fr"
