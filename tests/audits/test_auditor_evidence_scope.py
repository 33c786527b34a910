"""The invited auditor sees and cites only the evidence the audit shows them (pinned to it, or
linked to an HDS requirement), on the page, in the form's choices, through the API and in the
service: an internal export linked to nothing stays out of sight."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audits.models import AuditStatus, Finding, FindingKind
from audits.services import AuditError
from audits.services.findings import finding_raise
from audits.workflow import Actor
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from tests.audits.workflow_helpers import audit_in
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.scopes.test_scope_services import requirement

pytestmark = pytest.mark.django_db

INTERNAL = "Export pentest interne"


@pytest.fixture
def internal(cast) -> EvidenceVersion:
    item = make_item(cast.organisation, cast.officer, title=INTERNAL)
    return evidence_version_add(
        item=item, upload=hashed_upload(PDF, "pentest.pdf"), actor=cast.officer
    )


@pytest.fixture
def audit(cast):
    return audit_in(AuditStatus.STAGE1_PLANNED, cast)


def test_the_auditor_page_lists_only_the_audit_s_evidence(cast, audit, internal) -> None:
    page = verified_client_for(cast.auditor).get(reverse("audits:auditor-review", args=[audit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert cast.version.item.title in html
    assert INTERNAL not in html


def test_the_evidence_search_offers_only_what_each_may_cite(cast, audit, internal) -> None:
    accept_json = {"HTTP_ACCEPT": "application/json"}
    auditor = verified_client_for(cast.auditor).get(
        reverse("audits:auditor-evidence-search", args=[audit.pk]), {"q": ""}, **accept_json
    )
    labels = [row["label"] for row in auditor.json()["results"]]
    assert any(cast.version.item.title in label for label in labels)
    assert not any(INTERNAL in label for label in labels)
    # The officer's own search still finds the organisation's evidence.
    officer = verified_client_for(cast.officer).get(
        reverse("audits:audit-evidence-search", args=[cast.organisation.slug, audit.pk]),
        {"q": "pentest"},
        **accept_json,
    )
    assert [row["id"] for row in officer.json()["results"]] == [internal.pk]


def _raise_form(audit, cast, evidence_pk: int) -> dict[str, str]:
    prefix = "finding-raise"
    return {
        f"{prefix}-kind": FindingKind.MINOR,
        f"{prefix}-requirement": str(requirement("EXI 05").pk),
        f"{prefix}-evidence": str(evidence_pk),
        f"{prefix}-description": "Le plan de test ne couvre pas l’hébergement physique.",
    }


def test_a_finding_citing_other_evidence_is_refused_on_the_page(cast, audit, internal) -> None:
    url = reverse("audits:auditor-action", args=[audit.pk, "finding-raise"])
    client = verified_client_for(cast.auditor)
    response = client.post(url, _raise_form(audit, cast, internal.pk))
    assert response.status_code == 200
    assert not Finding.objects.exists()
    accepted = client.post(url, _raise_form(audit, cast, cast.version.pk))
    assert accepted.status_code == 302
    assert Finding.objects.get().evidence == cast.version


def test_a_finding_citing_other_evidence_is_refused_by_the_api(cast, audit, internal) -> None:
    url = f"/api/auditor/audits/{audit.pk}/actions/finding-raise/"
    body = {
        "kind": FindingKind.MINOR,
        "requirement": requirement("EXI 05").pk,
        "evidence": internal.pk,
        "description": "Constat.",
    }
    client = verified_client_for(cast.auditor)
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert not Finding.objects.exists()
    listed = client.get(f"/api/auditor/audits/{audit.pk}/actions/")
    assert INTERNAL not in listed.content.decode()


def test_the_service_refuses_it_as_the_auditor(cast, audit, internal, english) -> None:
    with pytest.raises(AuditError, match="Unknown evidence"):
        finding_raise(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 05"),
            description="Constat.",
            evidence=internal,
            actor=cast.auditor,
            role=Actor.AUDITOR,
        )
    finding = finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement("EXI 05"),
        description="Constat.",
        evidence=internal,
        actor=cast.officer,
        role=Actor.BODY,
    )
    assert finding.evidence == internal
