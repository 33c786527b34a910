"""Headless Chromium through Playwright, against pytest-django's live server.

The browser is Debian's /usr/bin/chromium (Playwright's own download is not used). Nothing here
skips: without Chromium, or if it does not start, every browser test fails with the reason.
On failure, a screenshot and the page's HTML go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from hdsready.models import Organisation
from tests.browser.decided_demo import seed_decided_demo

# Playwright's sync API runs an event loop in the test thread: Django would refuse ORM calls
# made from the test itself (the Makefile sets this too).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
# Requests a page makes on purpose and may see refused, or that are the page itself.
RESOURCE_FETCHES = frozenset({"document", "fetch", "xhr", "eventsource", "websocket"})
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def playwright() -> Generator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Generator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need it (apt install chromium)"
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
    )
    yield browser
    browser.close()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Generator[Page]:
    """A fresh context per test (no cookies carried over), in French, aimed at the live server."""
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Every journey also proves the Content-Security-Policy breaks nothing: Chromium reports each
    # blocked script, style or image on the console, and any such report fails the test.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    # And that every page's own resources load: a stylesheet, script, image or icon answered
    # with an error (a missing favicon, a static file not collected) fails the test too. Fetches
    # are left out: a journey may ask for what it must be refused.
    missing: list[str] = []
    page.on(
        "response",
        lambda response: (
            missing.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type not in RESOURCE_FETCHES
            else None
        ),
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed:
        assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"
        assert not missing, f"resources answered with an error: {missing}"
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep the call report on the item so the page fixture knows whether the test failed.
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    """Files of this test go to an encrypted store in a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "hdsready.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def decided_demo(db: None, settings: Settings, media: Path) -> Organisation:
    """The demo seeded 41 days ago, its initial audit decided the next day (decided_demo.py)."""
    settings.DEBUG = True
    return seed_decided_demo()
