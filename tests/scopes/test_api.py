"""The scopes API: members read, roles write through the services (trail), outsiders get 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from hdsready.models import TrailEvent
from hdsready.services.tokens import api_token_create
from scopes.models import (
    Certificate,
    Framework,
    FrameworkSource,
    HostProfile,
    ReadinessEntry,
    Requirement,
    ScopeActivity,
    SoAEntry,
    Subcontractor,
)
from scopes.services.assessment import SoAData, soa_update
from scopes.services.scope import certificate_save, scope_next_audit_set, subcontractor_save
from tests.scopes.test_scope_services import hds_data, requirement

pytestmark = pytest.mark.django_db

JSON = "application/json"


def api_client(user) -> Client:
    _token, raw = api_token_create(user=user, name="test", actor=user)
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


@pytest.fixture
def api():
    return api_client


def o(organisation, rest=""):
    return f"/api/o/{organisation.slug}/{rest}"


def kinds():
    return list(TrailEvent.objects.order_by("seq").values_list("kind", flat=True))


@pytest.fixture
def datacenter(organisation, officer):
    return subcontractor_save(organisation=organisation, name="DataCenter Paris", actor=officer)


@pytest.fixture
def dc_certificate(organisation, officer, datacenter):
    return certificate_save(
        organisation=organisation, subcontractor=datacenter, data=hds_data([1, 2]), actor=officer
    )


@pytest.fixture
def imported(organisation):
    """A framework the organisation imported: nobody else's catalog shows it."""
    framework = Framework.objects.create(
        organisation=organisation,
        code="internal",
        version="1",
        urn="urn:clinicloud:internal",
        name_fr="Politique interne",
        source=FrameworkSource.IMPORTED,
    )
    Requirement.objects.create(
        framework=framework, urn="urn:clinicloud:internal:1", ref_id="INT-1", order=1
    )
    return framework


@pytest.fixture
def objects(organisation, datacenter, dc_certificate, imported):
    """One of each object of the organisation, by the URL that reaches it."""
    imported_requirement = imported.nodes.get()
    return {
        "subcontractor": o(organisation, f"subcontractors/{datacenter.pk}/"),
        "certificate": o(organisation, f"certificates/{dc_certificate.pk}/"),
        "requirements": o(organisation, f"frameworks/{imported.pk}/requirements/"),
        "readiness": o(organisation, f"readiness/{imported_requirement.pk}/"),
    }


def read_urls(organisation):
    hds = requirement("EXI 02")
    return [
        o(organisation, "frameworks/"),
        o(organisation, f"frameworks/{hds.framework_id}/requirements/"),
        o(organisation, "scope/"),
        o(organisation, "scope/profile/"),
        o(organisation, "subcontractors/"),
        o(organisation, "certificates/"),
        o(organisation, "soa/"),
        o(organisation, f"soa/{requirement('A.5.1').pk}/"),
        o(organisation, "readiness/?framework=hds"),
        o(organisation, "readiness/?framework=iso27001"),
        o(organisation, f"readiness/{hds.pk}/"),
    ]


