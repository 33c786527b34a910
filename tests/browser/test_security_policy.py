"""The Content-Security-Policy (scripts, styles and images from this site only) leaves the pages
that load scripts or pictures working: the API docs, the authenticator enrolment's QR code, the
evidence upload, the passkeys (tests/browser/test_passkeys_journey.py runs them whole). The
`page` fixture fails any journey on a blocked resource."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hdsready.models import Organisation, User
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_run_under_the_policy(page: Page, officer: User) -> None:
    log_in(page, officer)
    response = page.goto("/api/docs/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("hdsready API")


def test_pages_with_scripts_run_under_the_policy(
    page: Page, officer: User, organisation: Organisation
) -> None:
    log_in(page, officer)
    for path in (
        f"/o/{organisation.slug}/",
        f"/o/{organisation.slug}/readiness/hds/",
        "/admin/",
        # The passkey enrolment: its options as a JSON data block, its script as a file.
        "/account/passkeys/",
    ):
        response = page.goto(path)
        assert response is not None
        assert response.status < 500, path
