"""The certificate API: status and file presence, the status endpoint, the EXI 14 procedure."""

from __future__ import annotations

import json

import pytest

from evidence.services import certificate_file_add
from hdsready.models import TrailEvent
from scopes.models import Certificate, CertificateProcedureTask
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.evidence.helpers import PDF, hashed_upload
from tests.scopes.test_api import JSON, api_client, o
from tests.scopes.test_certificate_status import certificate  # noqa: F401

pytestmark = pytest.mark.django_db


def post(user, url, body=None):
    return api_client(user).post(url, json.dumps(body or {}), content_type=JSON)


SUSPEND = {"status": "suspended", "status_from": "2026-05-01", "reason": "Lettre de l’organisme"}


def test_status_and_file_presence_are_read(officer, certificate):  # noqa: F811
    detail = api_client(officer).get(o(certificate.organisation, f"certificates/{certificate.pk}/"))
    body = detail.json()
    assert (body["status"], body["status_today"], body["has_file"]) == ("valid", "valid", False)
    listing = api_client(officer).get(o(certificate.organisation, "certificates/")).json()
    assert listing["results"][0]["status_from"] is None


def test_officer_sets_the_status_and_reads_the_procedure(officer, contributor, certificate):  # noqa: F811
    organisation = certificate.organisation
    response = post(officer, o(organisation, f"certificates/{certificate.pk}/status/"), SUSPEND)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_from"]) == (
        "suspended",
        "2026-05-01",
    )
    procedure = api_client(contributor).get(
        o(organisation, f"certificates/{certificate.pk}/procedure/")
    )
    assert procedure.status_code == 200
    tasks = procedure.json()["tasks"]
    assert [t["kind"] for t in tasks] == ["inform_clients", "plan_replacement"]
    done = post(contributor, o(organisation, f"certificate-tasks/{tasks[0]['id']}/done/"))
    assert done.status_code == 200
    assert done.json()["done_by"] == contributor.email
    again = post(officer, o(organisation, f"certificate-tasks/{tasks[0]['id']}/done/"))
    assert again.status_code == 400
    assert TrailEvent.objects.filter(kind="certificate.procedure_task_done").count() == 1


def test_no_procedure_is_a_404(officer, certificate):  # noqa: F811
    url = o(certificate.organisation, f"certificates/{certificate.pk}/procedure/")
    assert api_client(officer).get(url).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {**SUSPEND, "status_from": "2026-02-30"},
        {**SUSPEND, "status_from": "2020-01-01"},
        {**SUSPEND, "reason": "a\x00b"},
        {**SUSPEND, "status": "expired"},
        {**SUSPEND, "reason": "é" * 10_000},
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(officer, certificate, body):  # noqa: F811
    url = o(certificate.organisation, f"certificates/{certificate.pk}/status/")
    assert post(officer, url, body).status_code == 400
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"
    assert not TrailEvent.objects.filter(kind="certificate.status_set").exists()


def test_roles_and_strangers(contributor, manager, outsider, officer, certificate):  # noqa: F811
    organisation = certificate.organisation
    url = o(organisation, f"certificates/{certificate.pk}/status/")
    assert post(contributor, url, SUSPEND).status_code == 403
    assert post(outsider, url, SUSPEND).status_code == 404
    # Another organisation's certificate id under one's own organisation.
    theirs = outsider.memberships.get().organisation
    assert (
        post(outsider, o(theirs, f"certificates/{certificate.pk}/status/"), SUSPEND).status_code
        == 404
    )
    post(officer, url, SUSPEND)
    task = CertificateProcedureTask.objects.first()
    assert task is not None
    assert post(manager, o(organisation, f"certificate-tasks/{task.pk}/done/")).status_code == 403
    assert post(outsider, o(theirs, f"certificate-tasks/{task.pk}/done/")).status_code == 404


def test_has_file_once_the_file_is_stored(officer, certificate, store, django_assert_num_queries):  # noqa: F811
    url = o(certificate.organisation, "certificates/")
    client = api_client(officer)
    client.get(url)
    with django_assert_num_queries(5):
        assert client.get(url).json()["results"][0]["has_file"] is False
    certificate_file_add(certificate=certificate, upload=hashed_upload(PDF), actor=officer)
    with django_assert_num_queries(5):  # the same with a file
        assert client.get(url).json()["results"][0]["has_file"] is True