class TestAccess:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read_everything(self, request, api, organisation, objects, persona):
        client = api(request.getfixturevalue(persona))
        for url in [*read_urls(organisation), *objects.values()]:
            assert client.get(url).status_code == 200, url

    def test_outsider_gets_404_on_everything_of_another_organisation(
        self, api, organisation, outsider, objects
    ):
        client = api(outsider)
        for url in [*read_urls(organisation), *objects.values()]:
            assert client.get(url).status_code == 404, url
            for method in ("put", "patch"):
                response = getattr(client, method)(url, {}, content_type=JSON)
                assert response.status_code in {404, 405}, (method, url)
        for url in [o(organisation, "subcontractors/"), o(organisation, "certificates/")]:
            assert client.post(url, {}, content_type=JSON).status_code == 404
        assert client.delete(objects["certificate"]).status_code == 404
        assert Certificate.objects.filter(organisation=organisation).count() == 1

    def test_outsider_cannot_reach_objects_through_its_own_organisation(
        self, api, organisation, outsider, datacenter, dc_certificate, imported
    ):
        client = api(outsider)
        mine = outsider.memberships.get().organisation
        assert client.get(o(mine, f"frameworks/{imported.pk}/requirements/")).status_code == 404
        for url in [
            o(mine, f"subcontractors/{datacenter.pk}/"),
            o(mine, f"certificates/{dc_certificate.pk}/"),
            o(mine, f"readiness/{imported.nodes.get().pk}/"),
        ]:
            assert client.get(url).status_code == 404, url
            assert client.patch(url, {}, content_type=JSON).status_code == 404, url
        assert client.delete(o(mine, f"certificates/{dc_certificate.pk}/")).status_code == 404
        # Nor use another organisation's subcontractor in its own scope or certificates.
        response = client.put(
            o(mine, "scope/"),
            {
                "activities": [
                    {"activity": 1, "mode": "subcontracted", "subcontractor": datacenter.pk}
                ]
            },
            content_type=JSON,
        )
        assert response.status_code == 400
        assert not ScopeActivity.objects.exists()

    def test_imported_framework_shows_only_in_its_organisation(
        self, api, organisation, outsider, imported
    ):
        mine = outsider.memberships.get().organisation
        codes = [f["code"] for f in api(outsider).get(o(mine, "frameworks/")).json()["results"]]
        assert "internal" not in codes
        assert {"hds", "iso27001"} <= set(codes)
        ours = api_client(outsider)  # same persona, fresh token: nothing cached
        assert ours.get(o(organisation, "frameworks/")).status_code == 404

    def test_unknown_organisation_is_404(self, api, officer):
        assert api(officer).get("/api/o/nope/scope/").status_code == 404

    MANAGE_WRITES: tuple[tuple[str, str, dict[str, object]], ...] = (
        ("put", "scope/", {"activities": []}),
        ("put", "scope/profile/", {"stores_health_data": False}),
        ("post", "subcontractors/", {"name": "X"}),
        ("post", "certificates/", {}),
    )

    @pytest.mark.parametrize("persona", ["manager", "contributor"])
    def test_members_without_manage_get_403(self, request, api, organisation, objects, persona):
        client = api(request.getfixturevalue(persona))
        before = kinds()
        for method, rest, body in self.MANAGE_WRITES:
            response = getattr(client, method)(o(organisation, rest), body, content_type=JSON)
            assert response.status_code == 403, rest
            assert "detail" in response.json()
        for key in ("subcontractor", "certificate"):
            assert client.patch(objects[key], {}, content_type=JSON).status_code == 403
        assert client.delete(objects["certificate"]).status_code == 403
        assert kinds() == before

    def test_manager_cannot_edit_soa_or_readiness(self, api, organisation, manager):
        client = api(manager)
        control, exi = requirement("A.5.1"), requirement("EXI 02")
        soa = client.put(o(organisation, f"soa/{control.pk}/"), {"applicable": True}, JSON)
        readiness = client.put(
            o(organisation, f"readiness/{exi.pk}/"), {"status": "compliant"}, JSON
        )
        assert (soa.status_code, readiness.status_code) == (403, 403)
        assert not SoAEntry.objects.exists()
        assert not ReadinessEntry.objects.exists()

    def test_session_without_mfa_is_refused(self, officer, organisation):
        client = Client()
        client.force_login(officer)
        assert client.get(o(organisation, "scope/")).status_code == 403

    def test_verified_session_works_and_keeps_csrf(self, client_as, officer, organisation):
        client = client_as(officer)
        assert client.get(o(organisation, "scope/")).status_code == 200
        client.handler.enforce_csrf_checks = True
        response = client.put(o(organisation, "scope/"), {"activities": []}, JSON)
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]

    def test_anonymous_is_401(self, organisation):
        assert Client().get(o(organisation, "scope/")).status_code == 401

    def test_wrong_method(self, api, organisation, officer, objects):
        client = api(officer)
        assert client.delete(o(organisation, "scope/")).status_code == 405
        assert client.post(o(organisation, "soa/")).status_code == 405
        assert client.delete(objects["subcontractor"]).status_code == 405
        assert client.post(o(organisation, "frameworks/")).status_code == 405


