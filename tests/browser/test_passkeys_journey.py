"""Passkeys in the browser, in French, with Chromium's virtual authenticators (its WebAuthn
testing API, through a CDP session): enrol two, name them, log in with one, remove one; then the
organisation requires passkeys and a code alone no longer opens a session.

Screenshots go to test-artifacts/passkeys/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import CDPSession, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from hdsready.models import Organisation, TrailEvent, User
from tests.browser.helpers import (
    in_french,
    log_in,
    log_in_with_password,
    log_out,
    pass_second_factor,
    submit,
    totp_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "passkeys"


@pytest.fixture
def relying_party(settings: Settings, live_server: LiveServer) -> None:
    """The live server's own origin is the one passkeys are bound to (localhost, not an IP)."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _webauthn(page: Page) -> CDPSession:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    return cdp


def _authenticator(cdp: CDPSession, **options: Any) -> str:
    """A platform passkey store: CTAP2, internal, resident keys, user verification passed."""
    answer = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
                **options,
            }
        },
    )
    return answer["authenticatorId"]


def _enrol(page: Page, name: str) -> None:
    page.fill("#id_name", name)
    submit(page, page.locator("form[data-passkey=register] button[type=submit]"))
    expect(page.locator(".messages")).to_contain_text(
        in_french("Passkey “%(name)s” enrolled.") % {"name": name}
    )


def _open_passkeys(page: Page) -> None:
    submit(page, page.get_by_role("link", name=in_french("Passkeys"), exact=True))
    expect(page.locator("h1")).to_have_text(in_french("Passkeys"))


