"""The dossiers API: list, request, detail with progress, download after the integrity check,
retry. PRINT_DOSSIER as on the pages: an outsider gets 404, a contributor 403; another
organisation's dossier is a 404; bad input is a 400 with a message and creates nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client

from audits.models import AuditKind
from audits.services.cycle import audit_plan, cycle_create
from dossiers.models import (
    Dossier,
    DossierKind,
    DossierStatus,
    DossierUnit,
    RenderUnit,
    UnitStatus,
)
from dossiers.services.request import DossierTarget, dossier_request
from hdsready.models import TrailEvent
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.dossiers.helpers import PDF_BYTES, enqueued_tasks, stored_dossier
from tests.scopes.test_api import api_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = "application/json"


def o(organisation, rest=""):
    return f"/api/o/{organisation.slug}/{rest}"


def texts(value):
    """Every string of a JSON error body, however it nests them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in texts(item)]


def dossier_events():
    return list(
        TrailEvent.objects.filter(kind__startswith="dossier.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


# Every endpoint with a method it answers and one it does not.
ENDPOINTS = [
    ("dossiers/", "get", "delete"),
    ("dossiers/", "post", "put"),
    ("dossiers/{pk}/", "get", "post"),
    ("dossiers/{pk}/download/", "get", "post"),
    ("dossiers/{pk}/retry/", "post", "get"),
]


def call(client, method, address):
    if method in ("post", "put", "patch"):
        return getattr(client, method)(address, {}, content_type=JSON)
    return getattr(client, method)(address)


class TestAccess:
    @pytest.mark.parametrize(("rest", "method", "_wrong"), ENDPOINTS)
    def test_an_outsider_gets_a_404(self, outsider, organisation, ready, rest, method, _wrong):
        response = call(api_client(outsider), method, o(organisation, rest.format(pk=ready.pk)))
        assert response.status_code == 404
        assert not dossier_events()

    @pytest.mark.parametrize(("rest", "method", "_wrong"), ENDPOINTS)
    def test_a_contributor_gets_a_403(self, contributor, organisation, ready, rest, method, _wrong):
        response = call(api_client(contributor), method, o(organisation, rest.format(pk=ready.pk)))
        assert response.status_code == 403
        # Reading says "dossiers"; a POST is refused first as a change, like everywhere.
        assert response.json()["detail"].startswith("Your role in this organisation does not allow")
        assert Dossier.objects.count() == 1
        assert not dossier_events()

    @pytest.mark.parametrize(("rest", "_method", "wrong"), ENDPOINTS)
    def test_wrong_method(self, manager, organisation, ready, rest, _method, wrong):
        response = call(api_client(manager), wrong, o(organisation, rest.format(pk=ready.pk)))
        assert response.status_code == 405
        assert Dossier.objects.count() == 1
        assert not dossier_events()

    @pytest.mark.parametrize(
        ("rest", "method"), [(rest, method) for rest, method, _ in ENDPOINTS if "{pk}" in rest]
    )
    def test_another_organisations_dossier_is_a_404(
        self, manager, organisation, foreign, rest, method
    ):
        response = call(api_client(manager), method, o(organisation, rest.format(pk=foreign.pk)))
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.status == DossierStatus.READY
        assert not dossier_events()

    def test_without_credentials(self, organisation, ready):
        assert Client().get(o(organisation, "dossiers/")).status_code == 401


class TestList:
    def test_lists_newest_first_with_progress(self, manager, officer, organisation, cycle):
        older = stored_dossier(organisation, officer, cycle=cycle)
        in_flight = dossier_request(
            organisation=organisation,
            target=DossierTarget(kind=DossierKind.FULL, cycle=cycle),
            language="fr",
            actor=officer,
        )  # on_commit never runs here: it stays queued, no unit laid out

        response = api_client(manager).get(o(organisation, "dossiers/"))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        first, second = body["results"]
        units = DossierUnit.objects.filter(dossier=in_flight).count()
        assert (first["id"], first["status"], first["done"], first["total"]) == (
            in_flight.pk,
            DossierStatus.QUEUED,
            0,
            units + 1,
        )
        assert first["download_url"] is None
        assert first["requested_by"] == officer.email
        assert (second["id"], second["status"], second["done"], second["total"]) == (
            older.pk,
            DossierStatus.READY,
            1,
            1,
        )
        assert second["sha256"] == older.sha256
        assert second["download_url"].endswith(o(organisation, f"dossiers/{older.pk}/download/"))

    @pytest.mark.parametrize("dossiers", [1, 10])
    def test_query_count_does_not_grow(
        self, manager, officer, organisation, cycle, dossiers, django_assert_num_queries
    ):
        for index in range(dossiers):
            stored_dossier(organisation, officer if index % 2 else manager, cycle=cycle)
        client = api_client(manager)
        client.get(o(organisation, "dossiers/"))
        # The token, the organisation and the permissions, then the count and one page query.
        with django_assert_num_queries(6):
            response = client.get(o(organisation, "dossiers/"))
        assert len(response.json()["results"]) == dossiers


class TestRequest:
    def test_full_dossier_is_laid_out_and_downloaded(
        self, manager, organisation, cycle, django_capture_on_commit_callbacks
    ):
        assert settings.CELERY_TASK_ALWAYS_EAGER, "run with CELERY_TASK_ALWAYS_EAGER=true"
        client = api_client(manager)
        data = {"kind": DossierKind.FULL, "target": f"cycle:{cycle.pk}", "language": "fr"}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(o(organisation, "dossiers/"), data, content_type=JSON)

        assert response.status_code == 201, response.content
        dossier = Dossier.objects.get()
        body = response.json()
        assert (body["id"], body["kind"], body["cycle"], body["language"]) == (
            dossier.pk,
            DossierKind.FULL,
            cycle.pk,
            "fr",
        )
        # The 201 shows the dossier as it was asked for; the eager chain ran after the commit.
        detail = client.get(o(organisation, f"dossiers/{dossier.pk}/")).json()
        dossier.refresh_from_db()
        assert (detail["status"], detail["done"], detail["total"]) == (DossierStatus.READY, 1, 1)
        assert (detail["sha256"], detail["page_count"]) == (dossier.sha256, dossier.page_count)

        download = client.get(detail["download_url"])
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-SHA256"] == dossier.sha256
        assert "attachment" in download["Content-Disposition"]
        assert hashlib.sha256(download.content).hexdigest() == dossier.sha256
        assert dossier_events() == ["dossier.requested", "dossier.ready", "dossier.downloaded"]
        event = TrailEvent.objects.get(kind="dossier.downloaded")
        assert (event.actor, event.object_type, event.object_id) == (
            manager,
            "dossiers.dossier",
            str(dossier.pk),
        )

    def test_the_officer_asks_for_the_soa(self, officer, organisation):
        response = api_client(officer).post(
            o(organisation, "dossiers/"),
            {"kind": DossierKind.SOA, "language": "en"},
            content_type=JSON,
        )
        assert response.status_code == 201, response.content
        dossier = Dossier.objects.get()
        assert (dossier.kind, dossier.language, dossier.requested_by) == (
            DossierKind.SOA,
            "en",
            officer,
        )
        assert response.json()["status"] == DossierStatus.QUEUED

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"kind": "brochure", "target": "", "language": "fr"}, '"brochure" is not a valid'),
            ({"target": "", "language": "fr"}, "This field is required."),
            ({"kind": DossierKind.SOA, "target": "", "language": "tlh"}, '"tlh" is not a valid'),
            (
                {"kind": DossierKind.STAGE1, "target": "", "language": "fr"},
                "Choose the audit this dossier is for.",
            ),
            (
                {"kind": DossierKind.FULL, "target": "", "language": "fr"},
                "Choose the certification cycle this dossier is for.",
            ),
            (
                {"kind": DossierKind.STAGE2, "target": "audit:{other}", "language": "fr"},
                "is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.FULL, "target": "cycle:{other_cycle}", "language": "fr"},
                "is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.FULL, "target": "cycle:nope", "language": "fr"},
                "is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.STAGE1, "target": ["audit:1"], "language": "fr"},
                "Not a valid string.",
            ),
        ],
    )
    def test_bad_input_is_a_400_and_creates_nothing(
        self,
        manager,
        organisation,
        cycle,
        other_organisation,
        other_officer,
        data,
        message,
        django_capture_on_commit_callbacks,
    ):
        scope_set_activities(
            organisation=other_organisation,
            choices={3: ActivityChoice(ActivityMode.IN_HOUSE)},
            actor=other_officer,
        )
        other_cycle = cycle_create(
            organisation=other_organisation,
            certification_body="Organisme Y",
            accreditation="5-0002",
            actor=other_officer,
        )
        other = audit_plan(cycle=other_cycle, kind=AuditKind.INITIAL, actor=other_officer)
        if isinstance(data.get("target"), str):
            data = {
                **data,
                "target": data["target"].format(other=other.pk, other_cycle=other_cycle.pk),
            }
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_client(manager).post(
                o(organisation, "dossiers/"), data, content_type=JSON
            )

        assert response.status_code == 400
        assert message in " ".join(texts(response.json())), response.content
        assert not Dossier.objects.exists()
        assert not enqueued_tasks(callbacks)
        assert not dossier_events()

    def test_a_body_that_is_not_an_object_is_a_400(self, manager, organisation):
        response = api_client(manager).post(
            o(organisation, "dossiers/"), ["soa"], content_type=JSON
        )
        assert response.status_code == 400
        assert not Dossier.objects.exists()


