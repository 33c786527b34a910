"""Logging in through the organisation's identity provider, in French, in Chromium: the real
provider's login and consent pages (tests/oidc/provider.py), then our second factor unless the
organisation trusts the provider's and the ID token shows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from hdsready.models import Organisation, Role, TrailEvent, User
from hdsready.services.sso import ProviderSettings, identity_provider_save
from tests.browser.helpers import in_french, main_submit, pass_second_factor, submit, totp_code
from tests.factories import OrganisationFactory, make_member
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, account, running_provider

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sso"


@pytest.fixture
def provider_issuer(live_server: LiveServer) -> Iterator[str]:
    accounts = {
        "camille": account("camille@clinicloud.test", amr=["pwd", "mfa"]),
        "camille-pwd": account("camille@clinicloud.test", amr=["pwd"]),
        "sacha": account("sacha@clinicloud.test", amr=["pwd", "mfa"]),
    }
    with running_provider(
        redirect_uris=[f"{live_server.url}/login/sso/callback/"], accounts=accounts
    ) as provider:
        yield provider.issuer


@pytest.fixture
def clinicloud() -> tuple[Organisation, User, User]:
    organisation = OrganisationFactory(name="Clinicloud", slug="clinicloud")
    officer = make_member(organisation, Role.OFFICER, email="officer@clinicloud.test")
    member = make_member(organisation, Role.CONTRIBUTOR, email="camille@clinicloud.test")
    return organisation, officer, member


def configure(clinicloud, issuer: str, *, trust: bool) -> None:
    organisation, officer, _member = clinicloud
    identity_provider_save(
        organisation=organisation,
        values=ProviderSettings(
            enabled=True,
            issuer_url=issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            email_domains=["clinicloud.test"],
            join_by_domain=False,
            trust_provider_mfa=trust,
            accepted_mfa_values=["mfa"],
        ),
        actor=officer,
    )


def through_the_provider(
    page: Page, login: str, shot: str, email: str = "camille@clinicloud.test"
) -> None:
    page.goto("/login/")
    page.get_by_role("link", name=in_french("Log in with my organisation's identity")).click()
    expect(page.locator("h1")).to_have_text(in_french("Log in with my organisation's identity"))
    page.fill("#id_email", email)
    submit(page, main_submit(page))
    # The provider's own pages, on its own origin.
    expect(page.locator("h1")).to_contain_text("connexion")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}-provider-login.png"), full_page=True)
    submit(page, page.get_by_role("button", name="Se connecter"))
    expect(page.locator("h1")).to_contain_text("autorisation")
    submit(page, page.get_by_role("button", name="Autoriser"))


def test_sso_with_the_providers_mfa_trusted_lands_on_the_home_page(
    page: Page, live_server: LiveServer, provider_issuer: str, clinicloud
) -> None:
    configure(clinicloud, provider_issuer, trust=True)
    through_the_provider(page, "camille", "trusted")
    expect(page).to_have_url(re.compile(r"/o/clinicloud/$"))
    expect(page.locator("h1")).to_have_text("Clinicloud")
    page.screenshot(path=str(SHOTS / "trusted-home.png"), full_page=True)
    event = TrailEvent.objects.get(kind="user.sso_logged_in")
    assert event.data["provider_mfa_trusted"] is True


def test_sso_without_trusted_mfa_asks_our_second_factor(
    page: Page, live_server: LiveServer, provider_issuer: str, clinicloud
) -> None:
    configure(clinicloud, provider_issuer, trust=True)
    _organisation, _officer, member = clinicloud
    # The provider says only "password": our TOTP is asked, then the home page.
    through_the_provider(page, "camille-pwd", "untrusted")
    expect(page).to_have_url(re.compile(r"/mfa/verify/"))
    page.screenshot(path=str(SHOTS / "untrusted-mfa.png"), full_page=True)
    pass_second_factor(page, totp_code(TOTPDevice.objects.get(user=member, confirmed=True)))
    expect(page).to_have_url(re.compile(r"/o/clinicloud/$"))


def test_officer_sets_up_single_sign_on(
    page: Page, live_server: LiveServer, provider_issuer: str, clinicloud
) -> None:
    from tests.browser.helpers import log_in

    _organisation, officer, _member = clinicloud
    log_in(page, officer)
    page.goto("/o/clinicloud/")
    page.get_by_role("link", name=in_french("Single sign-on"), exact=True).click()
    page.fill("#id_issuer_url", provider_issuer)
    page.fill("#id_client_id", CLIENT_ID)
    page.fill("#id_client_secret", CLIENT_SECRET)
    page.fill("#id_email_domains", "clinicloud.test")
    page.check("#id_trust_provider_mfa")
    page.screenshot(path=str(SHOTS / "settings.png"), full_page=True)
    submit(page, main_submit(page))
    expect(page.locator(".messages")).to_contain_text(in_french("Single sign-on settings saved."))
    assert TrailEvent.objects.filter(kind="identity_provider.created").exists()
    assert Client().get("/login/sso/").status_code == 200


def test_sso_refuses_a_stranger_clearly_and_creates_nothing(
    page: Page, live_server: LiveServer, provider_issuer: str, clinicloud
) -> None:
    configure(clinicloud, provider_issuer, trust=True)
    users = User.objects.count()
    through_the_provider(page, "sacha", "stranger", email="sacha@clinicloud.test")
    expect(page).to_have_url(re.compile(r"/login/sso/$"))
    expect(page.locator(".messages")).to_contain_text(
        in_french(
            "No member of %(organisation)s has this address: ask one of its officers for an "
            "invitation."
        )
        % {"organisation": "Clinicloud"}
    )
    page.screenshot(path=str(SHOTS / "stranger-refused.png"), full_page=True)
    assert User.objects.count() == users
    assert not TrailEvent.objects.filter(kind="user.sso_logged_in").exists()
