"""Browser journey of issue 15's carry-over, in French, on the demo `make run` seeds: once the
initial audit is decided, the observation whose action plan runs six months past it appears on
the first surveillance audit for the invited auditor, with its history; the auditor closes it
there (once: the form is gone) and it no longer appears on the second surveillance audit.
Screenshots go to test-artifacts/browser/carryover/ (or $CARRYOVER_SHOTS)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django import Settings

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import (
    Audit,
    AuditKind,
    CarryOverCheck,
    Finding,
)
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import (
    audit_close,
    audit_complete_stage1,
    audit_complete_stage2,
    audit_schedule_stage1,
    audit_schedule_stage2,
)
from hdsready.mail import QUIET_MAILERS
from hdsready.models import Membership, Organisation, Role, TrailEvent, User
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import in_french, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CARRYOVER_SHOTS") or ARTIFACTS / "carryover")
CARRIED_OBSERVATION = "La sensibilisation des nouveaux arrivants"


def invited(audit: Audit, officer: User, auditor: User) -> None:
    now = timezone.now()
    access, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=10),
        actor=officer,
    )
    auditor_accept_existing_user(access=access, user=auditor)


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_auditor_closes_a_carried_over_observation(
    page: Page, settings: Settings, decided_demo: Organisation
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    organisation = decided_demo
    officer = Membership.objects.get(organisation=organisation, role=Role.OFFICER).user
    auditor = User.objects.get(email=AUDITOR_EMAIL)
    first, second = Audit.objects.filter(
        cycle__organisation=organisation, kind=AuditKind.SURVEILLANCE
    ).order_by("due_on")[:2]
    today = timezone.localdate()
    with override_settings(MAILERS=QUIET_MAILERS):
        audit_schedule_stage1(
            audit=first, start=today - timedelta(days=1), end=today, actor=officer
        )
        invited(first, officer, auditor)
    observation = Finding.objects.get(description__startswith=CARRIED_OBSERVATION)

    log_in(page, auditor)
    page.goto(reverse("audits:auditor-audit", args=[first.pk]))
    section = page.locator("#carried-over")
    expect(section).to_contain_text(CARRIED_OBSERVATION)
    # Its history: the plan, its due date, who raised it, in French.
    expect(section).to_contain_text("Refondre le module d’accueil sécurité")
    expect(section).to_contain_text(in_french("Action plan due by"))
    row = section.locator(f"tr[data-carried='{observation.pk}']")
    shoot(page, "carried-over-auditor")

    row.locator("select[name$='-outcome']").select_option("closed")
    row.locator("textarea[name$='-comment']").fill(
        "Module d’accueil refondu, quiz suivi par 12 nouveaux arrivants."
    )
    submit(page, row.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_contain_text(in_french("Check recorded."))
    row = page.locator(f"#carried-over tr[data-carried='{observation.pk}']")
    expect(row).to_contain_text(in_french("Closed at this audit"))
    expect(row.locator("form")).to_have_count(0)
    shoot(page, "carried-over-closed")
    assert CarryOverCheck.objects.filter(finding=observation).count() == 1
    assert TrailEvent.objects.filter(kind="finding.carryover_checked").count() == 1

    # Surveillance 1 ends; on surveillance 2 the observation no longer appears.
    with override_settings(MAILERS=QUIET_MAILERS):
        audit_complete_stage1(audit=first, outcome="RAS", actor=officer)
        audit_schedule_stage2(audit=first, start=today, end=today, sites="Siège", actor=officer)
        audit_complete_stage2(audit=first, outcome="RAS", ended_on=today, actor=officer)
        audit_close(audit=first, actor=officer)
        audit_schedule_stage1(
            audit=second, start=today, end=today + timedelta(days=1), actor=officer
        )
        invited(second, officer, auditor)
    page.goto(reverse("audits:auditor-audit", args=[second.pk]))
    section = page.locator("#carried-over")
    expect(section).to_be_visible()
    expect(section).not_to_contain_text(CARRIED_OBSERVATION)
    expect(section).to_contain_text(in_french("No finding carried over."))
    shoot(page, "next-audit-without-it")