class TestDetail:
    def test_a_dossier_in_flight_shows_its_progress(self, manager, organisation, cycle):
        dossier = dossier_request(
            organisation=organisation,
            target=DossierTarget(kind=DossierKind.FULL, cycle=cycle),
            language="fr",
            actor=manager,
        )
        units = list(DossierUnit.objects.filter(dossier=dossier).values_list("unit", flat=True))
        Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RENDERING)
        RenderUnit.objects.filter(pk__in=units[:2]).update(status=UnitStatus.READY)

        body = api_client(manager).get(o(organisation, f"dossiers/{dossier.pk}/")).json()

        assert (body["status"], body["done"], body["total"]) == (
            DossierStatus.RENDERING,
            2,
            len(units) + 1,
        )
        assert body["download_url"] is None


class TestDownload:
    def test_serves_the_recorded_bytes(self, manager, organisation, ready):
        response = api_client(manager).get(o(organisation, f"dossiers/{ready.pk}/download/"))
        assert response.status_code == 200
        assert response.content == PDF_BYTES
        assert response["Cache-Control"] == "private, no-store"
        assert dossier_events() == ["dossier.downloaded"]

    def test_a_changed_byte_is_a_409_and_trailed(self, manager, organisation, ready):
        tampered = bytearray(PDF_BYTES)
        tampered[10] ^= 0x01
        with open(default_storage.path(ready.file.name), "wb") as stored:
            stored.write(bytes(tampered))

        response = api_client(manager).get(o(organisation, f"dossiers/{ready.pk}/download/"))

        assert response.status_code == 409
        assert "no longer matches the SHA-256 fingerprint" in response.json()["detail"]
        assert bytes(tampered) not in response.content
        event = TrailEvent.objects.get(kind="dossier.integrity_failed")
        assert (event.actor, event.organisation, event.object_id) == (
            manager,
            organisation,
            str(ready.pk),
        )
        assert event.data == {"expected": ready.sha256}
        assert dossier_events() == ["dossier.integrity_failed"]

    def test_a_lost_file_is_a_409_too(self, manager, organisation, ready):
        default_storage.delete(ready.file.name)
        response = api_client(manager).get(o(organisation, f"dossiers/{ready.pk}/download/"))
        assert response.status_code == 409
        assert dossier_events() == ["dossier.integrity_failed"]

    def test_a_dossier_not_ready_is_a_400(self, manager, organisation):
        dossier = stored_dossier(organisation, manager, status=DossierStatus.RENDERING)
        response = api_client(manager).get(o(organisation, f"dossiers/{dossier.pk}/download/"))
        assert response.status_code == 400
        assert response.json()["detail"] == "This dossier is not ready."
        assert not dossier_events()


