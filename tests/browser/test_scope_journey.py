"""Browser journey of issue 3: an officer declares the scope, relies on a subcontractor's HDS
certificate, checks the hosting chain today and after the certificate ends, fills three SoA
lines and marks two HDS requirements compliant."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from hdsready.models import Organisation, User
from scopes.activities import CertificateType
from scopes.models import ActivityMode, ImplementationStatus, ReadinessStatus, Subcontractor
from scopes.selectors import HDS_CODE, annex_a_controls, builtin_framework, readiness_rows
from tests.browser.helpers import in_french, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBCONTRACTOR = "DataCenter Paris"
CERTIFICATE_NUMBER = "HDS-DCP-2024-017"
DAYS_LEFT = 60
PICKED = ("EXI 02", "EXI 03")


@pytest.fixture
def catalogs(db: None) -> None:
    """The built-in catalogs: their data migration's rows do not survive the flush that ends
    every transactional test, so load them again (the loader is idempotent)."""
    call_command("catalog_sync", stdout=StringIO())


def in_french_plural(singular: str, plural: str, count: int) -> str:
    with translation.override("fr"):
        return translation.ngettext(singular, plural, count)


def open_from_subnav(page: Page, path: str) -> None:
    """Follow the certification sub-navigation, as an officer would."""
    submit(page, page.locator(f"nav.subnav a[href='{path}']"))
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def choose(form: Locator, name: str, value: str) -> None:
    """Pick a choice by value, whether the field is drawn as radio buttons or as a select."""
    field = form.locator(
        f"select[name={name}], input[type=radio][name={name}][value='{value}']"
    ).first
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.check()


def save_scope(page: Page, modes: dict[int, tuple[str, str]]) -> None:
    """Set each activity's mode (and subcontractor) on the Scope page, then save it."""
    scope_form = page.locator("main form:has(#activity-1)")
    for number, (mode, subcontractor) in modes.items():
        row = scope_form.locator(f"#activity-{number}")
        row.locator(f"select[name=mode_{number}]").select_option(mode)
        row.locator(f"select[name=subcontractor_{number}]").select_option(subcontractor)
    submit(page, scope_form.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Scope saved."))


def test_officer_scopes_relies_on_a_subcontractor_and_tracks_readiness(
    page: Page, organisation: Organisation, officer: User, catalogs: None
) -> None:
    base = f"/o/{organisation.slug}/"
    today = timezone.localdate()
    types = page.locator("#certificate-types .tag")
    log_in(page, officer)

    # 1. Activities 3-6 in-house: only the managed-services host certificate is needed.
    page.goto(f"{base}scope/")
    save_scope(page, {n: (ActivityMode.IN_HOUSE, "") for n in (3, 4, 5, 6)})
    expect(page).to_have_url(re.compile(re.escape(f"{base}scope/") + "$"))
    expect(types).to_have_text([CertificateType.MANAGED.label_fr])
    for number in (3, 4, 5, 6):
        expect(page.locator(f"select[name=mode_{number}]")).to_have_value(ActivityMode.IN_HOUSE)
    expect(page.locator("select[name=mode_1]")).to_have_value("")

    # 2. The subcontractor and its HDS certificate for activities 1 and 2, 60 days left.
    open_from_subnav(page, f"{base}subcontractors/")
    page.locator("main form #id_name").fill(SUBCONTRACTOR)
    submit(page, page.locator("main form button[type=submit]"))
    subcontractor = Subcontractor.objects.get(organisation=organisation, name=SUBCONTRACTOR)
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}subcontractors/{subcontractor.pk}/$"))
    expect(page.locator("main h1")).to_have_text(SUBCONTRACTOR)

    submit(
        page, page.locator(f"main a[href$='/certificates/new/?subcontractor={subcontractor.pk}']")
    )
    expect(page).to_have_url(
        re.compile(rf"{re.escape(base)}certificates/new/\?subcontractor={subcontractor.pk}$")
    )
    certificate_form = page.locator("main form")
    expect(certificate_form.locator("#id_kind")).to_have_value("hds")
    certificate_form.locator("#id_number").fill(CERTIFICATE_NUMBER)
    certificate_form.locator("#id_certification_body").fill("AFNOR Certification")
    certificate_form.locator("#id_accreditation").fill("COFRAC 5-0012")
    for number in (1, 2):
        certificate_form.locator(f"input[name=activities][value='{number}']").check()
    certificate_form.locator("#id_issued_on").fill((today - timedelta(days=365)).isoformat())
    expires_on = today + timedelta(days=DAYS_LEFT)
    certificate_form.locator("#id_expires_on").fill(expires_on.isoformat())
    submit(page, certificate_form.locator("button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}subcontractors/{subcontractor.pk}/$"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Certificate recorded."))
    certificate_row = page.locator("main table tbody tr", has_text=CERTIFICATE_NUMBER)
    expect(certificate_row).to_contain_text("1, 2")
    certificate = subcontractor.certificates.get()
    assert (certificate.activities, certificate.expires_on) == ([1, 2], expires_on)

    # 3. Activities 1 and 2 relied on DataCenter Paris: both certificate types now.
    open_from_subnav(page, f"{base}scope/")
    by_subcontractor = (ActivityMode.SUBCONTRACTED, str(subcontractor.pk))
    save_scope(page, {1: by_subcontractor, 2: by_subcontractor})
    expect(types).to_have_text(
        [CertificateType.PHYSICAL.label_fr, CertificateType.MANAGED.label_fr]
    )
    for number in (1, 2):
        expect(page.locator(f"select[name=subcontractor_{number}]")).to_have_value(
            str(subcontractor.pk)
        )

    # 4. The hosting chain today: complete, the subcontractor's certificate ends in 60 days.
    open_from_subnav(page, f"{base}chain/")
    status = page.locator("#chain-status")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    expiring = in_french_plural(
        "Covered, certificate expires in %(days)s day",
        "Covered, certificate expires in %(days)s days",
        DAYS_LEFT,
    ) % {"days": DAYS_LEFT}
    for number in (1, 2):
        row = page.locator(f"#chain tr[data-activity='{number}']")
        expect(row).to_have_attribute("data-cover", "expiring")
        expect(row).to_contain_text(SUBCONTRACTOR)
        expect(row).to_contain_text(CERTIFICATE_NUMBER)
        expect(row.locator(".warn")).to_have_text(expiring)
    for number in (3, 4, 5, 6):
        row = page.locator(f"#chain tr[data-activity='{number}']")
        expect(row).to_have_attribute("data-cover", "in_house_pending")

    # 5. The chain on a day after the certificate ends: activities 1 and 2 are gaps.
    later = today + timedelta(days=DAYS_LEFT + 30)
    date_form = page.locator("main form:has(#on)")
    date_form.locator("#on").fill(later.isoformat())
    submit(page, date_form.locator("button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"\?on={later.isoformat()}$"))
    expect(page.locator("#on")).to_have_value(later.isoformat())
    expect(status).to_have_class(re.compile(r"\bbad\b"))
    expect(status).not_to_have_class(re.compile(r"\bok\b"))
    for number in (1, 2):
        row = page.locator(f"#chain tr[data-activity='{number}']")
        expect(row).to_have_attribute("data-cover", "gap")
        expect(row.locator(".bad")).to_have_text(
            in_french("Gap: no valid certificate covers this activity")
        )
    for number in (3, 4, 5, 6):
        row = page.locator(f"#chain tr[data-activity='{number}']")
        expect(row).to_have_attribute("data-cover", "in_house_pending")

    # 6. Three lines of the Statement of Applicability.
    open_from_subnav(page, f"{base}soa/")
    soa_lines = {
        "A.5.1": ("yes", ImplementationStatus.IMPLEMENTED, ""),
        "A.7.1": (
            "no",
            ImplementationStatus.NOT_STARTED,
            "Aucun local : l'infrastructure physique est chez DataCenter Paris.",
        ),
        "A.8.1": ("yes", ImplementationStatus.PARTIAL, ""),
    }
    for ref, (applicable, implementation, justification) in soa_lines.items():
        submit(page, page.locator(f"#soa tr[data-ref='{ref}'] a[href*='/soa/']"))
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}soa/\d+/$"))
        expect(page.locator("main h1")).to_contain_text(ref)
        soa_form = page.locator("#soa-form")
        choose(soa_form, "applicable", applicable)
        soa_form.locator("select[name=implementation]").select_option(implementation)
        soa_form.locator("textarea[name=justification]").fill(justification)
        submit(page, soa_form.locator("button[type=submit]"))
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}soa/$"))
        expect(page.locator("main .messages .success")).to_have_text(in_french("SoA line saved."))
    for ref, (applicable, implementation, justification) in soa_lines.items():
        row = page.locator(f"#soa tr[data-ref='{ref}']")
        expect(row.locator(f"td.impl-{implementation}")).to_have_text(
            in_french(str(ImplementationStatus(implementation).label))
        )
        expect(row.locator("td").nth(1)).to_have_text(
            in_french("Yes" if applicable == "yes" else "No")
        )
        if justification:
            expect(row.locator("td").nth(2)).to_have_text(justification)
    expect(page.locator("#soa tr[data-ref='A.7.1']")).to_have_class(re.compile(r"\bmuted\b"))
    total = annex_a_controls().count()
    expect(page.locator("#soa tbody tr")).to_have_count(total)
    summary = page.locator("#soa-summary")
    expect(summary.locator("[data-count=applicable]")).to_have_text(str(total - 1))
    expect(summary.locator("[data-count=not-applicable]")).to_have_text("1")
    expect(summary.locator("[data-count=implemented]")).to_have_text("1")

    # 7. HDS readiness: two requirements marked compliant in one go raise the overall score.
    rows = readiness_rows(organisation=organisation, framework=builtin_framework(code=HDS_CODE))
    applying = [requirement.ref_id for requirement, _entry, applies in rows if applies]
    assert set(PICKED) <= set(applying)
    expected = round(100 * len(PICKED) / len(applying))
    assert expected > 0

    open_from_subnav(page, f"{base}readiness/{HDS_CODE}/")
    overall = page.locator("#readiness-chart g[data-percent]").first
    expect(overall).to_have_attribute("data-percent", "0")
    bulk = page.locator("#bulk-form")
    for ref in PICKED:
        bulk.locator(f"#readiness tr[data-ref='{ref}'] input[name=requirements]").check()
    bulk.locator("select[name=status]").select_option(ReadinessStatus.COMPLIANT)
    submit(page, bulk.locator("button[type=submit]"))
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}readiness/{HDS_CODE}/$"))
    expect(page.locator("main .messages .success")).to_have_text(
        in_french_plural(
            "%(count)s requirement updated.", "%(count)s requirements updated.", len(PICKED)
        )
        % {"count": len(PICKED)}
    )
    expect(overall).to_have_attribute("data-percent", str(expected))
    for ref in PICKED:
        status_cell = page.locator(f"#readiness tr[data-ref='{ref}'] td[class^='status-']")
        expect(status_cell).to_have_class("status-compliant")
        expect(status_cell).to_have_text(in_french("Compliant"))
    expect(page.locator("#readiness td.status-compliant")).to_have_count(len(PICKED))
    expect(page.locator("#readiness input[name=requirements]:checked")).to_have_count(0)
