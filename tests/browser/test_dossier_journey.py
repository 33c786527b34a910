"""Browser journey of a dossier PDF: a manager asks for the full certification dossier of the
cycle, watches the progress bar advance while a real Celery worker lays it out, and downloads
the PDF.

Tasks do not run eagerly here: the worker of tests/hdsready/test_celery_worker.py runs in a
subprocess (one process, a queue of its own) against the live server's test database and Redis,
and shares this test's media directory, where it stores the laid-out units and the dossier."""

from __future__ import annotations

import hashlib
import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django import Settings

from bench.dossier_seed import SeededOrganisation, seed_dossier_organisation
from dossiers.models import Dossier, DossierKind, DossierStatus
from tests.browser.helpers import in_french, log_in, submit
from tests.factories import PASSWORD
from tests.hdsready.test_celery_worker import (  # noqa: F401  (fixtures used below)
    Worker,
    celery_not_eager,
    celery_worker,
)
from tests.pdf import flowing

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RENDER_BATCHES = 6  # the worker lays the units out in this many tasks: the bar moves 6 times
LAYOUT_TIMEOUT_MS = 45_000

# Every 100 ms, and across the reload that ends the layout, the page reports its bar and label.
SAMPLER = """
window.setInterval(function () {
  var bar = document.getElementById("dossier-bar");
  var label = document.getElementById("dossier-status-label");
  if (bar && label) window.recordProgress(bar.value, bar.max, label.textContent.trim());
}, 100);
"""


@pytest.fixture
def shared_media(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One media directory for the live server (this process) and the worker (its env)."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "hdsready.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    monkeypatch.setenv("STORAGE_BACKEND", "filesystem")
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    monkeypatch.setenv("DOSSIER_RENDER_BATCHES", str(RENDER_BATCHES))
    return media


@pytest.fixture
def dossier_worker(shared_media: Path, request: pytest.FixtureRequest) -> Worker:
    """The real worker, started once the environment it copies names the shared media."""
    worker: Worker = request.getfixturevalue("celery_worker")
    return worker


@pytest.fixture
def seeded(db: None) -> SeededOrganisation:
    # The catalogs' data migration rows do not survive the flush of transactional tests.
    call_command("catalog_sync", stdout=StringIO())
    seeded = seed_dossier_organisation(slug="journey", versions=300, findings=40)
    manager = seeded.manager
    manager.set_password(PASSWORD)
    manager.save(update_fields=["password"])
    TOTPDevice.objects.create(user=manager, name="authenticator", confirmed=True)
    return seeded


@pytest.fixture
def samples(page: Page) -> list[tuple[float, float, str]]:
    recorded: list[tuple[float, float, str]] = []

    def record(value: float, maximum: float, label: str) -> None:
        recorded.append((value, maximum, label))

    page.expose_function("recordProgress", record)
    page.add_init_script(SAMPLER)
    return recorded


def test_manager_prints_the_full_dossier_and_watches_it_progress(
    page: Page,
    dossier_worker: Worker,
    seeded: SeededOrganisation,
    samples: list[tuple[float, float, str]],
    tmp_path: Path,
) -> None:
    organisation, cycle = seeded.organisation, seeded.cycle
    started = time.monotonic()
    log_in(page, seeded.manager)

    page.goto(f"/o/{organisation.slug}/")
    card = page.locator("#home-dossiers")
    expect(card).to_contain_text(in_french("Dossiers"))
    with page.expect_navigation():
        card.get_by_role("link", name=in_french("Dossiers to print")).click()
    expect(page).to_have_url(re.compile(rf"/o/{organisation.slug}/dossiers/$"))

    form = page.locator("#dossier-request")
    form.locator("select[name=kind]").select_option(DossierKind.FULL.value)
    form.locator("select[name=target]").select_option(f"cycle:{cycle.pk}")
    form.locator("select[name=language]").select_option("fr")
    submit(page, form.locator("button[type=submit]"))

    dossier = Dossier.objects.get(organisation=organisation)
    expect(page).to_have_url(re.compile(rf"/o/{organisation.slug}/dossiers/{dossier.pk}/$"))
    assert dossier.kind == DossierKind.FULL
    assert dossier.cycle_id == cycle.pk

    # The bar shows an intermediate state: some units laid out, not all.
    page.wait_for_function(
        """() => {
          const bar = document.getElementById("dossier-bar");
          return bar && bar.value > 0 && bar.value < bar.max;
        }""",
        timeout=LAYOUT_TIMEOUT_MS,
    )
    download_link = page.locator("#dossier-download")
    expect(download_link).to_be_visible(timeout=LAYOUT_TIMEOUT_MS)

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.READY, dossier_worker.output()
    expect(page.locator("#dossier-sha256")).to_have_text(dossier.sha256)
    expect(page.locator("#dossier-status-label")).to_have_text(in_french("Ready"))

    in_between = [(v, m) for v, m, _label in samples if 0 < v < m]
    assert in_between, samples
    values = [v for v, m, _label in samples if m > 1]  # before the reload to the ready page
    assert values == sorted(values), "the bar went back"
    assert len(set(values)) >= 3, samples
    labels = list(dict.fromkeys(label for _v, _m, label in samples))
    assert in_french("Rendering") in labels, labels
    assert labels[-1] == in_french("Ready"), labels
    assert len(labels) >= 2, labels

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{dossier.pk}.pdf")
    saved = tmp_path / "dossier.pdf"
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == dossier.sha256

    text = flowing(saved)
    assert organisation.name in text
    assert dossier.page_count > 2
    assert f"Page 2 / {dossier.page_count}" in text
    assert f"Page {dossier.page_count} / {dossier.page_count}" in text
    assert time.monotonic() - started < 60
