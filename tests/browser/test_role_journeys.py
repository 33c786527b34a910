"""Every role guided, in French, on the demo of `make run`: the four personas it prints log in
with their password and TOTP secret and each starts with their own work. Screenshots go to
test-artifacts/roles/."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from audits.models import Audit, EvidenceReview, ReviewDecision
from tests.browser.helpers import in_french, log_in_with_password, pass_second_factor, submit
from tests.browser.test_cycle_journey import catalogs  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "roles"
PERSONA = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)\s+TOTP secret: (\S+)$", re.M)


@pytest.fixture
def demo(catalogs: None, media: Path) -> dict[str, tuple[str, str, str]]:  # noqa: F811
    """The demo of `make run`: role -> (e-mail, password, TOTP secret), as it prints them."""
    out = io.StringIO()
    for command in ("seed_demo", "seed_demo_scope", "seed_demo_cycle"):
        call_command(command, force=True, stdout=out)
    return {
        role: (email, pw, secret) for role, email, pw, secret in PERSONA.findall(out.getvalue())
    }


def _log_in(page: Page, persona: tuple[str, str, str]) -> None:
    email, password, secret = persona
    log_in_with_password(page, email, password)
    key = b32decode(secret + "=" * (-len(secret) % 8))
    pass_second_factor(page, f"{totp(key):06d}")
    expect(page).not_to_have_url(re.compile(r"/(login|mfa)/"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _audit() -> Audit:
    return Audit.objects.get(cycle__organisation__slug="demo")


def test_the_demo_prints_four_personas(demo) -> None:
    assert set(demo) == {"officer", "contributor", "manager", "auditor"}


def test_officer(page: Page, demo) -> None:
    _log_in(page, demo["officer"])
    expect(page).to_have_url(re.compile(r"/o/demo/$"))
    expect(page.locator("[data-home='officer']")).to_be_visible()
    links = page.locator("#home-links")
    for name in ("evidence:item-list", "scopes:soa-list", "scopes:subcontractor-list"):
        expect(links.locator(f"a[href='{reverse(name, args=['demo'])}']")).to_be_visible()
    expect(page.locator("#home-my-work")).to_be_visible()
    expect(page.locator("#home-calendar")).to_contain_text("Outlook")
    _shot(page, "officer-home")
    # The auditor's reviews and findings reached the officer's notifications.
    page.goto(reverse("hdsready:notification-list"))
    expect(page.locator("main")).to_contain_text("Marc Dubois (auditeur)")
    expect(page.locator("main")).to_contain_text("Rejetée")
    _shot(page, "officer-notifications")
    # The rejected review needs a response, next to the one asking for a revision.
    page.goto(reverse("audits:audit-detail", args=["demo", _audit().pk]))
    submit(page, page.locator("#evidence-reviews a"))
    table = page.locator("#reviews-to-answer")
    expect(table).to_contain_text("Rejetée")
    expect(table).to_contain_text("À reprendre")
    expect(table.locator("form")).to_have_count(2)
    _shot(page, "officer-reviews-to-answer")
    page.goto(reverse("audits:calendar-token"))
    expect(page.locator("#calendar-howto")).to_contain_text("Thunderbird")
    _shot(page, "officer-calendar")


def test_contributor(page: Page, demo) -> None:
    _log_in(page, demo["contributor"])
    expect(page.locator("[data-home='contributor']")).to_be_visible()
    work = page.locator("#home-my-work")
    expect(work).to_be_visible()
    # Their work comes first on the page, before the progress.
    first = page.locator(".grid > *").first
    expect(first.locator("#home-my-work")).to_be_visible()
    # The demo left them the HDS requirements not met yet.
    expect(work.locator("#my-requirements")).to_contain_text("EXI 05")
    expect(work.locator("#my-requirements")).to_contain_text("EXI 07")
    rejected = EvidenceReview.objects.get(decision=ReviewDecision.REJECTED)
    expect(work.locator(f"[data-review='{rejected.pk}']")).to_contain_text("Rejetée")
    _shot(page, "contributor-home")
    # The rejection shows on the evidence item's page, not only in the trail.
    item = rejected.pinned.version.item
    page.goto(reverse("evidence:item-detail", args=["demo", item.pk]))
    expect(page.locator("#item-reviews [data-decision='rejected']")).to_contain_text("Rejetée")
    _shot(page, "contributor-evidence-rejected")
    # The read-only scope names the datacenter of activities 1 and 2.
    page.goto(reverse("scopes:scope-edit", args=["demo"]))
    expect(page.locator("#activity-1")).to_contain_text("DataCenter Paris Nord")
    expect(page.locator("#activity-1 select")).to_have_count(0)
    _shot(page, "contributor-scope")


def test_manager(page: Page, demo) -> None:
    _log_in(page, demo["manager"])
    expect(page.locator("[data-home='manager']")).to_be_visible()
    expect(page.locator(".grid > *").first.locator("#home-progress")).to_be_visible()
    expect(page.locator("#home-certification")).to_be_visible()
    expect(page.locator("#home-dossiers")).to_be_visible()
    expect(page.locator("#home-my-work")).to_have_count(0)
    _shot(page, "manager-home")
    # "Revues des preuves « à reprendre »" reads, without an answer form (it was a 404).
    page.goto(reverse("audits:audit-detail", args=["demo", _audit().pk]))
    response = submit(page, page.locator("#evidence-reviews a"))
    assert response.status == 200
    expect(page.locator("#reviews-to-answer")).to_contain_text("Rejetée")
    expect(page.locator("#reviews-to-answer form")).to_have_count(0)
    _shot(page, "manager-reviews")


def test_auditor(page: Page, demo) -> None:
    _log_in(page, demo["auditor"])
    # Straight on the demo audit, not on a page saying they belong to no organisation.
    expect(page).to_have_url(re.compile(rf"/auditor/audits/{_audit().pk}/$"))
    expect(page.locator("main")).to_contain_text("Clinicloud")
    expect(page.locator("main")).not_to_contain_text(
        in_french("You are not a member of any organisation yet.")
    )
    _shot(page, "auditor-audit")
