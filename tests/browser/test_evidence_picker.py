"""The evidence picker in a browser, in French: with JavaScript, a correction and a finding cite
a version found by searching (the results come from the search endpoint, scoped to what the
person may cite); without it, the same forms take the version's number, and a number from
elsewhere is a form error. Screenshots of both pages go to test-artifacts/browser/picker/ (and
to SHOTS_DIR when set)."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from audits.models import AuditStatus, Finding, FindingStatus
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from hdsready.models import Role
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.audits.workflow_helpers import Cast, audit_in, evidence_for
from tests.browser.helpers import in_french, log_in, pick_evidence, submit
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = [Path(__file__).resolve().parents[2] / "test-artifacts" / "browser" / "picker"]
if os.environ.get("SHOTS_DIR"):
    SHOTS.append(Path(os.environ["SHOTS_DIR"]))


def shot(page: Page, name: str) -> None:
    for directory in SHOTS:
        directory.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


@pytest.fixture
def people(db: None) -> Cast:
    # The built-in catalogs do not survive the flush of a transactional test: load them again.
    call_command("catalog_sync", stdout=StringIO())
    organisation = OrganisationFactory(name="Clinicloud", slug="clinicloud")
    officer = make_member(organisation, Role.OFFICER, email="rssi@clinicloud.test")
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        actor=officer,
    )
    cast = Cast(
        organisation=organisation,
        officer=officer,
        contributor=make_member(organisation, Role.CONTRIBUTOR, email="dev@clinicloud.test"),
        auditor=UserFactory(email="auditrice@organisme.test"),
        version=evidence_for(organisation, officer),
    )
    for title in ("Journal des accès", "Plan de sauvegarde", "Registre des incidents"):
        item = make_item(organisation, officer, title=title)
        evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)
    other = OrganisationFactory(name="Ailleurs", slug="ailleurs")
    stranger = make_member(other, Role.OFFICER)
    evidence_version_add(
        item=make_item(other, stranger, title="Risk assessment d'ailleurs"),
        upload=hashed_upload(PDF),
        actor=stranger,
    )
    return cast


def _open_correction(page: Page, finding: Finding) -> None:
    row = page.locator(f"#finding-{finding.pk}")
    row.locator("details[data-action=correction-submit] summary").click()
    prefix = f"#id_correction-submit-{finding.pk}-"
    row.locator(f"{prefix}correction").fill("Registre des sensibilisations tenu.")
    row.locator(f"{prefix}root_cause").fill("Aucun registre.")
    row.locator(f"{prefix}action_plan").fill("Contrôle mensuel du registre.")


def test_a_correction_cites_evidence_found_by_searching(page: Page, people: Cast) -> None:
    audit = audit_in(AuditStatus.CORRECTIONS, people)
    finding = Finding.objects.filter(audit=audit, status=FindingStatus.OPEN).order_by("pk")[0]
    log_in(page, people.contributor)
    page.goto(reverse("audits:audit-detail", args=[people.organisation.slug, audit.pk]))
    # One picker for the page; its plain search form is hidden once the script runs.
    expect(page.locator("#evidence-picker")).to_be_hidden()
    _open_correction(page, finding)
    field = f"id_correction-submit-{finding.pk}-evidence"
    box = page.locator(f"#{field}-search")
    expect(box).to_have_attribute("placeholder", in_french("Search by title or file name"))
    # Another organisation's evidence is not offered, whatever its title.
    box.fill("ailleurs")
    expect(page.locator("#evidence-picker-results")).to_contain_text(
        in_french("No evidence version matches.")
    )
    box.fill("Risk")
    results = page.locator("#evidence-picker-results button")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Risk assessment — v1")
    shot(page, "officer-audit-picker")
    pick_evidence(page, field, "Risk assessment", people.version.pk)
    expect(box).to_have_value(f"#{people.version.pk} Risk assessment — v1")
    submit(page, page.locator(f"#finding-{finding.pk} form button[type=submit]"))
    expect(page.locator("main .messages .success")).to_contain_text(
        in_french("Correction submitted.")
    )
    finding.refresh_from_db()
    assert finding.correction_evidence == people.version
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("Risk assessment — v1")


def test_the_auditor_raises_a_finding_citing_evidence_found_by_searching(
    page: Page, people: Cast
) -> None:
    audit = audit_in(AuditStatus.STAGE2_PLANNED, people)
    log_in(page, people.auditor)
    page.goto(reverse("audits:auditor-review", args=[audit.pk]))
    raise_form = page.locator("#finding-raise")
    raise_form.locator("select[name=finding-raise-kind]").select_option("minor")
    raise_form.locator("select[name=finding-raise-requirement]").select_option(
        str(people.version.item.requirements.get().pk)
    )
    raise_form.locator("textarea[name=finding-raise-description]").fill(
        "L’appréciation des risques n’est pas revue."
    )
    # The auditor sees only what the audit shows: the internal journal is linked to nothing.
    page.locator("#id_finding-raise-evidence-search").fill("Journal")
    expect(page.locator("#evidence-picker-results")).to_contain_text(
        in_french("No evidence version matches.")
    )
    page.locator("#id_finding-raise-evidence-search").fill("Risk")
    expect(page.locator("#evidence-picker-results button")).to_have_count(1)
    shot(page, "auditor-review-picker")
    pick_evidence(page, "id_finding-raise-evidence", "Risk assessment", people.version.pk)
    submit(page, raise_form.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_contain_text(in_french("Finding recorded."))
    assert Finding.objects.get(audit=audit).evidence == people.version


def test_without_javascript_the_field_takes_a_version_s_number(
    browser: Browser, live_server: LiveServer, people: Cast
) -> None:
    audit = audit_in(AuditStatus.CORRECTIONS, people)
    finding = Finding.objects.filter(audit=audit, status=FindingStatus.OPEN).order_by("pk")[0]
    foreign = EvidenceVersion.objects.get(item__organisation__slug="ailleurs")
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, people.contributor)
        page.goto(reverse("audits:audit-detail", args=[people.organisation.slug, audit.pk]))
        expect(page.locator("#evidence-picker form[role=search]")).to_be_visible()
        _open_correction(page, finding)
        field = page.locator(f"#id_correction-submit-{finding.pk}-evidence")
        # A number from another organisation: a form error beside the field, nothing recorded.
        field.fill(str(foreign.pk))
        submit(page, page.locator(f"#finding-{finding.pk} form button[type=submit]"))
        expect(page.locator(f"#finding-{finding.pk} .errorlist")).to_contain_text(
            in_french("No evidence version you may cite has this number.")
        )
        page.locator(f"#id_correction-submit-{finding.pk}-evidence").fill(f"#{people.version.pk}")
        submit(page, page.locator(f"#finding-{finding.pk} form button[type=submit]"))
        expect(page.locator("main .messages .success")).to_contain_text(
            in_french("Correction submitted.")
        )
        finding.refresh_from_db()
        assert finding.correction_evidence == people.version
    finally:
        context.close()
