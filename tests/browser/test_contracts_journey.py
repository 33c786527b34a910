"""Browser journey of issue 14 (client contracts), in French: a contributor makes a contract from
a template, marks one of its clauses missing, and sees the readiness figure of that requirement
change on the HDS readiness page. Screenshots of the three pages are kept for a person to see."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from contracts.clauses import CLAUSES
from contracts.models import ClauseState, Contract
from contracts.services import (
    ClauseAnswer,
    ClientData,
    ContractData,
    client_save,
    contract_clauses_set,
    contract_save,
)
from hdsready.models import Organisation, User
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import in_french, log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the screenshots go: test-artifacts/browser/contracts/, or $CONTRACTS_SHOTS.
SHOTS = Path(os.environ.get("CONTRACTS_SHOTS") or ARTIFACTS / "contracts")


def figure_text(present: int, total: int) -> str:
    with translation.override("fr"):
        return translation.ngettext(
            "Clause present: %(present)s of %(total)s contract in force",
            "Clause present: %(present)s of %(total)s contracts in force",
            total,
        ) % {"present": present, "total": total}


def gaps_text(count: int) -> str:
    with translation.override("fr"):
        return translation.ngettext(
            "%(count)s contract without it", "%(count)s contracts without it", count
        ) % {"count": count}


@pytest.fixture
def register(db: None, organisation: Organisation, officer: User) -> Contract:
    """The built-in catalogs (flushed by transactional tests), two clients, a template whose
    eleven clauses are present, and one contract in force made from it."""
    call_command("catalog_sync", stdout=StringIO())
    lilas = client_save(
        organisation=organisation, data=ClientData(name="Clinique des Lilas"), actor=officer
    )
    client_save(organisation=organisation, data=ClientData(name="CH de Montreuil"), actor=officer)
    template = contract_save(
        organisation=organisation,
        data=ContractData(title="Offre infogérance 2025", activities=[3, 4, 5, 6]),
        is_template=True,
        actor=officer,
    )
    contract_clauses_set(
        contract=template,
        answers={
            clause.code: ClauseAnswer(ClauseState.PRESENT, reference=f"art. {n}")
            for n, clause in enumerate(CLAUSES, start=1)
        },
        actor=officer,
    )
    contract_save(
        organisation=organisation,
        data=ContractData(
            title="Hébergement du DPI",
            client=lilas,
            template=template,
            activities=[3, 4],
            start_on=timezone.localdate() - timedelta(days=100),
        ),
        actor=officer,
    )
    return template


def exi27_row(page: Page):
    return page.locator("#readiness tr[data-ref='EXI 27']")


def test_contributor_makes_a_contract_from_a_template_and_readiness_moves(
    page: Page, organisation: Organisation, contributor: User, register: Contract
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"/o/{organisation.slug}/"
    log_in(page, contributor)

    # Before: the one contract in force has EXI 27 through its template.
    page.goto(f"{base}readiness/hds/")
    expect(exi27_row(page).locator(".register-figure")).to_have_text(figure_text(1, 1))

    # The contracts list, then the template, then a new contract from it.
    submit(page, page.locator("nav.subnav a[href$='/contracts/']"))
    expect(page.locator("main h1")).to_have_text(in_french("Client contracts"))
    page.screenshot(path=str(SHOTS / "contracts-list-fr.png"), full_page=True)
    submit(page, page.get_by_role("link", name="Offre infogérance 2025"))
    submit(page, page.locator("#derive"))
    form = page.locator("#contract-form")
    expect(form.locator("select[name=template]")).to_have_value(str(register.pk))
    form.locator("input[name=title]").fill("Sauvegarde externalisée")
    form.locator("select[name=client]").select_option(label="CH de Montreuil")
    form.locator("input[name=start_on]").fill(timezone.localdate().isoformat())
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Contract saved."))
    created = Contract.objects.get(title="Sauvegarde externalisée")
    assert created.template_id == register.pk
    expect(page).to_have_url(re.compile(rf"/contracts/{created.pk}/$"))

    # Every clause inherited from the template; mark EXI 27 missing.
    row = page.locator("#clauses tr[data-clause='EXI 27']")
    expect(row.locator(".inherited")).to_be_visible()
    row.locator("select[name='exi27-state']").select_option(ClauseState.MISSING.value)
    row.locator("textarea[name='exi27-note']").fill("Formats de restitution à préciser.")
    submit(page, page.locator("#clauses-form button[type=submit]"))
    expect(page.locator("main .messages .success")).to_have_text(in_french("Clauses saved."))
    expect(row.locator("select[name='exi27-state']")).to_have_value(ClauseState.MISSING.value)
    page.screenshot(path=str(SHOTS / "contract-fr.png"), full_page=True)

    # After: 1 of 2 contracts in force has it, and the gap links to the contract.
    page.goto(f"{base}readiness/hds/")
    figure = exi27_row(page).locator(".register-figure")
    expect(figure).to_contain_text(figure_text(1, 2))
    expect(figure.get_by_role("link")).to_have_text(gaps_text(1))
    exi27_row(page).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "readiness-fr.png"), full_page=True)
    submit(page, figure.get_by_role("link"))
    expect(page.locator("#contracts tbody tr")).to_have_count(1)
    expect(page.locator("#contracts")).to_contain_text("Sauvegarde externalisée")