def _use_passkey(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/mfa/verify/"))
    submit(page, page.locator("#passkey-verify"))


def test_enrol_two_passkeys_log_in_with_one_and_remove_the_other(
    page: Page, relying_party: None, officer: User
) -> None:
    cdp = _webauthn(page)
    laptop = _authenticator(cdp)
    log_in(page, officer)
    _open_passkeys(page)
    expect(page.locator("#passkeys")).to_have_count(0)
    _enrol(page, "Portable du bureau")
    _shot(page, "01-first-passkey")

    # The second passkey lives on a security key: the laptop is put away meanwhile (it would
    # refuse, rightly, to enrol the same account twice).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": laptop})
    key = _authenticator(cdp, transport="usb", hasResidentKey=False, isUserVerified=False)
    # First the person fails the key's check (wrong PIN): the browser refuses, the page says so
    # and nothing is enrolled.
    page.fill("#id_name", "Clé jaune")
    page.locator("form[data-passkey=register] button[type=submit]").click()
    expect(page.locator("[data-passkey-status]")).to_have_text(
        in_french(
            "The passkey was not created: the request was cancelled, timed out or refused by "
            "the device."
        )
    )
    assert WebAuthnCredential.objects.filter(user=officer).count() == 1
    _shot(page, "02-refused-by-the-key")
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": key, "isUserVerified": True})
    _enrol(page, "Clé jaune")
    rows = page.locator("#passkeys tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("input[name=name]")).to_have_value("Portable du bureau")
    expect(rows.nth(1).locator("input[name=name]")).to_have_value("Clé jaune")

    # Renamed in place.
    rows.nth(1).locator("input[name=name]").fill("Clé de sécurité jaune")
    submit(page, rows.nth(1).get_by_role("button", name=in_french("Rename")))
    expect(page.locator(".messages")).to_contain_text(in_french("Passkey renamed."))
    expect(rows.nth(1).locator("input[name=name]")).to_have_value("Clé de sécurité jaune")
    _shot(page, "03-two-passkeys")

    # Log out; the password, then the security key, open a session (no code typed).
    log_out(page)
    log_in_with_password(page, officer.email, "correct horse battery staple 42")
    expect(page.locator("#passkey-verify")).to_have_text(in_french("Use a passkey"))
    _shot(page, "04-verify-with-passkey")
    _use_passkey(page)
    expect(page).not_to_have_url(re.compile(r"/(login|mfa)/"))
    used = WebAuthnCredential.objects.get(user=officer, name="Clé de sécurité jaune")
    assert used.last_used_at is not None
    assert used.sign_count >= 1

    # The laptop's passkey is removed; the security key stays.
    _open_passkeys(page)
    row = page.locator("#passkeys tbody tr", has=page.locator("input[value='Portable du bureau']"))
    submit(page, row.get_by_role("button", name=in_french("Remove")))
    expect(page.locator(".messages")).to_contain_text(in_french("Passkey removed."))
    expect(page.locator("#passkeys tbody tr")).to_have_count(1)
    assert list(WebAuthnCredential.objects.filter(user=officer).values_list("name", flat=True)) == [
        "Clé de sécurité jaune"
    ]
    _shot(page, "05-one-removed")

    kinds = set(TrailEvent.objects.filter(actor=officer).values_list("kind", flat=True))
    assert {"mfa.passkey_enrolled", "mfa.passkey_renamed", "mfa.passkey_removed"} <= kinds


def test_organisation_requiring_passkeys_refuses_codes_alone(
    page: Page,
    relying_party: None,
    organisation: Organisation,
    officer: User,
    contributor: User,
) -> None:
    cdp = _webauthn(page)
    officers_laptop = _authenticator(cdp)

    # The officer enrols a passkey, then requires passkeys of everyone.
    log_in(page, officer)
    _open_passkeys(page)
    _enrol(page, "Portable")
    page.goto(f"/o/{organisation.slug}/members/")
    page.check("#id_require_passkeys")
    submit(page, page.locator("#passkey-policy button[type=submit]"))
    expect(page.locator("#passkey-policy-state")).to_have_text(
        in_french("Members must log in with a passkey.")
    )
    _shot(page, "06-policy-on")
    log_out(page)

    # The contributor has only an authenticator app: the code passes once, to a session that
    # reaches nothing but passkey enrolment.
    log_in_with_password(page, contributor.email, "correct horse battery staple 42")
    device = TOTPDevice.objects.get(user=contributor)
    pass_second_factor(page, totp_code(device))
    expect(page).to_have_url(re.compile(r"/account/passkeys/$"))
    expect(page.locator("#passkey-required-notice")).to_be_visible()
    page.goto(f"/o/{organisation.slug}/")
    expect(page).to_have_url(re.compile(r"/account/passkeys/$"))
    _shot(page, "07-led-to-enrol")
    # This person's own computer (the officer's is put away).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": officers_laptop})
    _authenticator(cdp)
    _enrol(page, "Ordinateur de Camille")
    page.goto(f"/o/{organisation.slug}/")
    expect(page).to_have_url(re.compile(rf"/o/{organisation.slug}/$"))
    log_out(page)

    # From now on a code alone is refused: the page offers the passkey only, and a code sent
    # anyway (the form of an older page) is refused with a clear message.
    log_in_with_password(page, contributor.email, "correct horse battery staple 42")
    expect(page.locator("#code-form")).to_have_count(0)
    expect(page.locator("#passkey-verify")).to_be_visible()
    _shot(page, "08-code-refused")
    page.evaluate(
        """code => {
            const form = document.querySelector("form[data-passkey]");
            const copy = document.createElement("form");
            copy.method = "post";
            copy.id = "old-code-form";
            copy.action = "/mfa/verify/";
            for (const [name, value] of [
                ["csrfmiddlewaretoken", form.csrfmiddlewaretoken.value], ["code", code]
            ]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                copy.append(input);
            }
            document.body.append(copy);
        }""",
        totp_code(device),
    )
    with page.expect_navigation():
        page.locator("#old-code-form").evaluate("form => form.submit()")
    expect(page).to_have_url(re.compile(r"/mfa/verify/"))
    expect(page.locator(".errorlist")).to_contain_text(
        in_french("Your organisation requires a passkey: a code no longer suffices.")
    )
    # The passkey opens the session.
    _use_passkey(page)
    expect(page).not_to_have_url(re.compile(r"/(login|mfa)/"))
    assert TrailEvent.objects.filter(kind="organisation.passkeys_required").count() == 1
