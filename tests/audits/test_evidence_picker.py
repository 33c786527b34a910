"""The evidence picker of the audit pages: one search per page, scoped like the forms it fills
(a member: the organisation's versions; the invited auditor: what the audit shows them), at
most EVIDENCE_SEARCH_LIMIT matches; and the evidence fields, a version's number checked
against the same set, with a form error (never a 500) for anything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import AuditStatus, Finding, FindingStatus
from audits.selectors import EVIDENCE_SEARCH_LIMIT
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from hdsready.models import Role
from tests.audits.workflow_helpers import audit_in
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.factories import OrganisationFactory, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def corrections(cast):
    return audit_in(AuditStatus.CORRECTIONS, cast)


@pytest.fixture
def foreign(db) -> EvidenceVersion:
    other = OrganisationFactory(name="Autre", slug="autre")
    officer = make_member(other, Role.OFFICER)
    item = make_item(other, officer, title="Politique d'ailleurs")
    return evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)


def _search_url(audit):
    return reverse("audits:audit-evidence-search", args=[audit.cycle.organisation.slug, audit.pk])


def test_a_member_searches_the_organisation_s_versions(cast, corrections, foreign) -> None:
    for number in range(EVIDENCE_SEARCH_LIMIT + 3):
        item = make_item(cast.organisation, cast.officer, title=f"Journal {number:02d}")
        evidence_version_add(item=item, upload=hashed_upload(PDF), actor=cast.officer)
    client = verified_client_for(cast.contributor)
    found = client.get(_search_url(corrections), {"q": "journal"}, **JSON).json()
    assert len(found["results"]) == EVIDENCE_SEARCH_LIMIT
    assert found["more"] is True
    assert found["results"][0]["label"].endswith("Journal 00 — v1")
    by_number = client.get(_search_url(corrections), {"q": f"#{cast.version.pk}"}, **JSON)
    assert [row["id"] for row in by_number.json()["results"]] == [cast.version.pk]
    elsewhere = client.get(_search_url(corrections), {"q": "ailleurs"}, **JSON).json()
    assert elsewhere == {"results": [], "more": False}
    # Without JavaScript: a page of numbers to type.
    page = client.get(_search_url(corrections), {"q": "Risk"})
    assert page.status_code == 200
    assert f"#{cast.version.pk}" in page.content.decode()


@pytest.mark.parametrize("query", ["a\x00b", "x" * 101])
def test_a_search_with_a_nul_or_too_long_is_refused(cast, corrections, query) -> None:
    client = verified_client_for(cast.officer)
    assert client.get(_search_url(corrections), {"q": query}, **JSON).status_code == 400
    assert client.get(_search_url(corrections), {"q": query}).status_code == 400


def test_the_search_is_closed_to_strangers(cast, corrections, outsider, manager) -> None:
    # The manager fills no form that cites evidence; the outsider sees nothing of the audit.
    for user in (outsider, manager):
        response = verified_client_for(user).get(_search_url(corrections), {"q": ""}, **JSON)
        assert response.status_code == 404
    auditor_url = reverse("audits:auditor-evidence-search", args=[corrections.pk])
    assert verified_client_for(cast.officer).get(auditor_url).status_code == 404
    assert verified_client_for(cast.auditor).get(auditor_url, **JSON).status_code == 200


def _correction(finding, evidence: str) -> dict[str, str]:
    prefix = f"correction-submit-{finding.pk}"
    return {
        f"{prefix}-correction": "Registre tenu",
        f"{prefix}-root_cause": "Pas de registre",
        f"{prefix}-action_plan": "Contrôle mensuel",
        f"{prefix}-evidence": evidence,
    }


@pytest.mark.parametrize(
    ("evidence", "error"),
    [
        ("foreign", "No evidence version you may cite has this number."),
        ("999999999", "No evidence version you may cite has this number."),
        ("12\x00", "Enter the number of an evidence version"),
        ("v2", "Enter the number of an evidence version"),
        ("²", "Enter the number of an evidence version"),
        ("1" * 30, "Enter the number of an evidence version"),
    ],
)
def test_a_correction_citing_what_it_may_not_is_a_form_error(
    cast, corrections, foreign, evidence, error
) -> None:
    finding = Finding.objects.filter(audit=corrections, status=FindingStatus.OPEN)[0]
    value = str(foreign.pk) if evidence == "foreign" else evidence
    url = reverse(
        "audits:finding-action", args=[cast.organisation.slug, finding.pk, "correction-submit"]
    )
    response = verified_client_for(cast.contributor).post(url, _correction(finding, value))
    assert response.status_code == 200
    assert error in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.parametrize("written", ["{pk}", "#{pk}", " {pk} "])
def test_a_correction_cites_a_version_by_its_number(cast, corrections, written) -> None:
    finding = Finding.objects.filter(audit=corrections, status=FindingStatus.OPEN)[0]
    url = reverse(
        "audits:finding-action", args=[cast.organisation.slug, finding.pk, "correction-submit"]
    )
    value = written.format(pk=cast.version.pk)
    response = verified_client_for(cast.contributor).post(url, _correction(finding, value))
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.correction_evidence == cast.version


def test_the_audit_page_offers_one_picker_not_a_list_of_versions(cast, corrections) -> None:
    page = verified_client_for(cast.contributor).get(
        reverse("audits:audit-detail", args=[cast.organisation.slug, corrections.pk])
    )
    html = page.content.decode()
    assert html.count('id="evidence-picker"') == 1
    assert 'src="/static/js/evidence-picker.js"' in html
    assert "data-evidence-picker" in html
    assert cast.version.item.title not in html  # no option per version
