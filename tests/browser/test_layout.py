"""Layout on a 1366 x 768 screen, the common laptop, in French over the demo: no key page is
wider than the window, and a long file name wraps between its parts, not letter by letter."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import Audit
from evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus
from evidence.services import evidence_version_add
from guarantees.services import guarantees_publish
from hdsready.models import Membership, Role, User
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.evidence.helpers import hashed_upload
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "layout"
LONG_NAME = "Rapport_audit_interne_HDS_2025-version-finale_signee_par_la_direction_generale.pdf"
WRAP_POINTS = "_-./@"


@pytest.fixture
def demo() -> dict[str, object]:
    call_command("catalog_sync", stdout=StringIO())
    for command in (
        "seed_demo",
        "seed_demo_scope",
        "seed_demo_cycle",
        "seed_demo_contracts",
        "seed_demo_sovereignty",
    ):
        call_command(command, force=True, stdout=StringIO())
    officer = Membership.objects.get(organisation__slug="demo", role=Role.OFFICER).user
    guarantees_publish(organisation=officer.memberships.get().organisation, actor=officer)
    auditor = User.objects.get(email=AUDITOR_EMAIL)
    for user in (officer, auditor):
        user.set_password(PASSWORD)
        user.language = "fr"
        user.save(update_fields=["password", "language"])
    audit = Audit.objects.filter(cycle__organisation__slug="demo").order_by("pk").first()
    assert audit is not None
    item = EvidenceItem.objects.filter(
        organisation__slug="demo", kind=EvidenceKind.FILE, status=EvidenceStatus.ACTIVE
    ).first()
    assert item is not None
    evidence_version_add(
        item=item, upload=hashed_upload(b"%PDF-1.4\n%%EOF\n", name=LONG_NAME), actor=officer
    )
    return {"officer": officer, "auditor": auditor, "audit": audit, "item": item}


def _officer_pages(demo: dict[str, object]) -> list[str]:
    slug = {"slug": "demo"}
    audit = demo["audit"]
    item = demo["item"]
    assert isinstance(audit, Audit)
    assert isinstance(item, EvidenceItem)
    return [
        reverse("hdsready:organisation-home", kwargs=slug),
        reverse("hdsready:trail-list", kwargs=slug),
        reverse("hdsready:member-list", kwargs=slug),
        reverse("evidence:item-list", kwargs=slug),
        reverse("evidence:item-detail", kwargs={**slug, "pk": item.pk}),
        reverse("scopes:scope-edit", kwargs=slug),
        reverse("scopes:chain-view", kwargs=slug),
        reverse("scopes:iso-view", kwargs=slug),
        reverse("scopes:readiness-list", kwargs={**slug, "code": "hds"}),
        reverse("scopes:readiness-list", kwargs={**slug, "code": "iso27001"}),
        reverse("scopes:soa-list", kwargs=slug),
        reverse("scopes:subcontractor-list", kwargs=slug),
        reverse("scopes:catalog-list", kwargs=slug),
        reverse("audits:cycle-list", kwargs=slug),
        reverse("audits:audit-detail", kwargs={**slug, "pk": audit.pk}),
        reverse("dossiers:dossier-list", kwargs=slug),
        reverse("contracts:contract-list", kwargs=slug),
        reverse("sovereignty:register", kwargs=slug),
        reverse("guarantees:guarantees-page", kwargs=slug),
        reverse("scopes:host-list", kwargs=slug),
        reverse("guarantees:public-latest", kwargs=slug),
    ]


def _assert_fits(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W+", "_", path).strip("_")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert width <= viewport, f"{path}: {width} px wide in a {viewport} px window"
    # A table in a scrolling wrapper must not hide its last columns behind a scroll bar either.
    hidden = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.firstElementChild.id)"
    )
    assert hidden == [], f"{path}: tables wider than their box: {hidden}"
    # Nothing spills out of its box over what follows (a box given a height by a rule meant
    # for another element: the guarantees preview took the evidence preview's 70vh).
    spilled = page.evaluate(SPILLED_JS)
    assert spilled == [], f"{path}: content overflowing its box: {spilled}"
    # No word of a table is cut in two at the end of a line ("Héberg|eur" in a narrow column);
    # hashes, file names and addresses may break, between their parts or anywhere.
    cut = page.evaluate(CUT_WORDS_JS)
    assert cut == [], f"{path}: words cut across lines: {cut}"


SPILLED_JS = """[...document.querySelectorAll('main *')].filter(e => {
  const style = getComputedStyle(e);
  return style.overflowY === 'visible' && e.clientHeight > 0
    && e.scrollHeight > e.clientHeight + 8;
}).map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')}`)"""

CUT_WORDS_JS = """(() => {
  const cut = [];
  for (const cell of document.querySelectorAll('main table th, main table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const skipped = 'code, .filename, .sha, td.data, select, textarea, .sr-only';
      if (node.parentElement.closest(skipped)) continue;
      if (/@|:\\/\\//.test(node.data)) continue;  // an e-mail or web address may break anywhere
      const pattern = /[^\\s\\-_\\/.@·,;:()«»'’]+/g;
      for (let match = pattern.exec(node.data); match; match = pattern.exec(node.data)) {
        if (match[0].length < 2 || match[0].length > 30) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        const tops = new Set(boxes.map(r => Math.round(r.top)));
        if (tops.size > 1) cut.push(match[0]);
      }
    }
  }
  return cut;
})()"""


# The text of an element line by line, as laid out (each character's box says its line).
LINES_JS = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const lines = [];
  let top = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (top === null || box.top > top + 2) { lines.push(""); top = box.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}"""


def test_key_pages_fit_a_1366_screen(page: Page, demo: dict[str, object]) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    officer = demo["officer"]
    assert isinstance(officer, User)
    log_in(page, officer)
    for path in _officer_pages(demo):
        _assert_fits(page, path)


def test_the_auditor_audit_page_fits_a_1366_screen(page: Page, demo: dict[str, object]) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    auditor = demo["auditor"]
    audit = demo["audit"]
    assert isinstance(auditor, User)
    assert isinstance(audit, Audit)
    log_in(page, auditor)
    _assert_fits(page, reverse("audits:auditor-audit", args=[audit.pk]))


@pytest.mark.parametrize("width", [1366, 1024])
def test_a_long_file_name_wraps_between_its_parts(
    page: Page, demo: dict[str, object], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 768})
    officer = demo["officer"]
    item = demo["item"]
    assert isinstance(officer, User)
    assert isinstance(item, EvidenceItem)
    log_in(page, officer)
    page.goto(reverse("evidence:item-detail", kwargs={"slug": "demo", "pk": item.pk}))
    cell = page.locator("#versions td.filename", has_text="Rapport_audit").first
    expect(cell).to_be_visible()
    lines = cell.evaluate(LINES_JS)
    page.screenshot(path=str(SHOTS / f"long-file-name-{width}.png"), full_page=True)
    assert "".join(lines) == LONG_NAME
    assert len(lines) > 1  # it does wrap: the name is longer than the column
    for line in lines[:-1]:
        assert line[-1] in WRAP_POINTS, f"broken inside a word: {lines}"
    assert min(len(line) for line in lines[:-1]) >= 4, lines
    # The row's links stay whole words too.
    broken = page.evaluate(
        "[...document.querySelectorAll('#versions a')]"
        ".filter(a => a.getClientRects().length > 1 || a.offsetHeight > 2 * "
        "parseFloat(getComputedStyle(a).lineHeight || 20)).map(a => a.textContent)"
    )
    assert broken == []
