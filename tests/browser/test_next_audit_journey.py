"""Browser journey of issue 15's "done when", in French, on the demo `make run` seeds: after the
initial certification decision, the officer changes a subcontractor's certificate, a readiness
status and one evidence file, plans the first surveillance audit and sees exactly those three
changes on its delta page and in its stage 1 dossier (read back with pdftotext); the auditor
invited to it sees the delta and the observation carried over from the initial audit.

The demo is seeded 41 days in the past (time-machine) and the initial audit decided the day
after, so that the seeds' own trail rows are history before the decision and only the journey's
changes fall after it. Screenshots go to test-artifacts/browser/next-audit/ (or
$NEXT_AUDIT_SHOTS)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import Audit, AuditKind
from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation, Role, User
from scopes.models import Certificate, ReadinessEntry, ReadinessStatus, Requirement
from scopes.selectors import HDS_CODE, builtin_framework
from tests.browser.conftest import ARTIFACTS
from tests.browser.decided_demo import member
from tests.browser.helpers import log_in, submit
from tests.browser.test_evidence_journey import pdf_bytes
from tests.pdf import flowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("NEXT_AUDIT_SHOTS") or ARTIFACTS / "next-audit")
RENEWED_NUMBER = "HDS-DEMO-0001-R1"
CHANGED_REQUIREMENT = "EXI 13"  # a readiness status the journey changes
CHANGED_EVIDENCE = "Politique de sécurité des systèmes d’information"
CARRIED_OBSERVATION = "La sensibilisation des nouveaux arrivants"


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def expect_success(page: Page) -> None:
    expect(page.locator("main .messages .success")).to_be_visible()


def expect_three_changes(page: Page, version: EvidenceVersion) -> None:
    """The delta's summary counts the certificate, the readiness status and the evidence version,
    and nothing else since the decision; each section's page shows its change."""
    counts = page.locator("#delta-summary tr[data-section]").evaluate_all(
        """rows => rows.map(row => [row.dataset.section,
            [...row.querySelectorAll('td[data-action]')].reduce(
                (total, cell) => total + parseInt(cell.textContent.trim() || '0', 10), 0)])"""
    )
    changed = {section: count for section, count in counts if count}
    assert changed == {"subcontractors": 1, "readiness": 1, "evidence": 1}, counts
    for section, expected in (
        ("subcontractors", RENEWED_NUMBER),
        ("readiness", CHANGED_REQUIREMENT),
        ("evidence", version.sha256),
    ):
        page.locator(f"#delta-summary tr[data-section={section}] a").first.click()
        changes = page.locator(f"#delta-changes[data-section={section}]")
        expect(changes).to_contain_text(expected)


def hds(ref_id: str) -> Requirement:
    return Requirement.objects.get(framework=builtin_framework(code=HDS_CODE), ref_id=ref_id)


