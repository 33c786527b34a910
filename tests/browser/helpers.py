"""Shared steps of the browser journeys: logging in (password, then TOTP), submitting forms."""

from __future__ import annotations

import re

from django.utils import translation
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, Response, expect

from hdsready.models import User
from tests.factories import PASSWORD


def in_french(message: str) -> str:
    """The French text the app shows for a message (the English one until the .mo exists)."""
    with translation.override("fr"):
        return translation.gettext(message)


def totp_code(device: TOTPDevice, key: bytes | None = None) -> str:
    """A code this device accepts now and has not accepted before.

    django-otp refuses any time step at or below the last one accepted (last_t) and accepts
    one step either side of now (tolerance): take now's step, or the next one if now's is used.
    """
    device.refresh_from_db()
    key = device.bin_key if key is None else key
    now = TOTP(key, device.step, device.t0, device.digits, device.drift).t()
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "no unused step left in the tolerance window"
    return f"{hotp(key, step, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code no step near now accepts."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    near = {hotp(device.bin_key, totp.t() + offset, digits=6) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in range(0, 999_999, 111_111) if n not in near)


def submit(page: Page, button: Locator) -> Response:
    """Click a submit button and wait for the page it leads to (after any redirect)."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    return response


def main_submit(page: Page) -> Locator:
    """The submit button of the page's one form in <main> (its label depends on the language);
    the passkey forms beside it (second-factor pages) are driven by their own steps."""
    return page.locator("main form:not([data-passkey]) button[type=submit]")


def log_in_with_password(page: Page, email: str, password: str) -> Response:
    page.goto("/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    return submit(page, main_submit(page))


def pass_second_factor(page: Page, code: str) -> Response:
    expect(page).to_have_url(re.compile(r"/mfa/verify/"))
    page.fill("#id_code", code)
    return submit(page, main_submit(page))


def log_in(page: Page, user: User, password: str = PASSWORD) -> Response:
    """Password, then a fresh code of the user's confirmed authenticator."""
    log_in_with_password(page, user.email, password)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = pass_second_factor(page, totp_code(device))
    expect(page).not_to_have_url(re.compile(r"/(login|mfa)/"))
    return response


def log_out(page: Page) -> None:
    submit(page, page.locator("header form[action='/logout/'] button"))
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("#id_username")).to_be_visible()


def pick_evidence(page: Page, field_id: str, search: str, version_pk: int) -> None:
    """Choose an evidence version with the page's picker (static/js/evidence-picker.js): type in
    the search box that stands for the field, then click the version among the results."""
    box = page.locator(f"#{field_id}-search")
    box.fill(search)
    # The list that answers this search (not one still showing an earlier search).
    results = page.locator(f"#evidence-picker-results[data-query='{search}']")
    results.locator(f"button[data-version='{version_pk}']").click()
    expect(page.locator(f"#{field_id}")).to_have_value(str(version_pk))
