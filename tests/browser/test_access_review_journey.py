"""Browser journey of issue 16's "done when" for access reviews, in French, all through the
pages: an officer opens an access review, revokes an auditor's access and a contributor's API
token with a reason, confirms the other lines and closes the review, which keeps its PDF and
XLSX as evidence; the auditor's audit page then answers 404 and the token gets 401 from the API.
Screenshots go to test-artifacts/browser/access-review/ (or $ACCESS_REVIEW_SHOTS) for a person
to look at."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accessreviews.models import Campaign, CampaignItem, Decision, SubjectKind
from audits.models import Audit, AuditorAccess
from hdsready.models import ApiToken, Organisation, User
from hdsready.services.tokens import api_token_create
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.audits.workflow_helpers import Cast, audit_in, evidence_for
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS
from tests.browser.helpers import in_french, log_in, submit
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.factories import UserFactory
from tests.pdf import flowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ACCESS_REVIEW_SHOTS") or ARTIFACTS / "access-review")
API = "/api/organisations/"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world(db: None, organisation: Organisation, officer: User, contributor: User) -> dict:
    """The built-in catalogs (flushed by transactional tests), an audit whose auditor holds an
    open access, and a contributor with an API token and an account made 100 days ago that was
    never logged into (flagged)."""
    call_command("catalog_sync", stdout=StringIO())
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        actor=officer,
    )
    auditor = UserFactory(email="auditrice@organisme.test", full_name="Alice Auditrice")
    cast = Cast(
        organisation=organisation,
        officer=officer,
        contributor=contributor,
        auditor=auditor,
        version=evidence_for(organisation, officer),
    )
    audit = audit_in("stage1_planned", cast)
    contributor.date_joined = timezone.now() - timedelta(days=100)
    contributor.save(update_fields=["date_joined"])
    token, raw = api_token_create(user=contributor, name="Script d’export", actor=contributor)
    return {"audit": audit, "auditor": auditor, "token": token, "raw": raw}


def _line(page: Page, campaign: Campaign, kind: str, subject_id: int):
    line = CampaignItem.objects.get(campaign=campaign, subject_kind=kind, subject_id=subject_id)
    return page.locator(f"#line-{line.pk}")


def test_an_access_review_revokes_an_auditor_and_a_token_that_are_then_refused(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    world: dict,
    organisation: Organisation,
    officer: User,
) -> None:
    audit: Audit = world["audit"]
    token: ApiToken = world["token"]
    bearer = {"Authorization": f"Bearer {world['raw']}"}
    access = AuditorAccess.objects.get(audit=audit, user=world["auditor"])

    # Before: the auditor reads the audit, the token reaches the API.
    auditor_context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    auditor_context.set_default_timeout(TIMEOUT_MS)
    auditor_page = auditor_context.new_page()
    log_in(auditor_page, world["auditor"])
    audit_url = reverse("audits:auditor-audit", args=[audit.pk])
    response = auditor_page.goto(audit_url)
    assert response is not None
    assert response.status == 200
    assert page.request.get(API, headers=bearer).status == 200

    # The officer opens a review from the organisation's home.
    log_in(page, officer)
    page.goto(reverse("hdsready:organisation-home", args=[organisation.slug]))
    submit(page, page.get_by_role("link", name=in_french("Access reviews")))
    shot(page, "1-list")
    submit(page, page.get_by_role("link", name=in_french("Open an access review")))
    expect(page.locator("#id_due_on")).not_to_have_value("")
    submit(page, page.get_by_role("button", name=in_french("Open the review")))
    expect(page.locator(".messages")).to_contain_text(in_french("Access review opened."))
    campaign = Campaign.objects.get(organisation=organisation)
    lines = page.locator("#campaign-lines tbody tr")
    expect(lines).to_have_count(campaign.items.count())
    # The contributor who never logged in for 100 days is flagged, first.
    expect(lines.first).to_contain_text(in_french("Account unused for 90 days"))
    shot(page, "2-opened")

    # Revoking without a reason is refused beside the line, nothing revoked.
    auditor_line = _line(page, campaign, SubjectKind.AUDITOR_ACCESS, access.pk)
    submit(page, auditor_line.get_by_role("button", name=in_french("Revoke")))
    auditor_line = _line(page, campaign, SubjectKind.AUDITOR_ACCESS, access.pk)
    expect(auditor_line).to_contain_text(in_french("Give the reason for revoking this access."))
    access.refresh_from_db()
    assert access.revoked_at is None

    # With reasons: the auditor access, then the token.
    auditor_line.get_by_label(in_french("Reason")).fill("Audit documentaire terminé")
    submit(page, auditor_line.get_by_role("button", name=in_french("Revoke")))
    token_line = _line(page, campaign, SubjectKind.API_TOKEN, token.pk)
    token_line.get_by_label(in_french("Reason")).fill("Script remplacé, jeton inutile")
    submit(page, token_line.get_by_role("button", name=in_french("Revoke")))
    with translation.override("fr"):
        revoked = str(Decision.REVOKE.label)
    expect(_line(page, campaign, SubjectKind.API_TOKEN, token.pk)).to_contain_text(revoked)
    expect(_line(page, campaign, SubjectKind.AUDITOR_ACCESS, access.pk)).to_contain_text(revoked)
    shot(page, "3-revoked")

    # The other lines are confirmed, one by one, then the review is closed.
    confirm = page.locator("form.decide button[value=confirm]")
    while confirm.count():
        submit(page, confirm.first)
    submit(page, page.locator("#campaign-close-form button"))
    expect(page.locator(".messages")).to_contain_text(
        in_french("Access review closed: its PDF and XLSX exports are kept as evidence.")
    )
    expect(page.locator("form.decide")).to_have_count(0)
    evidence = page.locator("#campaign-evidence")
    expect(evidence).to_be_visible()
    shot(page, "4-closed")
    pdf = page.request.get(evidence.get_by_role("link", name="PDF").get_attribute("href") or "")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    # The PDF kept as evidence, read back: in French, the revocations with their reasons.
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "review.pdf").write_bytes(pdf.body())
    # Read as flowing text: a cell wraps where its column is narrow, which depends on the
    # names in the other cells (a longer officer's name once split "Audit | documentaire").
    text = flowing(SHOTS / "review.pdf")
    assert in_french("Access review") in text
    assert world["auditor"].email in text
    assert "Audit documentaire" in text
    assert revoked in text
    xlsx = page.request.get(evidence.get_by_role("link", name="XLSX").get_attribute("href") or "")
    assert xlsx.status == 200
    assert xlsx.body().startswith(b"PK")
    decisions = set(campaign.items.values_list("decision", flat=True))
    assert decisions == {Decision.CONFIRM, Decision.REVOKE}

    # After: the auditor's audit page is a 404, the token a 401.
    response = auditor_page.goto(audit_url)
    assert response is not None
    assert response.status == 404
    shot(auditor_page, "5-auditor-refused")
    refused = page.request.get(API, headers=bearer)
    assert refused.status == 401
    assert refused.json() == {"detail": in_french("Invalid token.")}
    auditor_context.close()