class TestScope:
    def test_officer_declares_activities(self, api, organisation, officer, datacenter):
        response = api(officer).put(
            o(organisation, "scope/"),
            {
                "activities": [
                    {"activity": 1, "mode": "subcontracted", "subcontractor": datacenter.pk},
                    {"activity": 5, "mode": "in_house"},
                ]
            },
            content_type=JSON,
        )
        assert response.status_code == 200
        assert response.json() == {
            "activities": [
                {"activity": 1, "mode": "subcontracted", "subcontractor": datacenter.pk},
                {"activity": 5, "mode": "in_house", "subcontractor": None},
            ]
        }
        assert sorted(ScopeActivity.objects.values_list("activity", flat=True)) == [1, 5]
        event = TrailEvent.objects.get(kind="scope.activities_set")
        assert event.actor == officer
        assert event.organisation == organisation

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            ({"activity": 9, "mode": "in_house"}, "Unknown activity 9."),
            (
                {"activity": 1, "mode": "subcontracted"},
                "Activity 1: choose a subcontractor only when it is subcontracted.",
            ),
        ],
    )
    def test_service_errors_are_400_with_the_message(
        self, api, organisation, officer, row, message
    ):
        response = api(officer).put(
            o(organisation, "scope/"), {"activities": [row]}, content_type=JSON
        )
        assert response.status_code == 400
        assert response.json() == {"detail": message}
        assert not ScopeActivity.objects.exists()

    def test_an_activity_appears_once(self, api, organisation, officer):
        row = {"activity": 1, "mode": "in_house"}
        response = api(officer).put(
            o(organisation, "scope/"), {"activities": [row, row]}, content_type=JSON
        )
        assert response.status_code == 400
        assert "activities" in response.json()

    def test_host_profile_put_and_patch(self, api, organisation, officer):
        client = api(officer)
        url = o(organisation, "scope/profile/")
        assert client.get(url).json() == {
            "stores_health_data": True,
            "non_eea_access": False,
            "non_eu_law_exposure": False,
            "next_audit_on": None,
        }
        body = {
            "stores_health_data": True,
            "non_eea_access": True,
            "non_eu_law_exposure": False,
        }
        assert client.put(url, body, content_type=JSON).json() == body | {"next_audit_on": None}
        response = client.patch(url, {"non_eu_law_exposure": True}, content_type=JSON)
        assert response.json() == body | {"non_eu_law_exposure": True, "next_audit_on": None}
        assert kinds().count("scope.profile_updated") == 2

    def test_next_audit_is_read_only(self, api, organisation, officer):
        """It comes from the certification cycle: a client cannot type it."""
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 3, 1))
        client = api(officer)
        url = o(organisation, "scope/profile/")
        response = client.patch(url, {"next_audit_on": "2030-01-01"}, content_type=JSON)
        assert response.status_code == 200
        assert response.json()["next_audit_on"] == "2027-03-01"
        profile = HostProfile.objects.get(organisation=organisation)
        assert profile.next_audit_on == date(2027, 3, 1)
        assert "scope.profile_updated" not in kinds()


class TestSubcontractors:
    def test_create_update_and_list(self, api, organisation, officer, django_assert_num_queries):
        client = api(officer)
        url = o(organisation, "subcontractors/")
        response = client.post(url, {"name": " Colo Lyon ", "siren": "123"}, content_type=JSON)
        assert response.status_code == 201
        created = response.json()
        assert created["name"] == "Colo Lyon"
        assert created["certificates"] == []
        detail = o(organisation, f"subcontractors/{created['id']}/")
        response = client.patch(
            detail, {"notes": "Tier III", "part_of_service": "Second site"}, content_type=JSON
        )
        assert response.json()["part_of_service"] == "Second site"
        assert response.status_code == 200
        assert response.json()["siren"] == "123"
        subcontractor = Subcontractor.objects.get(pk=created["id"])
        assert (subcontractor.notes, subcontractor.siren) == ("Tier III", "123")
        response = client.put(detail, {"name": "Colo Lyon 2"}, content_type=JSON)
        assert response.json()["siren"] == ""
        assert kinds()[-3:] == [
            "subcontractor.created",
            "subcontractor.updated",
            "subcontractor.updated",
        ]
        client.get(url)
        with django_assert_num_queries(5):
            assert client.get(url).json()["count"] == 1
        subcontractor_save(organisation=organisation, name="Another", actor=officer)
        with django_assert_num_queries(5):
            assert client.get(url).json()["count"] == 2

    def test_taken_name_is_400(self, api, organisation, officer, datacenter):
        response = api(officer).post(
            o(organisation, "subcontractors/"), {"name": "datacenter paris"}, content_type=JSON
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "A subcontractor with this name already exists."}


