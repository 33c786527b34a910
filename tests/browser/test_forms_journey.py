"""Browser journey of the forms in French (issue 12, items 1, 6, 7 and 8), on the demo: dates kept
on save (evidence review date, requirement target date, certificate dates), an invalid auditor
invitation shown again with its input and the error beside its field, the first "Imprimer" of the
dossier form works with its defaults, and the auditor's review form chooses no decision.

Screenshots go to test-artifacts/browser/forms/ (looked at when the journey changes)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audits.models import AuditStatus
from dossiers.models import Dossier, DossierKind
from evidence.models import EvidenceItem
from hdsready.models import User
from scopes.models import Certificate, ReadinessEntry
from tests.audits.workflow_helpers import Cast, audit_in, evidence_for
from tests.browser.helpers import in_french, log_in, submit
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.factories import PASSWORD
from tests.test_crawl import demo  # noqa: F401  (the demo, four personas)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser" / "forms"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def people(demo: dict[str, User]) -> dict[str, User]:  # noqa: F811
    for user in demo.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return demo


def save(page: Page, form_selector: str) -> None:
    submit(page, page.locator(f"{form_selector} button[type=submit]").first)


def test_dates_are_kept_on_save_in_french(page: Page, people: dict[str, User]) -> None:
    log_in(page, people["officer"])

    # Evidence details: a new review date, the effective date left as it was.
    item = EvidenceItem.objects.filter(organisation__slug="demo").order_by("pk").first()
    assert item is not None
    item.effective_on = date(2026, 3, 1)
    item.save(update_fields=["effective_on"])
    page.goto(f"/o/demo/evidence/{item.pk}/")
    page.locator("details.edit-item summary").click()
    expect(page.locator("#id_effective_on")).to_have_value("2026-03-01")
    page.fill("#id_review_due_on", "2027-09-15")
    shot(page, "1-evidence-before-save")
    save(page, "#item-edit")
    item.refresh_from_db()
    assert (item.effective_on, item.review_due_on) == (date(2026, 3, 1), date(2027, 9, 15))
    page.locator("details.edit-item summary").click()
    expect(page.locator("#id_review_due_on")).to_have_value("2027-09-15")
    shot(page, "1-evidence-after-save")

    # Requirement readiness: the target date survives a save that does not touch it.
    entry = ReadinessEntry.objects.filter(organisation__slug="demo").order_by("pk").first()
    assert entry is not None
    entry.target_date = date(2027, 1, 10)
    entry.notes = ""
    entry.save(update_fields=["target_date", "notes"])
    page.goto(f"/o/demo/requirements/{entry.requirement_id}/readiness/")
    expect(page.locator("#id_target_date")).to_have_value("2027-01-10")
    page.fill("#id_notes", "Revu en comité")
    save(page, "form:has(#id_target_date)")
    entry.refresh_from_db()
    assert (entry.target_date, entry.notes) == (date(2027, 1, 10), "Revu en comité")

    # Certificate: both dates shown, saved without retyping them.
    certificate = Certificate.objects.filter(organisation__slug="demo").order_by("pk").first()
    assert certificate is not None
    issued, expires = certificate.issued_on, certificate.expires_on
    page.goto(f"/o/demo/certificates/{certificate.pk}/edit/")
    expect(page.locator("#id_issued_on")).to_have_value(issued.isoformat())
    expect(page.locator("#id_expires_on")).to_have_value(expires.isoformat())
    shot(page, "2-certificate-dates-in-french")
    page.fill("#id_scope_statement", "Hébergement et infogérance")
    save(page, "form:has(#id_issued_on)")
    certificate.refresh_from_db()
    assert (certificate.issued_on, certificate.expires_on) == (issued, expires)
    assert certificate.scope_statement == "Hébergement et infogérance"


def test_an_invalid_invitation_keeps_its_input_and_says_why_beside_the_field(
    page: Page, people: dict[str, User]
) -> None:
    cast = Cast(
        organisation=people["officer"].memberships.get().organisation,
        officer=people["officer"],
        contributor=people["contributor"],
        auditor=people["auditor"],
        version=evidence_for(people["officer"].memberships.get().organisation, people["officer"]),
    )
    audit = audit_in(AuditStatus.STAGE1_PLANNED, cast)
    log_in(page, people["officer"])
    page.goto(f"/o/demo/audits/{audit.pk}/")
    form = page.locator("#auditor-invite")
    form.locator("[name=email]").fill("lea.martin@organisme.test")
    form.locator("[name=valid_from]").fill("2030-06-10T09:00")
    form.locator("[name=valid_until]").fill("2030-06-01T09:00")
    submit(page, form.locator("button[type=submit]"))
    form = page.locator("#auditor-invite")
    expect(form.locator("[name=email]")).to_have_value("lea.martin@organisme.test")
    expect(form.locator("[name=valid_from]")).to_have_value("2030-06-10T09:00")
    # The error sits in the end field's own group, not in a banner at the top of the page.
    group = form.locator("div:has(> [name=valid_until])")
    expect(group.locator(".errorlist")).to_contain_text(
        in_french("The access window must end after it starts.")
    )
    expect(page.locator(".messages .error, li.error")).to_have_count(0)
    form.scroll_into_view_if_needed()
    shot(page, "3-invitation-error-beside-the-field")


def test_the_first_print_works_and_no_decision_is_chosen(
    page: Page, people: dict[str, User]
) -> None:
    log_in(page, people["officer"])
    page.goto("/o/demo/dossiers/")
    form = page.locator("#dossier-request")
    expect(form.locator("select[name=kind]")).to_have_value(DossierKind.SOA.value)
    shot(page, "4-dossier-form-defaults")
    submit(page, form.locator("button[type=submit]"))
    dossier = Dossier.objects.get(organisation__slug="demo")
    expect(page).to_have_url(re.compile(rf"/o/demo/dossiers/{dossier.pk}/$"))
    assert dossier.kind == DossierKind.SOA

    # The bulk readiness change picks no status for the person.
    page.goto("/o/demo/readiness/hds/")
    expect(page.locator("#bulk_status")).to_have_value("")

    # The auditor's review form: no decision chosen.
    organisation = people["officer"].memberships.get().organisation
    cast = Cast(
        organisation=organisation,
        officer=people["officer"],
        contributor=people["contributor"],
        auditor=people["auditor"],
        version=evidence_for(organisation, people["contributor"]),
    )
    audit = audit_in(AuditStatus.STAGE1_PLANNED, cast)
    page.context.clear_cookies()
    log_in(page, people["auditor"])
    page.goto(f"/auditor/audits/{audit.pk}/review/")
    decisions = page.locator("form[data-action=evidence-review] select[name$=decision]")
    expect(decisions.first).to_have_value("")
    assert decisions.count() >= 1
    shot(page, "5-review-form-nothing-chosen")
