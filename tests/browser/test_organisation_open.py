"""Browser journey, in French: a real install's first officer, from the operator's command to
the organisation's home with a second factor; and a staff member opening one on the staff page.

Screenshots of each step go to test-artifacts/browser/organisation_open/ (to look at).
"""

from __future__ import annotations

import re
from base64 import b32decode
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from hdsready.models import Invitation, Membership, Organisation, Role, User
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import in_french, log_in, main_submit, submit, totp_code
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "organisation_open"
OFFICER_EMAIL = "rssi@clinicloud.test"
OFFICER_PASSWORD = "Ornithorynque-Bleu-1987"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_first_officer_from_the_console_to_the_home_in_french(
    page: Page, live_server: LiveServer, settings: Settings
) -> None:
    settings.SITE_URL = live_server.url
    assert not Organisation.objects.exists()
    out = StringIO()
    call_command(
        "organisation_open",
        name="Clinicloud Hébergement",
        slug="clinicloud",
        officer_email=OFFICER_EMAIL,
        stdout=out,
    )
    link = re.search(r"https?://\S+/invitations/[\w-]+/", out.getvalue())
    assert link is not None, out.getvalue()
    # The same link went out by e-mail, in French (the install's language).
    assert link.group(0) in str(mail.outbox[0].body)
    assert in_french("Invitation to join %(name)s on hdsready") % {
        "name": "Clinicloud Hébergement"
    } == str(mail.outbox[0].subject)

    page.goto(link.group(0))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("main h1")).to_contain_text("Clinicloud Hébergement")
    expect(page.locator("main")).to_contain_text(in_french("Compliance officer"))
    _shot(page, "1-invitation")
    page.fill("#id_full_name", "Camille Martin")
    page.fill("#id_password1", OFFICER_PASSWORD)
    page.fill("#id_password2", OFFICER_PASSWORD)
    submit(page, main_submit(page))

    expect(page).to_have_url(re.compile(r"/mfa/enrol/$"))
    expect(page.locator("main h1")).to_have_text(in_french("Set up your second factor"))
    _shot(page, "2-enrolment")
    key = b32decode(page.locator("#totp-secret").inner_text().strip())
    officer = User.objects.get(email=OFFICER_EMAIL)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.fill("#id_code", totp_code(device, key))
    submit(page, main_submit(page))

    expect(page).to_have_url(re.compile(r"/mfa/backup-codes/$"))
    expect(page.locator("#backup-codes li")).to_have_count(django_settings.MFA_BACKUP_CODE_COUNT)
    _shot(page, "3-backup-codes")
    submit(page, page.locator("main a.button"))

    expect(page).to_have_url(re.compile(r"/o/clinicloud/$"))
    expect(page.locator("main h1")).to_have_text("Clinicloud Hébergement")
    _shot(page, "4-officer-home")
    # An officer's page: the members page opens, with the officer on it.
    page.goto("/o/clinicloud/members/")
    expect(page.locator("main table").first).to_contain_text(OFFICER_EMAIL)
    _shot(page, "5-members")
    membership = Membership.objects.get(user=officer)
    assert membership.role == Role.OFFICER


def test_staff_opens_an_organisation_on_the_staff_page_in_french(
    page: Page, live_server: LiveServer, settings: Settings
) -> None:
    settings.SITE_URL = live_server.url
    staff = UserFactory(email="ops@hdsready.test", is_staff=True)
    log_in(page, staff)
    page.goto("/staff/organisations/open/")
    expect(page.locator("main h1")).to_have_text(in_french("Open an organisation"))
    page.fill("#id_name", "Clinicloud Hébergement")
    page.fill("#id_slug", "Clinicloud")  # not a short name: refused, input kept
    page.fill("#id_officer_email", OFFICER_EMAIL)
    submit(page, main_submit(page))
    expect(page.locator("#id_name")).to_have_value("Clinicloud Hébergement")
    expect(page.locator("main .errorlist")).to_be_visible()
    _shot(page, "6-staff-page-error")
    assert not Organisation.objects.exists()

    page.fill("#id_slug", "clinicloud")
    submit(page, main_submit(page))
    link = page.locator("main code.invitation-link")
    expect(link).to_contain_text("/invitations/")
    _shot(page, "7-staff-page-opened")
    invitation = Invitation.objects.get(organisation__slug="clinicloud")
    assert invitation.invited_by == staff
    assert link.inner_text() in str(mail.outbox[0].body)