def certificate_body(**changes):
    return {
        "kind": "iso27001",
        "number": "ISO-9",
        "certification_body": "Organisme Y",
        "accreditation": "",
        "iso_standard": "iso27001_2022",
        "activities": [1, 2, 3, 4, 5, 6],
        "scope_statement": "",
        "issued_on": "2025-01-01",
        "expires_on": "2028-01-01",
    } | changes


class TestCertificates:
    def test_create_patch_delete(self, api, organisation, officer, datacenter):
        client = api(officer)
        response = client.post(
            o(organisation, "certificates/"), certificate_body(), content_type=JSON
        )
        assert response.status_code == 201
        own = response.json()
        assert own["subcontractor"] is None
        response = client.post(
            o(organisation, "certificates/"),
            certificate_body(
                kind="hds",
                standard_version="HDS v2",
                iso_standard="",
                activities=[2, 1],
                subcontractor=datacenter.pk,
            ),
            content_type=JSON,
        )
        assert response.json()["activities"] == [1, 2]
        assert response.json()["subcontractor"] == datacenter.pk
        detail = o(organisation, f"certificates/{own['id']}/")
        response = client.patch(detail, {"number": "ISO-10"}, content_type=JSON)
        assert response.status_code == 200
        assert response.json()["number"] == "ISO-10"
        assert response.json()["certification_body"] == "Organisme Y"
        assert client.delete(detail).status_code == 204
        assert not Certificate.objects.filter(pk=own["id"]).exists()
        assert kinds()[-4:] == [
            "certificate.created",
            "certificate.created",
            "certificate.updated",
            "certificate.deleted",
        ]

    def test_service_error_is_400(self, api, organisation, officer):
        response = api(officer).post(
            o(organisation, "certificates/"),
            certificate_body(expires_on="2024-01-01"),
            content_type=JSON,
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "A certificate must expire after it is issued."}
        assert not Certificate.objects.exists()

    def test_iso_standard(self, api, organisation, officer):
        client = api(officer)
        url = o(organisation, "certificates/")
        response = client.post(url, certificate_body(iso_standard=""), content_type=JSON)
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Choose the standard the ISO 27001 certificate was issued against."
        }
        response = client.post(
            url,
            certificate_body(iso_standard="equivalent", iso_equivalent_name="Norme X"),
            content_type=JSON,
        )
        assert response.status_code == 201
        assert response.json()["standard_version"] == "Norme X"
        detail = o(organisation, f"certificates/{response.json()['id']}/")
        response = client.patch(detail, {"iso_standard": "nf_en_iso27001_2023"}, content_type=JSON)
        assert response.json()["standard_version"] == "NF EN ISO/IEC 27001:2023"
        assert response.json()["iso_equivalent_name"] == ""

    def test_holder_cannot_change(self, api, organisation, officer, datacenter, dc_certificate):
        response = api(officer).patch(
            o(organisation, f"certificates/{dc_certificate.pk}/"),
            {"subcontractor": None},
            content_type=JSON,
        )
        assert response.status_code == 400
        dc_certificate.refresh_from_db()
        assert dc_certificate.subcontractor == datacenter

    def test_list_query_count(
        self, api, organisation, officer, datacenter, dc_certificate, django_assert_num_queries
    ):
        client = api(officer)
        url = o(organisation, "certificates/")
        client.get(url)
        # The fifth query: which certificates of the page have their file (evidence app).
        with django_assert_num_queries(5):
            assert client.get(url).json()["count"] == 1
        certificate_save(
            organisation=organisation,
            subcontractor=datacenter,
            data=hds_data([3], number="HDS-2"),
            actor=officer,
        )
        with django_assert_num_queries(5):
            assert client.get(url).json()["count"] == 2


