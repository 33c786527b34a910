"""Browser journeys: an invited person joins and sets up MFA; wrong codes lock the account out."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from hdsready.models import Membership, Organisation, Role, User
from tests.browser.helpers import (
    in_french,
    log_in_with_password,
    log_out,
    main_submit,
    pass_second_factor,
    submit,
    totp_code,
    wrong_code,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH_MO = django_settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
NEW_EMAIL = "camille.martin@clinicloud.test"
NEW_PASSWORD = "Ornithorynque-Bleu-1987"


def test_invited_person_joins_enrols_and_switches_language(
    page: Page,
    live_server: LiveServer,
    settings: Settings,
    organisation: Organisation,
    officer: User,
) -> None:
    settings.SITE_URL = live_server.url  # the e-mailed link points at the live server
    org_home = f"/o/{organisation.slug}/"

    # The officer logs in with password and authenticator, then invites a contributor.
    log_in_with_password(page, officer.email, PASSWORD)
    officer_device = TOTPDevice.objects.get(user=officer, confirmed=True)
    pass_second_factor(page, totp_code(officer_device))
    expect(page).to_have_url(re.compile(re.escape(org_home) + "$"))
    page.click(f"main a[href='{org_home}members/']")
    invite_form = page.locator("form[action$='/members/invite/']")
    invite_form.locator("#id_email").fill(NEW_EMAIL)
    invite_form.locator("#id_role").select_option(Role.CONTRIBUTOR)
    submit(page, invite_form.locator("button[type=submit]"))
    expect(page.locator("main .messages .success")).to_contain_text(NEW_EMAIL)
    expect(page.locator("main table").last).to_contain_text(NEW_EMAIL)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [NEW_EMAIL]
    link = re.search(r"https?://\S+/invitations/[\w-]+/", str(mail.outbox[0].body))
    assert link is not None, mail.outbox[0].body
    assert link.group(0).startswith(live_server.url)
    log_out(page)

    # The invited person opens the link and creates the account.
    page.goto(link.group(0))
    expect(page.locator("main h1")).to_contain_text(organisation.name)
    page.fill("#id_full_name", "Camille Martin")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    submit(page, main_submit(page))

    # Enrolment: the authenticator is set up from the secret shown on the page.
    expect(page).to_have_url(re.compile(r"/mfa/enrol/$"))
    key = b32decode(page.locator("#totp-secret").inner_text().strip())
    new_user = User.objects.get(email=NEW_EMAIL)
    assert new_user.full_name == "Camille Martin"
    device = TOTPDevice.objects.get(user=new_user, confirmed=False)
    assert device.bin_key == key
    page.fill("#id_code", totp_code(device, key))
    submit(page, main_submit(page))
    expect(page).to_have_url(re.compile(r"/mfa/backup-codes/$"))
    expect(page.locator("#backup-codes li")).to_have_count(django_settings.MFA_BACKUP_CODE_COUNT)
    submit(page, page.locator("main a.button"))
    expect(page).to_have_url(re.compile(re.escape(org_home) + "$"))
    expect(page.locator("main h1")).to_have_text(organisation.name)
    assert Membership.objects.get(user=new_user, organisation=organisation).role == Role.CONTRIBUTOR

    # Log out, then in again: password, then a code of a step not used at enrolment.
    log_out(page)
    log_in_with_password(page, NEW_EMAIL, NEW_PASSWORD)
    pass_second_factor(page, totp_code(device, key))
    expect(page).to_have_url(re.compile(re.escape(org_home) + "$"))
    expect(page.locator("main h1")).to_have_text(organisation.name)

    # English, then back to French.
    html = page.locator("html")
    logout_button = page.locator("header form[action='/logout/'] button")
    submit(page, page.locator("header form.lang button[data-lang='en']"))
    expect(html).to_have_attribute("lang", "en")
    expect(logout_button).to_have_text("Log out")
    expect(page.locator("main h1")).to_have_text(organisation.name)

    submit(page, page.locator("header form.lang button[data-lang='fr']"))
    expect(html).to_have_attribute("lang", "fr")
    if FRENCH_MO.exists():
        assert in_french("Log out") == "Se déconnecter"
    expect(logout_button).to_have_text(in_french("Log out"))
    expect(page).to_have_url(re.compile(re.escape(org_home) + "$"))
    expect(page.locator("main h1")).to_have_text(organisation.name)
    new_user.refresh_from_db()
    assert new_user.language == "fr"


def test_five_wrong_codes_lock_the_account_out(page: Page, contributor: User) -> None:
    device = TOTPDevice.objects.get(user=contributor, confirmed=True)
    refusals = {
        in_french("This code is not valid."),
        in_french("Too many attempts: wait a few seconds, then try again."),
    }

    log_in_with_password(page, contributor.email, PASSWORD)
    for attempt in range(1, django_settings.AXES_FAILURE_LIMIT):
        response = pass_second_factor(page, wrong_code(device))
        assert response.status == 200, f"attempt {attempt}"
        expect(page.locator("#lockout")).to_have_count(0)
        error = page.locator("main .errorlist").inner_text().strip()
        assert error in refusals, f"attempt {attempt}: {error!r}"

    # The fifth wrong code: the session ends and the lockout page shows.
    response = pass_second_factor(page, wrong_code(device))
    assert response.status == 429
    expect(page.locator("#lockout")).to_be_visible()
    expect(page.locator("header form[action='/logout/']")).to_have_count(0)

    # The right password no longer opens the account from this address.
    response = log_in_with_password(page, contributor.email, PASSWORD)
    assert response.status == 429
    expect(page.locator("#lockout")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("header form[action='/logout/']")).to_have_count(0)