class TestRetry:
    def test_retry_requeues_a_failed_dossier(
        self, manager, organisation, cycle, django_capture_on_commit_callbacks
    ):
        dossier = dossier_request(
            organisation=organisation,
            target=DossierTarget(kind=DossierKind.FULL, cycle=cycle),
            language="fr",
            actor=manager,
        )
        Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.FAILED, error="boom")

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api_client(manager).post(
                o(organisation, f"dossiers/{dossier.pk}/retry/"), content_type=JSON
            )

        assert response.status_code == 200
        assert (response.json()["status"], response.json()["error"]) == (DossierStatus.QUEUED, "")
        assert enqueued_tasks(callbacks) == [("dossiers.tasks.dossier_dispatch_task", [dossier.pk])]
        assert dossier_events() == ["dossier.requested", "dossier.retried"]

    def test_retry_of_a_ready_dossier_is_a_400(self, manager, organisation, ready):
        response = api_client(manager).post(
            o(organisation, f"dossiers/{ready.pk}/retry/"), content_type=JSON
        )
        assert response.status_code == 400
        assert response.json()["detail"] == "Only a dossier that failed can be retried."
        ready.refresh_from_db()
        assert ready.status == DossierStatus.READY
        assert not dossier_events()


def test_schema_documents_the_dossier_endpoints(officer):
    schema = api_client(officer).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/o/{slug}/dossiers/",
        "/api/o/{slug}/dossiers/{id}/",
        "/api/o/{slug}/dossiers/{id}/download/",
        "/api/o/{slug}/dossiers/{id}/retry/",
    ):
        assert path in paths, path
    download = paths["/api/o/{slug}/dossiers/{id}/download/"]["get"]["responses"]
    assert download["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
    assert "409" in download
