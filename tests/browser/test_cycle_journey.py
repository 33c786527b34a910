"""Browser journeys of the certification cycle: an initial audit with an invited auditor, from
stage 1 to the certification decision; and a correction window that lapses, sending the audit
back to "on-site audit to redo"."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from audits import deadlines
from audits.models import (
    AuditKind,
    AuditStatus,
    Finding,
    FindingKind,
    FindingStatus,
    ReviewDecision,
)
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    cycle_create,
)
from audits.services.findings import finding_raise
from audits.tasks import correction_windows_sweep
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import ItemData, evidence_item_create, evidence_version_add
from hdsready.models import Organisation, User
from scopes.models import ActivityMode, Requirement
from scopes.selectors import HDS_CODE, builtin_framework
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.browser.helpers import (
    in_french,
    log_in,
    main_submit,
    pick_evidence,
    submit,
    totp_code,
)
from tests.browser.test_evidence_journey import pdf_bytes
from tests.evidence.helpers import hashed_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 31 January + 3 months = 30 April: the correction deadline is the month's last day.
STAGE2_END = date(2031, 1, 31)
AUDITOR_EMAIL = "auditrice@organisme.test"
AUDITOR_PASSWORD = "Audit-Organisme-2026!"
EVIDENCE = {  # HDS requirement -> title of the evidence item linked to it
    "EXI 02": "Politique de sécurité",
    "EXI 05": "Politique de journalisation",
    "EXI 10": "Plan de continuité",
}


@pytest.fixture
def catalogs(db: None) -> None:
    """The built-in catalogs: their data migration's rows do not survive the flush that ends
    every transactional test, so load them again (the loader is idempotent)."""
    call_command("catalog_sync", stdout=StringIO())


@pytest.fixture
def scoped(organisation: Organisation, officer: User, catalogs: None) -> Organisation:
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        actor=officer,
    )
    return organisation


def hds_requirement(ref_id: str) -> Requirement:
    return Requirement.objects.get(framework=builtin_framework(code=HDS_CODE), ref_id=ref_id)


def status_label(status: str) -> str:
    with translation.override("fr"):
        return str(AuditStatus(status).label)


def short_date(day: date) -> str:
    """A date as the French pages show it (SHORT_DATE_FORMAT)."""
    return day.strftime("%d/%m/%Y")


def action_form(page: Page, action: str) -> Locator:
    """The form of one action of the workflow on the audit page."""
    return page.locator(f"main form[data-action='{action}']")


def expect_success(page: Page, message: str) -> None:
    expect(page.locator("main .messages .success")).to_contain_text(in_french(message))


def test_initial_audit_with_an_auditor(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    settings: Settings,
    scoped: Organisation,
    officer: User,
    media: Path,
) -> None:
    settings.SITE_URL = live_server.url  # the e-mailed link points at the live server
    today = timezone.localdate()
    stage1_start, stage1_end = today - timedelta(days=30), today - timedelta(days=29)
    stage2_start, stage2_end = today - timedelta(days=2), today
    cycle = cycle_create(
        organisation=scoped,
        certification_body="AFNOR Certification",
        accreditation="COFRAC 5-0012",
        actor=officer,
    )
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    requirements = {ref: hds_requirement(ref) for ref in EVIDENCE}
    versions: dict[str, EvidenceVersion] = {}
    for ref, title in EVIDENCE.items():
        item = evidence_item_create(
            organisation=scoped,
            data=ItemData(title=title, owner=officer, requirements=[requirements[ref]]),
            actor=officer,
        )
        versions[ref] = evidence_version_add(
            item=item, upload=hashed_upload(pdf_bytes(f"{title} v1"), f"{ref}.pdf"), actor=officer
        )
    audit_path = reverse("audits:audit-detail", args=[scoped.slug, audit.pk])
    heading = page.locator("main h1 .tag")

    # 1. The officer schedules the documentary audit and invites the auditor.
    log_in(page, officer)
    page.goto(audit_path)
    expect(heading).to_have_text(status_label(AuditStatus.DRAFT))
    page.fill("#id_stage1-schedule-start", stage1_start.isoformat())
    page.fill("#id_stage1-schedule-end", stage1_end.isoformat())
    submit(page, action_form(page, "stage1-schedule").locator("button[type=submit]"))
    expect_success(page, "Documentary audit scheduled.")
    expect(heading).to_have_text(status_label(AuditStatus.STAGE1_PLANNED))

    now = timezone.localtime()
    invite = page.locator("#auditors form[action$='/auditors/invite/']")
    invite.locator("#id_email").fill(AUDITOR_EMAIL)
    invite.locator("#id_valid_from").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    invite.locator("#id_valid_until").fill((now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    submit(page, invite.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_contain_text(AUDITOR_EMAIL)
    expect(page.locator("#auditors table")).to_contain_text(AUDITOR_EMAIL)
    assert [message.to for message in mail.outbox] == [[AUDITOR_EMAIL]]
    link = re.search(r"https?://\S+/auditor-invitations/[\w-]+/", str(mail.outbox[0].body))
    assert link is not None, mail.outbox[0].body
    assert link.group(0).startswith(live_server.url)

    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        auditor = context.new_page()

        # 2. The auditor accepts, enrols a second factor and reaches the audit's review page.
        auditor.goto(link.group(0))
        expect(auditor.locator("main h1")).to_contain_text(scoped.name)
        auditor.fill("#id_full_name", "Claire Auditrice")
        auditor.fill("#id_password1", AUDITOR_PASSWORD)
        auditor.fill("#id_password2", AUDITOR_PASSWORD)
        submit(auditor, main_submit(auditor))
        expect(auditor).to_have_url(re.compile(r"/mfa/enrol/$"))
        # The welcome shows once: here, and on no page after.
        welcome = in_french("Welcome! Now set up your second factor to reach the audit.")
        expect(auditor.locator(".messages li")).to_have_count(1)
        expect(auditor.locator(".messages")).to_contain_text(welcome)
        key = b32decode(auditor.locator("#totp-secret").inner_text().strip())
        device = TOTPDevice.objects.get(user__email=AUDITOR_EMAIL, confirmed=False)
        auditor.fill("#id_code", totp_code(device, key))
        submit(auditor, main_submit(auditor))
        expect(auditor).to_have_url(re.compile(r"/mfa/backup-codes/$"))
        # "I have kept them, continue": the auditor's home is their one open audit.
        submit(auditor, auditor.locator("main a.button"))
        expect(auditor).to_have_url(re.compile(rf"/auditor/audits/{audit.pk}/$"))
        expect(auditor.locator("body")).not_to_contain_text(welcome)
        auditor.goto(reverse("audits:auditor-home"))
        row = auditor.locator(f"#auditor-accesses tr[data-audit='{audit.pk}']")
        expect(row).to_contain_text(scoped.name)
        submit(auditor, row.locator("a"))
        expect(auditor).to_have_url(re.compile(rf"/auditor/audits/{audit.pk}/$"))
        submit(auditor, auditor.locator(f"main a[href$='/auditor/audits/{audit.pk}/review/']"))
        expect(auditor).to_have_url(re.compile(rf"/auditor/audits/{audit.pk}/review/$"))

        # 3. Three reviews: accepted, needs revision, rejected.
        reviews = {
            "EXI 02": (ReviewDecision.ACCEPTED, ""),
            "EXI 05": (ReviewDecision.NEEDS_REVISION, "Ajouter la durée de conservation."),
            "EXI 10": (ReviewDecision.REJECTED, "Plan non testé depuis 2022."),
        }
        for ref, (decision, comment) in reviews.items():
            line = auditor.locator(
                f"#review-requirements tr[data-requirement='{requirements[ref].pk}']"
            )
            form = line.locator(f"div[data-version='{versions[ref].pk}'] form")
            form.locator("select[name=evidence-review-decision]").select_option(decision)
            form.locator("textarea[name=evidence-review-comment]").fill(comment)
            submit(auditor, form.locator("button[type=submit]"))
            expect_success(auditor, "Review recorded.")
            expect(line.locator("div[data-review]")).to_contain_text(
                in_french(str(ReviewDecision(decision).label))
            )

        # 4. The officer completes stage 1 and schedules stage 2 (through the forms).
        page.goto(audit_path)
        page.fill("#id_stage1-complete-outcome", "Documentation conforme, une révision demandée.")
        submit(page, action_form(page, "stage1-complete").locator("button[type=submit]"))
        expect_success(page, "Documentary audit completed.")
        page.fill("#id_stage2-schedule-start", stage2_start.isoformat())
        page.fill("#id_stage2-schedule-end", stage2_end.isoformat())
        page.fill("#id_stage2-schedule-sites", "Siège, Paris")
        submit(page, action_form(page, "stage2-schedule").locator("button[type=submit]"))
        expect_success(page, "On-site audit scheduled.")
        expect(heading).to_have_text(status_label(AuditStatus.STAGE2_PLANNED))

        # 5. At the end of stage 2, the auditor raises a minor non-conformity.
        auditor.reload()
        raise_form = auditor.locator("#finding-raise")
        raise_form.locator("select[name=finding-raise-kind]").select_option(FindingKind.MINOR)
        raise_form.locator("select[name=finding-raise-requirement]").select_option(
            str(requirements["EXI 05"].pk)
        )
        pick_evidence(auditor, "id_finding-raise-evidence", "journalisation", versions["EXI 05"].pk)
        raise_form.locator("textarea[name=finding-raise-description]").fill(
            "La durée de conservation des traces n'est pas définie."
        )
        submit(auditor, raise_form.locator("button[type=submit]"))
        expect_success(auditor, "Finding recorded.")
        finding = Finding.objects.get(audit=audit)
        assert (finding.kind, finding.status) == (FindingKind.MINOR, FindingStatus.OPEN)
        expect(
            auditor.locator(f"#review-findings tr[data-finding='{finding.pk}']")
        ).to_contain_text("EXI 05")

        # 6. The officer completes stage 2: the correction window opens.
        page.reload()
        # The last day of the on-site audit defaults to the planned end.
        expect(page.locator("#id_stage2-complete-ended_on")).to_have_value(stage2_end.isoformat())
        page.fill("#id_stage2-complete-outcome", "Une non-conformité mineure.")
        submit(page, action_form(page, "stage2-complete").locator("button[type=submit]"))
        expect_success(page, "On-site audit completed.")
        expect(heading).to_have_text(status_label(AuditStatus.CORRECTIONS))
        deadline = deadlines.correction_deadline(onsite_audit_end=stage2_end)
        expect(page.locator(".evidence-facts [data-countdown]")).to_contain_text(
            short_date(deadline)
        )
        expect(page.locator(f"#finding-{finding.pk} [data-countdown]")).to_contain_text(
            short_date(deadline)
        )

        # 7. A second version of the evidence, then the correction that points at it.
        item = EvidenceItem.objects.get(pk=versions["EXI 05"].item_id)
        page.goto(reverse("evidence:item-detail", args=[scoped.slug, item.pk]))
        item_zone = page.locator("main form[data-dropzone]")
        item_zone.locator("input[name=comment]").fill("Durée de conservation : 1 an")
        with page.expect_navigation():
            item_zone.locator("input[type=file]").set_input_files(
                {
                    "name": "EXI 05.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf_bytes("Politique de journalisation v2"),
                }
            )
        expect(page.locator("#versions tbody tr[data-version]")).to_have_count(2)
        second = EvidenceVersion.objects.get(item=item, number=2)

        page.goto(audit_path)
        row = page.locator(f"#finding-{finding.pk}")
        row.locator("details summary").click()
        prefix = f"#id_correction-submit-{finding.pk}-"
        row.locator(f"{prefix}correction").fill("Durée de conservation fixée à un an.")
        row.locator(f"{prefix}root_cause").fill("Politique rédigée sans revue juridique.")
        row.locator(f"{prefix}action_plan").fill("Revue juridique annuelle de la politique.")
        pick_evidence(
            page, f"id_correction-submit-{finding.pk}-evidence", "journalisation", second.pk
        )
        submit(page, row.locator("form button[type=submit]"))
        expect_success(page, "Correction submitted.")
        expect(row).to_contain_text(f"{EVIDENCE['EXI 05']} — v2")

        # 8. The auditor verifies the correction.
        auditor.reload()
        finding_row = auditor.locator(f"#review-findings tr[data-finding='{finding.pk}']")
        verify = f"correction-verify-{finding.pk}"
        finding_row.locator(f"select[name={verify}-accepted]").select_option("yes")
        finding_row.locator(f"textarea[name={verify}-comment]").fill("Correction vérifiée.")
        submit(auditor, finding_row.locator("button[type=submit]"))
        expect_success(auditor, "Verification recorded.")
        finding.refresh_from_db()
        assert finding.status == FindingStatus.VERIFIED
    finally:
        context.close()

    # 9. The officer records the decision and sees the first surveillance audit's date.
    page.goto(audit_path)
    expect(heading).to_have_text(status_label(AuditStatus.CORRECTIONS_VERIFIED))
    decision_form = action_form(page, "decision-record")
    decision_form.locator("#id_decision-record-outcome").select_option("granted")
    # Every activity of the cycle is ticked by default.
    for number in cycle.activities:
        expect(decision_form.locator(f"input[value='{number}']")).to_be_checked()
    decision_form.locator("#id_decision-record-number_managed").fill("HDS-2026-0042")
    decision_form.locator("#id_decision-record-decided_on").fill(today.isoformat())
    submit(page, decision_form.locator("button[type=submit]"))
    expect_success(page, "Certification decision recorded.")
    expect(heading).to_have_text(status_label(AuditStatus.DECIDED))
    surveillance = deadlines.first_surveillance_due(decision_date=today)
    entry = page.locator(f"time[datetime='{surveillance.isoformat()}']")
    expect(page.locator(".timeline").locator(entry)).to_have_text(short_date(surveillance))
    with translation.override("fr"):
        due = translation.gettext("%(kind)s due") % {"kind": AuditKind.SURVEILLANCE.label}
    expect(page.locator(".timeline li", has=entry)).to_contain_text(due)


def test_correction_window_lapses(page: Page, scoped: Organisation, officer: User) -> None:
    cycle = cycle_create(
        organisation=scoped,
        certification_body="AFNOR Certification",
        accreditation="COFRAC 5-0012",
        actor=officer,
    )
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(
        audit=audit, start=date(2030, 12, 1), end=date(2030, 12, 2), actor=officer
    )
    # A stage is completed once it has started: these services act on the audit's own days.
    audit_complete_stage1(
        audit=audit, outcome="", actor=officer, now=deadlines.end_of_day(day=date(2030, 12, 2))
    )
    audit_schedule_stage2(
        audit=audit, start=STAGE2_END - timedelta(days=2), end=STAGE2_END, sites="", actor=officer
    )
    finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=hds_requirement("EXI 05"),
        description="Revue des traces non formalisée.",
        actor=officer,
    )
    audit = audit_complete_stage2(
        audit=audit, outcome="", actor=officer, now=deadlines.end_of_day(day=STAGE2_END)
    )
    deadline = deadlines.correction_deadline(onsite_audit_end=STAGE2_END)
    assert (audit.status, audit.correction_deadline) == (AuditStatus.CORRECTIONS, deadline)
    assert deadline == date(2031, 4, 30)
    end = deadlines.end_of_day(day=deadline)

    # The last minutes of the deadline's day in Paris: the window is still open.
    with time_machine.travel(end - timedelta(minutes=5), tick=True):
        assert correction_windows_sweep.delay().get() == []
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CORRECTIONS

    # Just after the end of that day in Paris: the sweep moves the audit.
    with time_machine.travel(end + timedelta(minutes=5), tick=True):
        assert correction_windows_sweep.delay().get() == [audit.pk]
        log_in(page, officer)
        page.goto(reverse("audits:audit-detail", args=[scoped.slug, audit.pk]))
        expect(page.locator("main h1 .tag")).to_have_text(status_label(AuditStatus.ONSITE_REDO))
        expect(page.locator("[data-countdown]").first).to_contain_text(
            deadline.strftime("%d/%m/%Y")
        )
    audit.refresh_from_db()
    assert audit.status == AuditStatus.ONSITE_REDO