def test_surveillance_starts_from_the_initial_audit(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    settings: Settings,
    decided_demo: Organisation,
    media: Path,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.SITE_URL = live_server.url
    organisation = decided_demo
    slug = organisation.slug
    officer = member(organisation, Role.OFFICER)
    surveillance = (
        Audit.objects.filter(cycle__organisation=organisation, kind=AuditKind.SURVEILLANCE)
        .order_by("due_on")
        .first()
    )
    assert surveillance is not None, "the decision plans the surveillance audits"
    today = timezone.localdate()

    log_in(page, officer)

    # 1. The datacenter's HDS certificate was renewed: a new number and end date.
    certificate = Certificate.objects.get(number="HDS-DEMO-0001")
    page.goto(reverse("scopes:certificate-edit", args=[slug, certificate.pk]))
    form = page.locator("main form").filter(has=page.locator("input[name=number]"))
    form.locator("input[name=number]").fill(RENEWED_NUMBER)
    form.locator("input[name=expires_on]").fill((today + timedelta(days=3 * 365)).isoformat())
    submit(page, form.locator("button[type=submit]"))
    expect_success(page)
    certificate.refresh_from_db()
    assert certificate.number == RENEWED_NUMBER

    # 2. One readiness status moves.
    requirement = hds(CHANGED_REQUIREMENT)
    entry = ReadinessEntry.objects.filter(organisation=organisation, requirement=requirement)
    status_before = entry[0].status if entry else ReadinessStatus.NOT_ASSESSED
    new_status = (
        ReadinessStatus.COMPLIANT
        if status_before != ReadinessStatus.COMPLIANT
        else ReadinessStatus.PARTIAL
    )
    page.goto(reverse("scopes:readiness-edit", args=[slug, requirement.pk]))
    form = page.locator("main form").filter(has=page.locator("select[name=status]"))
    form.locator("select[name=status]").select_option(new_status)
    if form.locator("textarea[name=justification]").count():
        form.locator("textarea[name=justification]").fill("Répartition validée en comité.")
    submit(page, form.locator("button[type=submit]"))
    expect_success(page)
    assert (
        ReadinessEntry.objects.get(organisation=organisation, requirement=requirement).status
        == new_status
    )

    # 3. A new version of one evidence file.
    item = EvidenceItem.objects.get(organisation=organisation, title=CHANGED_EVIDENCE)
    versions_before = item.versions.count()
    page.goto(reverse("evidence:item-detail", args=[slug, item.pk]))
    zone = page.locator("main form[data-dropzone]")
    zone.locator("input[name=comment]").fill("Version 4 : revue annuelle")
    with page.expect_navigation():
        zone.locator("input[type=file]").set_input_files(
            {
                "name": "PSSI_v4.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("PSSI v4"),
            }
        )
    expect(page.locator("#versions tbody tr[data-version]")).to_have_count(versions_before + 1)
    new_version = EvidenceVersion.objects.filter(item=item).order_by("-number").first()
    assert new_version is not None

    # 4. The officer plans surveillance 1: its documentary audit in a month.
    audit_path = reverse("audits:audit-detail", args=[slug, surveillance.pk])
    page.goto(audit_path)
    start = today + timedelta(days=30)
    page.fill("#id_stage1-schedule-start", start.isoformat())
    page.fill("#id_stage1-schedule-end", (start + timedelta(days=1)).isoformat())
    submit(page, page.locator("main form[data-action='stage1-schedule'] button[type=submit]"))
    expect_success(page)
    shoot(page, "surveillance-planned")

    # 5. Its delta page shows exactly the three changes.
    page.goto(reverse("audits:audit-delta", args=[slug, surveillance.pk]))
    shoot(page, "delta-officer")
    expect_three_changes(page, new_version)

    # 6. Its stage 1 dossier carries the same delta (read back with pdftotext).
    page.goto(reverse("dossiers:dossier-list", args=[slug]))
    form = page.locator("main form").filter(has=page.locator("select[name=kind]"))
    form.locator("select[name=kind]").select_option("stage1")
    form.locator("select[name=target]").select_option(f"audit:{surveillance.pk}")
    form.locator("select[name=language]").select_option("fr")
    # Tasks run in-process here: the request returns once the whole dossier is laid out.
    with page.expect_navigation(timeout=180_000):
        form.locator("button[type=submit]").click(timeout=180_000)
    download = page.locator("#dossier-download")
    expect(download).to_be_visible()
    response = page.request.get(download.get_attribute("href") or "")
    assert response.ok, response.status
    pdf = media / "surveillance-stage1.pdf"
    pdf.write_bytes(response.body())
    text = flowing(pdf)
    for expected in (RENEWED_NUMBER, CHANGED_REQUIREMENT, new_version.sha256):
        assert expected in text, expected

    # 7. The demo auditor, invited to surveillance 1, sees the delta and the observation
    # carried over from the initial audit.
    auditor = User.objects.get(email=AUDITOR_EMAIL)
    page.goto(audit_path)
    now = timezone.localtime()
    invite = page.locator("#auditors form[action$='/auditors/invite/']")
    invite.locator("#id_email").fill(AUDITOR_EMAIL)
    invite.locator("#id_valid_from").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    invite.locator("#id_valid_until").fill((now + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"))
    submit(page, invite.locator("button[type=submit]"))
    expect_success(page)
    link = re.search(r"https?://\S+/auditor-invitations/[\w-]+/", str(mail.outbox[-1].body))
    assert link is not None, mail.outbox[-1].body

    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        other = context.new_page()
        log_in(other, auditor)
        other.goto(link.group(0))
        submit(other, other.locator("main form button[type=submit]"))
        other.goto(reverse("audits:auditor-audit", args=[surveillance.pk]))
        shoot(other, "auditor-audit")
        carried = other.locator("#carried-over")
        expect(carried).to_contain_text(CARRIED_OBSERVATION)
        submit(other, other.locator(f"main a[href*='/audits/{surveillance.pk}/delta/']"))
        shoot(other, "delta-auditor")
        expect_three_changes(other, new_version)
    finally:
        context.close()
