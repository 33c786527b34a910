"""The register page and its forms: editors add, change and delete; managers read; outsiders get
404; bad input is refused beside its field with nothing saved; the page costs the same as the
register grows; EXI 28-30 figures on the readiness pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hdsready.models import TrailEvent
from scopes.models import HostProfile, Requirement
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from sovereignty.services import (
    AccessData,
    ExposureData,
    StorageData,
    law_exposure_save,
    remote_access_save,
    storage_location_save,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(name, organisation, *args):
    return reverse(f"sovereignty:{name}", args=[organisation.slug, *args])


def state():
    return (
        list(StorageLocation.objects.values_list()),
        list(RemoteAccess.objects.values_list()),
        list(LawExposure.objects.values_list()),
        TrailEvent.objects.count(),
    )


def fill(organisation, officer, subcontractor, n):
    for i in range(n):
        storage_location_save(
            organisation=organisation,
            data=StorageData(
                country="US" if i % 2 else "FR", site=f"Site {i}", provider=subcontractor
            ),
            actor=officer,
        )
        remote_access_save(
            organisation=organisation,
            data=AccessData(country="MA", actors=f"Support {i}", subcontractor=subcontractor),
            actor=officer,
        )
        law_exposure_save(
            organisation=organisation,
            data=ExposureData(
                law=f"Law {i}", residual_risk="high", justification="j", subcontractor=subcontractor
            ),
            actor=officer,
        )


def test_an_editor_adds_a_location_with_a_trail(
    client_as, organisation, contributor, subcontractor
):
    response = client_as(contributor).post(
        url("storage-create", organisation),
        {"country": "FR", "site": "Roubaix", "provider": subcontractor.pk, "activities": [1]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#storage")
    location = StorageLocation.objects.get()
    assert (location.country, location.provider, location.activities) == ("FR", subcontractor, [1])
    assert TrailEvent.objects.filter(kind="storage_location.created").count() == 1
    page = client_as(contributor).get(url("register", organisation)).content.decode()
    assert "Roubaix" in page
    assert url("storage-edit", organisation, location.pk) in page


def test_the_register_flags_each_line(client_as, organisation, officer, subcontractor):
    fill(organisation, officer, subcontractor, 2)
    page = client_as(officer).get(url("register", organisation)).content.decode()
    assert page.count("EXI 28: outside the EEA") == 1
    assert page.count("EXI 29: transfer without a basis") == 2
    assert "EXI 30: no mitigation" in page


def test_a_manager_reads_without_forms(client_as, organisation, officer, manager, subcontractor):
    fill(organisation, officer, subcontractor, 1)
    location = StorageLocation.objects.get()
    client = client_as(manager)
    page = client.get(url("register", organisation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Site 0" in html
    assert url("storage-create", organisation) not in html
    assert url("storage-delete", organisation, location.pk) not in html
    assert url("storage-edit", organisation, location.pk) not in html
    before = state()
    for name, args in (
        ("storage-create", ()),
        ("storage-edit", (location.pk,)),
        ("storage-delete", (location.pk,)),
        ("access-create", ()),
        ("law-create", ()),
    ):
        assert client.post(url(name, organisation, *args), {"site": "x"}).status_code == 404
    assert state() == before


def test_an_outsider_gets_404(client_as, organisation, officer, outsider, subcontractor):
    fill(organisation, officer, subcontractor, 1)
    location = StorageLocation.objects.get()
    access = RemoteAccess.objects.get()
    exposure = LawExposure.objects.get()
    client = client_as(outsider)
    before = state()
    for name, args in (
        ("register", ()),
        ("storage-edit", (location.pk,)),
        ("access-edit", (access.pk,)),
        ("law-edit", (exposure.pk,)),
    ):
        assert client.get(url(name, organisation, *args)).status_code == 404
    # The outsider's own organisation does not reach these rows either.
    assert client.get(url("storage-edit", outsider_org(outsider), location.pk)).status_code == 404
    assert client.post(url("access-delete", outsider_org(outsider), access.pk)).status_code == 404
    assert state() == before


def outsider_org(user):
    return user.memberships.get().organisation


@pytest.mark.parametrize(
    ("name", "data", "field", "message"),
    [
        ("storage-create", {"country": "XX", "site": "Nowhere"}, "country", "valid choice"),
        ("storage-create", {"country": "FR", "site": "a\x00b"}, "site", "Null characters"),
        ("storage-create", {"country": "FR", "site": "a" * 10_000}, "site", "at most 200"),
        (
            "storage-create",
            {"country": "FR", "site": "Paris", "data_stored": "d" * 10_000},
            "data_stored",
            "at most 5000",
        ),
        (
            "access-create",
            {"country": "MA", "legal_basis": "art45", "actors": "Support"},
            "legal_basis",
            "no adequacy decision",
        ),
        (
            "access-create",
            {"country": "MA", "legal_basis": "art46", "actors": "Support"},
            "safeguard_reference",
            "Name the safeguard",
        ),
        (
            "access-create",
            {"country": "MA", "legal_basis": "none", "actors": ""},
            "actors",
            "who has this access",
        ),
        (
            "law-create",
            {"law": "CLOUD Act", "residual_risk": "high", "justification": "", "jurisdiction": ""},
            "justification",
            "required",
        ),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    client_as, organisation, officer, subcontractor, name, data, field, message
):
    before = state()
    response = client_as(officer).post(url(name, organisation), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert state() == before


def test_another_organisations_subcontractor_is_refused(
    client_as, organisation, officer, subcontractor, foreign_subcontractor
):
    before = state()
    response = client_as(officer).post(
        url("storage-create", organisation),
        {"country": "FR", "site": "Paris", "provider": foreign_subcontractor.pk},
    )
    assert "provider" in response.context["form"].errors
    response = client_as(officer).post(
        url("access-create", organisation),
        {"country": "MA", "legal_basis": "none", "subcontractor": foreign_subcontractor.pk},
    )
    assert "subcontractor" in response.context["form"].errors
    assert state() == before


def test_edit_and_delete(client_as, organisation, officer, subcontractor):
    fill(organisation, officer, subcontractor, 1)
    access = RemoteAccess.objects.get()
    client = client_as(officer)
    form = client.get(url("access-edit", organisation, access.pk)).context["form"]
    assert form.initial["subcontractor"] == subcontractor.pk
    response = client.post(
        url("access-edit", organisation, access.pk),
        {
            "country": "MA",
            "legal_basis": "art46",
            "safeguard_reference": "SCC 2021/914",
            "actors": "Support 0",
            "subcontractor": subcontractor.pk,
        },
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.legal_basis == "art46"
    assert client.post(url("access-delete", organisation, access.pk)).status_code == 302
    assert not RemoteAccess.objects.exists()
    assert client.get(url("access-delete", organisation, 1)).status_code == 405


def test_the_page_costs_the_same_as_the_register_grows(
    client_as, organisation, officer, subcontractor
):
    client = client_as(officer)
    fill(organisation, officer, subcontractor, 1)
    client.get(url("register", organisation))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("register", organisation)).status_code == 200
    fill(organisation, officer, subcontractor, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url("register", organisation)).status_code == 200
    assert len(large) == len(small)


def test_the_page_says_when_the_host_profile_disagrees(
    client_as, organisation, officer, subcontractor
):
    HostProfile.objects.update_or_create(
        organisation=organisation, defaults={"non_eea_access": False, "non_eu_law_exposure": True}
    )
    remote_access_save(
        organisation=organisation, data=AccessData(country="MA", actors="N1"), actor=officer
    )
    html = client_as(officer).get(url("register", organisation)).content.decode()
    assert "the host profile says there is none (EXI 29)" in html
    assert "but the register records no such law" in html
    profile = HostProfile.objects.get(organisation=organisation)
    assert (profile.non_eea_access, profile.non_eu_law_exposure) == (False, True)  # unchanged


def test_readiness_figures_link_to_the_register(client_as, organisation, officer, subcontractor):
    fill(organisation, officer, subcontractor, 2)
    exi28 = Requirement.objects.get(
        framework__code="hds", framework__organisation__isnull=True, ref_id="EXI 28"
    )
    html = (
        client_as(officer)
        .get(reverse("scopes:readiness-edit", args=[organisation.slug, exi28.pk]))
        .content.decode()
    )
    assert "Stored in the EEA: 1 of 2 storage locations" in html
    assert f"{url('register', organisation)}#storage" in html
    listing = (
        client_as(officer)
        .get(reverse("scopes:readiness-list", args=[organisation.slug, "hds"]))
        .content.decode()
    )
    assert "Access from outside the EEA with a GDPR basis: 0 of 2 country entries" in listing
    assert "2 accesses without a basis" in listing


def test_each_section_pages_on_its_own(client_as, organisation, officer):
    StorageLocation.objects.bulk_create(
        StorageLocation(organisation=organisation, country="FR", site=f"Site {i:03}")
        for i in range(51)
    )
    client = client_as(officer)
    first = client.get(url("register", organisation)).content.decode()
    assert "Site 049" in first
    assert "Site 050" not in first
    assert "?storage_page=2#storage" in first
    second = client.get(url("register", organisation) + "?storage_page=2").content.decode()
    assert "Site 050" in second
    assert "Site 000" not in second
    # A page number that is no number shows the first page, never an error.
    assert client.get(url("register", organisation) + "?storage_page=%00").status_code == 200