class TestSoA:
    def test_list_is_paginated(self, api, organisation, officer, django_assert_num_queries):
        client = api(officer)
        url = o(organisation, "soa/")
        client.get(url)
        with django_assert_num_queries(5):
            body = client.get(url).json()
        assert body["count"] == 93
        assert len(body["results"]) == 50
        assert body["results"][0]["applicable"] is True
        assert body["results"][0]["implementation"] == "not_started"
        assert len(client.get(url + "?page=2").json()["results"]) == 43

    def test_contributor_edits_a_line(self, api, organisation, contributor, officer):
        client = api(contributor)
        control = requirement("A.7.1")
        url = o(organisation, f"soa/{control.pk}/")
        response = client.put(
            url,
            {"applicable": False, "justification": "No premises.", "owner": officer.email},
            content_type=JSON,
        )
        assert response.status_code == 200
        assert response.json()["owner"] == officer.email
        response = client.patch(url, {"notes": "Checked"}, content_type=JSON)
        line = response.json()
        assert (line["applicable"], line["justification"], line["notes"]) == (
            False,
            "No premises.",
            "Checked",
        )
        entry = SoAEntry.objects.get(organisation=organisation, control=control)
        assert entry.owner == officer
        events = TrailEvent.objects.filter(kind="soa.updated", actor=contributor)
        assert events.count() == 2

    def test_errors(self, api, organisation, contributor, outsider):
        client = api(contributor)
        url = o(organisation, f"soa/{requirement('A.7.1').pk}/")
        response = client.put(url, {"applicable": False}, content_type=JSON)
        assert response.status_code == 400
        assert response.json() == {"detail": "A control that does not apply needs a justification."}
        response = client.put(url, {"applicable": True, "owner": outsider.email}, content_type=JSON)
        assert response.status_code == 400
        assert response.json() == {"owner": ["The owner must be a member of the organisation."]}
        assert not SoAEntry.objects.exists()
        clause = o(organisation, f"soa/{requirement('4.1').pk}/")
        assert client.get(clause).status_code == 404

    def test_existing_line_shows(self, api, organisation, officer):
        control = requirement("A.5.1")
        soa_update(
            organisation=organisation,
            control=control,
            data=SoAData(applicable=True, implementation="implemented"),
            actor=officer,
        )
        line = api(officer).get(o(organisation, f"soa/{control.pk}/")).json()
        assert line["implementation"] == "implemented"
        assert line["ref_id"] == "A.5.1"
        assert line["updated_at"]


class TestReadiness:
    def test_list_by_framework(self, api, organisation, officer, django_assert_num_queries):
        client = api(officer)
        url = o(organisation, "readiness/?framework=hds")
        client.get(url)
        with django_assert_num_queries(8):
            body = client.get(url).json()
        hds = requirement("EXI 02").framework
        assert body["count"] == hds.nodes.filter(assessable=True).count()
        assert body["results"][0]["status"] == "not_assessed"
        assert client.get(o(organisation, "readiness/")).json()["count"] == body["count"]
        response = client.get(o(organisation, "readiness/?framework=nist"))
        assert response.status_code == 400

    def test_contributor_assesses(self, api, organisation, contributor):
        client = api(contributor)
        url = o(organisation, f"readiness/{requirement('EXI 02').pk}/")
        response = client.put(
            url, {"status": "partial", "target_date": "2027-01-31"}, content_type=JSON
        )
        assert response.status_code == 200
        assert response.json()["status"] == "partial"
        response = client.patch(url, {"notes": "Policy drafted"}, content_type=JSON)
        assert response.json()["target_date"] == "2027-01-31"
        entry = ReadinessEntry.objects.get(organisation=organisation)
        assert (entry.status, entry.notes) == ("partial", "Policy drafted")
        assert TrailEvent.objects.filter(kind="readiness.updated", actor=contributor).count() == 2

    def test_not_applicable_needs_a_reason(self, api, organisation, contributor):
        url = o(organisation, f"readiness/{requirement('EXI 02').pk}/")
        response = api(contributor).put(url, {"status": "not_applicable"}, content_type=JSON)
        assert response.status_code == 400
        assert response.json() == {"detail": "Say why the requirement does not apply."}
        assert not ReadinessEntry.objects.exists()

    def test_group_node_is_404(self, api, organisation, officer):
        group = Requirement.objects.filter(
            framework__organisation__isnull=True, assessable=False
        ).first()
        assert group is not None
        assert api(officer).get(o(organisation, f"readiness/{group.pk}/")).status_code == 404

    def test_applies_follows_the_situation(self, api, organisation, officer):
        client = api(officer)
        url = o(organisation, f"readiness/{requirement('EXI 29').pk}/")
        assert client.get(url).json()["applies"] is False
        client.patch(o(organisation, "scope/profile/"), {"non_eea_access": True}, JSON)
        assert client.get(url).json()["applies"] is True
