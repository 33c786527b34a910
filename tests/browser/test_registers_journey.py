"""Browser journey of issue 14's "done when", in French, all through the pages: an officer makes
a contract template with a missing clause and two contracts from it, records a storage location
outside the EEA and a remote access on an art. 46 basis; the HDS readiness figures of EXI 27, 28
and 29 move accordingly; the officer publishes the guarantees page, reads it logged out, and a
second publication keeps the first one readable as it was. Screenshots go to
test-artifacts/browser/registers/ (or $REGISTERS_SHOTS) for a person to look at."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from contracts.clauses import CLAUSES
from contracts.models import ClauseState, Contract
from contracts.services import ClientData, client_save
from guarantees.models import Publication
from hdsready.models import Organisation, User
from scopes.models import ActivityMode, CertificateKind, Subcontractor
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    scope_set_activities,
    subcontractor_save,
)
from sovereignty.models import RemoteAccess, StorageLocation
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import in_french, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("REGISTERS_SHOTS") or ARTIFACTS / "registers")
DATACENTER = "Datacenter Normandie SAS"


def fr(singular: str, plural: str, number: int, /, **values: object) -> str:
    with translation.override("fr"):
        return translation.ngettext(singular, plural, number) % values


@pytest.fixture
def host(db: None, organisation: Organisation, officer: User) -> Organisation:
    """The built-in catalogs (flushed by transactional tests), activities 1-2 at a certified
    datacenter and 3-6 in-house, and two clients: the registers start empty."""
    call_command("catalog_sync", stdout=StringIO())
    datacenter = subcontractor_save(organisation=organisation, name=DATACENTER, actor=officer)
    today = timezone.localdate()
    certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=CertificateData(
            kind=CertificateKind.HDS,
            number="HDS-2025-0042",
            certification_body="Certif Santé",
            accreditation="COFRAC 5-0000",
            standard_version="HDS v2",
            activities=[1, 2],
            scope_statement="",
            issued_on=today - timedelta(days=300),
            expires_on=today + timedelta(days=800),
        ),
        actor=officer,
    )
    scope_set_activities(
        organisation=organisation,
        choices={
            1: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
            2: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
            **{n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        },
        actor=officer,
    )
    for name in ("Clinique des Lilas", "CH de Montreuil"):
        client_save(organisation=organisation, data=ClientData(name=name), actor=officer)
    return organisation


def figure(page: Page, ref_id: str):
    return page.locator(f"#readiness tr[data-ref='{ref_id}'] .register-figure")


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def save_contract(page: Page, title: str, client: str, start_on: date) -> Contract:
    form = page.locator("#contract-form")
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=client]").select_option(label=client)
    form.locator("input[name=start_on]").fill(start_on.isoformat())
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Contract saved."))
    return Contract.objects.get(title=title)


def fill_register_form(
    page: Page,
    *,
    selects: dict[str, str] | None = None,
    fills: dict[str, str] | None = None,
    checks: tuple[str, ...] = (),
) -> None:
    """Fill the register's one form (selects by value, texts, activity boxes) and save it."""
    form = page.locator("#sovereignty-form")
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    for name, text in (fills or {}).items():
        form.locator(f"[name={name}]").fill(text)
    for activity in checks:
        form.locator(f"input[name=activities][value='{activity}']").check()
    submit(page, page.locator("#sovereignty-form button[type=submit]"))
    expect(page.locator("main .messages .success")).to_be_visible()


def test_officer_records_the_registers_and_publishes_the_guarantees(
    page: Page, browser: Browser, live_server, host: Organisation, officer: User
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"/o/{host.slug}/"
    today = timezone.localdate()
    log_in(page, officer)

    # Before: nothing in the registers.
    page.goto(f"{base}readiness/hds/")
    expect(figure(page, "EXI 28")).to_contain_text(
        in_french("No storage location recorded in the register.")
    )

    # A template whose clauses are all present but EXI 27 (reversibility), which is missing.
    page.goto(f"{base}contracts/")
    submit(page, page.locator("#template-new"))
    form = page.locator("#contract-form")
    form.locator("input[name=title]").fill("Offre infogérance 2026")
    for number in (3, 4, 5, 6):
        form.locator(f"input[name=activities][value='{number}']").check()
    submit(page, form.locator("button[type=submit]"))
    template = Contract.objects.get(title="Offre infogérance 2026")
    assert template.is_template
    for clause in CLAUSES:
        row = page.locator(f"#clauses tr[data-clause='{clause.ref_id}']")
        state = ClauseState.MISSING if clause.ref_id == "EXI 27" else ClauseState.PRESENT
        row.locator(f"select[name='{clause.code}-state']").select_option(state.value)
        if state == ClauseState.PRESENT:
            row.locator(f"input[name='{clause.code}-reference']").fill(f"art. {clause.ref_id[4:]}")
    submit(page, page.locator("#clauses-form button[type=submit]"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Clauses saved."))
    shoot(page, "template-fr")

    # Two contracts derived from it, both in force: each inherits the missing clause.
    contracts = []
    for title, client in (
        ("Hébergement du DPI", "Clinique des Lilas"),
        ("PACS", "CH de Montreuil"),
    ):
        page.goto(f"{base}contracts/{template.pk}/")
        submit(page, page.locator("#derive"))
        expect(page.locator("#contract-form select[name=template]")).to_have_value(str(template.pk))
        contracts.append(save_contract(page, title, client, today - timedelta(days=10)))
        expect(page.locator("#clauses tr[data-clause='EXI 27'] .inherited")).to_be_visible()
    assert all(c.template_id == template.pk for c in contracts)
    shoot(page, "contract-fr")

    # A storage location outside the EEA (a backup copy in the United States) and a remote
    # access from Morocco (no adequacy decision) on standard contractual clauses (art. 46).
    page.goto(f"{base}sovereignty/")
    submit(page, page.locator("a[href$='/sovereignty/storage/new/']"))
    datacenter = Subcontractor.objects.get(organisation=host, name=DATACENTER)
    fill_register_form(
        page,
        selects={"country": "FR", "provider": str(datacenter.pk)},
        fills={"site": "Val-de-Reuil"},
        checks=("1",),
    )
    page.goto(f"{base}sovereignty/storage/new/")
    fill_register_form(
        page,
        selects={"country": "US"},
        fills={"site": "Ashburn (copie de sauvegarde)"},
        checks=("5",),
    )
    page.goto(f"{base}sovereignty/access/new/")
    fill_register_form(
        page,
        selects={"country": "MA", "legal_basis": RemoteAccess.Basis.SAFEGUARDS.value},
        fills={
            "safeguard_reference": "Clauses contractuelles types 2021/914, module 3, signées "
            "le 2 mars 2026",
            "actors": "Support de niveau 2 (Casablanca)",
        },
    )
    assert StorageLocation.objects.filter(organisation=host).count() == 2
    expect(page.locator("#storage")).to_contain_text("Ashburn")
    shoot(page, "sovereignty-fr")

    # After: EXI 27 missing in both contracts in force, one location of two outside the EEA,
    # the one access from outside the EEA has its basis.
    page.goto(f"{base}readiness/hds/")
    expect(figure(page, "EXI 27")).to_contain_text(
        fr(
            "Clause present: %(present)s of %(total)s contract in force",
            "Clause present: %(present)s of %(total)s contracts in force",
            2,
            present=0,
            total=2,
        )
    )
    expect(figure(page, "EXI 26")).to_contain_text(
        fr(
            "Clause present: %(present)s of %(total)s contract in force",
            "Clause present: %(present)s of %(total)s contracts in force",
            2,
            present=2,
            total=2,
        )
    )
    expect(figure(page, "EXI 28")).to_contain_text(
        fr(
            "Stored in the EEA: %(inside)s of %(total)s storage location",
            "Stored in the EEA: %(inside)s of %(total)s storage locations",
            2,
            inside=1,
            total=2,
        )
    )
    expect(figure(page, "EXI 28").get_by_role("link")).to_have_text(
        fr("%(count)s location outside the EEA", "%(count)s locations outside the EEA", 1, count=1)
    )
    expect(figure(page, "EXI 29")).to_contain_text(
        fr(
            "Access from outside the EEA with a GDPR basis: %(valid)s of %(total)s country entry",
            "Access from outside the EEA with a GDPR basis: %(valid)s of %(total)s country entries",
            1,
            valid=1,
            total=1,
        )
    )
    figure(page, "EXI 28").scroll_into_view_if_needed()
    shoot(page, "readiness-fr")

    # Publish the guarantees page, then read it logged out.
    page.goto(f"{base}guarantees/")
    expect(page.locator("#never-published")).to_be_visible()
    submit(page, page.locator("#publish-form button[type=submit]"))
    first = Publication.objects.get(organisation=host)
    assert first.number == 1
    public = f"{live_server.url}/garanties/{host.slug}/"
    outsider = browser.new_context(locale="fr-FR")
    try:
        reader = outsider.new_page()
        response = reader.goto(public)
        assert response is not None
        assert response.status == 200
        expect(reader.locator("#actors")).to_contain_text(DATACENTER)
        expect(reader.locator("#actors")).to_contain_text("HDS-2025-0042")
        expect(reader.locator("#storage")).to_contain_text("États-Unis")
        expect(reader.locator("#remote-accesses")).to_contain_text("Maroc")
        expect(reader.locator("#version")).to_contain_text("1")
        shoot(reader, "public-v1-fr")

        # The register changes (the copy moves to Germany) and a second version is published:
        # the latest says so, the first still says what it said.
        page.goto(f"{base}sovereignty/")
        location = StorageLocation.objects.get(organisation=host, country="US")
        page.goto(f"{base}sovereignty/storage/{location.pk}/")
        fill_register_form(page, selects={"country": "DE"})
        page.goto(f"{base}guarantees/")
        expect(page.locator("#public-stale")).to_be_visible()
        submit(page, page.locator("#publish-form button[type=submit]"))
        assert Publication.objects.filter(organisation=host).count() == 2

        reader.goto(public)
        expect(reader.locator("#storage")).to_contain_text("Allemagne")
        expect(reader.locator("#storage")).not_to_contain_text("États-Unis")
        shoot(reader, "public-v2-fr")
        response = reader.goto(f"{public}1/")
        assert response is not None
        assert response.status == 200
        expect(reader.locator("#storage")).to_contain_text("États-Unis")
        expect(reader.locator("#storage")).not_to_contain_text("Allemagne")
        expect(reader.locator("#versions")).to_be_visible()
        shoot(reader, "public-v1-again-fr")
        # Logged out means logged out: the app's pages still ask for a login.
        reader.goto(f"{live_server.url}{base}guarantees/")
        expect(reader).to_have_url(re.compile(r"/login/"))
    finally:
        outsider.close()
