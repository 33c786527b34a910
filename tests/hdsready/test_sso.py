"""Single sign-on against a real OpenID provider (tests/oidc/provider.py, node oidc-provider on
127.0.0.1): the matching rules, the provider's second factor, forged and replayed answers.

The app runs in Django's test client; a `requests` session plays the browser at the provider
(its real login and consent pages) and stops at the redirect back to the app."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from hdsready.models import (
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    ProviderMFADevice,
    Role,
    TrailEvent,
    User,
)
from hdsready.services import CoreError
from hdsready.services.invitations import invitation_send
from hdsready.services.sso import (
    ProviderSettings,
    client_secret_decrypt,
    identity_provider_save,
    provider_mfa_shown,
)
from tests.factories import OrganisationFactory, make_member
from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, account, running_provider

CALLBACK = "http://testserver/login/sso/callback/"
DOMAIN = "clinicloud.test"

ACCOUNTS = {
    "member": account(f"contributor@{DOMAIN}", amr=["pwd", "mfa"]),
    "member-pwd": account(f"contributor@{DOMAIN}", amr=["pwd"]),
    "member-acr": account(f"contributor@{DOMAIN}", acr="urn:mace:incommon:iap:silver"),
    "unverified": account(f"contributor@{DOMAIN}", email_verified=False, amr=["mfa"]),
    "verified-string": account(f"contributor@{DOMAIN}", email_verified="true", amr=["mfa"]),
    "newcomer": account(f"newcomer@{DOMAIN}", amr=["mfa"], name="Nina Nouvelle"),
    "foreign": account("someone@elsewhere.test", amr=["mfa"]),
}


@pytest.fixture(scope="module")
def provider_issuer() -> Iterator[str]:
    with running_provider(redirect_uris=[CALLBACK], accounts=ACCOUNTS) as provider:
        yield provider.issuer


def settings_for(issuer: str, **overrides: Any) -> ProviderSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "issuer_url": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "email_domains": [DOMAIN],
        "join_by_domain": False,
        "trust_provider_mfa": False,
        "accepted_mfa_values": ["mfa"],
    }
    return ProviderSettings(**{**values, **overrides})


@pytest.fixture
def configure(provider_issuer: str, organisation: Organisation, officer: User):
    def configure(**overrides: Any) -> IdentityProvider:
        return identity_provider_save(
            organisation=organisation,
            values=settings_for(provider_issuer, **overrides),
            actor=officer,
        )

    return configure


def _form_action(html: str, base: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, html
    return urljoin(base, unescape(match.group(1)))


def at_provider(authorize_url: str, *, login: str, password: str = PASSWORD) -> str:
    """Log in and consent at the provider's own pages; returns the URL it sends back to us."""
    browser = requests.Session()
    url = authorize_url
    for _step in range(12):
        if url.startswith(CALLBACK):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text
        data = {"login": login, "password": password} if "password" in response.text else {}
        response = browser.post(
            _form_action(response.text, url), data=data, allow_redirects=False, timeout=10
        )
        assert response.is_redirect, response.text
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def authorization_url(client: Client, email: str = f"x@{DOMAIN}") -> str:
    """Our start page answers with a page that moves on to the provider by itself."""
    response = client.post("/login/sso/", {"email": email})
    assert response.status_code == 200, response.content
    url: str = response.context["authorization_url"]
    assert f'content="0;url={url}"'.replace("&", "&amp;") in response.content.decode()
    return url


def sso_round_trip(client: Client, *, login: str, email: str = f"x@{DOMAIN}") -> Any:
    """Start at our page, pass the provider, and come back: our callback's response."""
    back = at_provider(authorization_url(client, email), login=login)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def session_verified(client: Client) -> bool:
    response = client.get("/", follow=False)
    # The MFA middleware sends an unverified session to the verification or enrolment page.
    return not response["Location"].startswith("/mfa/")


@pytest.mark.django_db
def test_member_logs_in_and_our_second_factor_is_still_asked(configure, contributor) -> None:
    configure()
    response = sso_round_trip(Client(), login="member")
    assert response.status_code == 302
    assert response["Location"] == "/mfa/verify/"
    event = TrailEvent.objects.get(kind="user.sso_logged_in")
    assert event.actor == contributor
    assert event.data["provider_mfa_trusted"] is False
    assert not ProviderMFADevice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login", "accepted", "trusted"),
    [
        ("member", ["mfa"], True),  # amr ["pwd", "mfa"]
        ("member-pwd", ["mfa"], False),  # amr ["pwd"]: a password only
        ("member-acr", ["urn:mace:incommon:iap:silver"], True),  # acr accepted
        ("member-acr", ["mfa"], False),  # acr not among the accepted values
        ("member", ["otp", "hwk"], False),  # amr present but not accepted
    ],
)
def test_trusted_provider_mfa_needs_the_claim(
    configure, contributor, login: str, accepted: list[str], trusted: bool
) -> None:
    configure(trust_provider_mfa=True, accepted_mfa_values=accepted)
    client = Client()
    response = sso_round_trip(client, login=login)
    assert response.status_code == 302
    assert (response["Location"] == "/") is trusted
    assert session_verified(client) is trusted
    assert ProviderMFADevice.objects.filter(user=contributor).exists() is trusted


@pytest.mark.django_db
def test_mfa_claim_is_not_trusted_unless_the_officer_says_so(configure, contributor) -> None:
    configure(trust_provider_mfa=False)
    client = Client()
    assert sso_round_trip(client, login="member")["Location"] == "/mfa/verify/"
    assert not session_verified(client)


@pytest.mark.parametrize(
    ("claims", "shown"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": "mfa"}, False),  # a string where RFC 8176 wants a list
        ({"amr": [["mfa"]]}, False),
        ({"amr": []}, False),
        ({"acr": "mfa"}, True),
        ({"acr": ["mfa"]}, False),
        ({"amr": None, "acr": None}, False),
        ({}, False),
    ],
)
def test_provider_mfa_shown(claims: dict[str, Any], shown: bool) -> None:
    assert provider_mfa_shown(claims=claims, accepted=frozenset({"mfa"})) is shown
    assert provider_mfa_shown(claims=claims, accepted=frozenset()) is False


def _nothing_created(before_users: int) -> None:
    assert User.objects.count() == before_users
    assert not TrailEvent.objects.filter(kind="user.sso_logged_in").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["unverified", "verified-string"])
def test_unverified_email_is_refused(configure, contributor, login: str) -> None:
    configure(join_by_domain=True)
    users = User.objects.count()
    client = Client()
    response = sso_round_trip(client, login=login)
    assert response["Location"] == "/login/sso/"
    page = client.get("/login/sso/").content.decode()
    assert "did not confirm your e-mail address" in page or "pas confirmé" in page
    _nothing_created(users)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_stranger_without_invitation_or_domain_rule_is_refused(configure) -> None:
    configure(join_by_domain=False)
    users, memberships = User.objects.count(), Membership.objects.count()
    client = Client()
    response = sso_round_trip(client, login="newcomer")
    assert response["Location"] == "/login/sso/"
    _nothing_created(users)
    assert Membership.objects.count() == memberships
    assert not User.objects.filter(email=f"newcomer@{DOMAIN}").exists()


@pytest.mark.django_db
def test_address_outside_the_providers_domains_is_refused(configure, organisation, officer) -> None:
    # Even an existing member: the provider speaks only for its own domains.
    make_member(organisation, Role.CONTRIBUTOR, email="someone@elsewhere.test")
    configure(join_by_domain=True)
    users = User.objects.count()
    response = sso_round_trip(Client(), login="foreign")
    assert response["Location"] == "/login/sso/"
    _nothing_created(users)


@pytest.mark.django_db
def test_pending_invitation_is_accepted(configure, organisation, officer) -> None:
    configure()
    invitation, _token = invitation_send(
        organisation=organisation, email=f"newcomer@{DOMAIN}", role=Role.CONTRIBUTOR, actor=officer
    )
    response = sso_round_trip(Client(), login="newcomer")
    assert response["Location"] == "/mfa/enrol/"  # a new account: our TOTP is set up next
    user = User.objects.get(email=f"newcomer@{DOMAIN}")
    assert user.full_name == "Nina Nouvelle"
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.CONTRIBUTOR
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert TrailEvent.objects.filter(kind="user.created", data__via="sso").exists()


@pytest.mark.django_db
def test_expired_invitation_is_not_accepted(configure, organisation, officer) -> None:
    configure()
    invitation_send(
        organisation=organisation, email=f"newcomer@{DOMAIN}", role=Role.CONTRIBUTOR, actor=officer
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    users = User.objects.count()
    assert sso_round_trip(Client(), login="newcomer")["Location"] == "/login/sso/"
    _nothing_created(users)


@pytest.mark.django_db
def test_domain_rule_gives_the_least_role(configure, organisation) -> None:
    configure(join_by_domain=True)
    sso_round_trip(Client(), login="newcomer")
    membership = Membership.objects.get(user__email=f"newcomer@{DOMAIN}")
    assert membership.organisation == organisation
    assert membership.role == Role.MANAGER


@pytest.mark.django_db
def test_a_domain_belongs_to_one_organisations_provider(
    provider_issuer, configure, organisation, english
) -> None:
    configure(join_by_domain=False)
    other = OrganisationFactory(slug="autre")
    other_officer = make_member(other, Role.OFFICER, email="boss@autre.test")
    with pytest.raises(CoreError, match="Another organisation"):
        identity_provider_save(
            organisation=other,
            values=settings_for(provider_issuer, join_by_domain=True),
            actor=other_officer,
        )


@pytest.mark.django_db
def test_forged_state_is_refused(configure, contributor) -> None:
    configure()
    client = Client()
    back = urlsplit(at_provider(authorization_url(client), login="member"))
    forged = re.sub(r"state=[^&]+", "state=forged", back.query)
    response = client.get(f"{back.path}?{forged}")
    assert response["Location"] == "/login/sso/"
    assert "_auth_user_id" not in client.session
    assert not TrailEvent.objects.filter(kind="user.sso_logged_in").exists()


@pytest.mark.django_db
def test_forged_code_is_refused(configure, contributor) -> None:
    configure()
    client = Client()
    back = urlsplit(at_provider(authorization_url(client), login="member"))
    forged = re.sub(r"code=[^&]+", "code=forged", back.query)
    response = client.get(f"{back.path}?{forged}")
    assert response.status_code == 302
    assert response["Location"] == "/login/sso/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_replayed_and_foreign_callbacks_are_refused(configure, contributor) -> None:
    configure()
    client = Client()
    back = urlsplit(at_provider(authorization_url(client), login="member"))
    callback = f"{back.path}?{back.query}"
    assert client.get(callback)["Location"] == "/mfa/verify/"
    client.post("/logout/")
    replayed = client.get(callback)
    assert replayed["Location"] == "/login/sso/"
    # Another browser, which started nothing, gets the same clear refusal.
    foreign = Client().get(callback)
    assert foreign["Location"] == "/login/sso/"
    assert Client().get("/login/sso/callback/?error=access_denied").status_code == 302
    assert TrailEvent.objects.filter(kind="user.sso_logged_in").count() == 1


@pytest.mark.django_db
def test_provider_error_answer_is_a_clear_message(configure) -> None:
    configure()
    client = Client()
    client.post("/login/sso/", {"email": f"x@{DOMAIN}"})
    response = client.get("/login/sso/callback/?error=access_denied&state=x", follow=True)
    assert response.status_code == 200
    assert b"start again" in response.content or b"recommencez" in response.content


@pytest.mark.django_db
def test_address_without_provider_gets_a_message(configure) -> None:
    configure()
    response = Client().post("/login/sso/", {"email": "a@nowhere.test"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


@pytest.mark.django_db
def test_unreachable_provider_is_a_message(organisation, officer) -> None:
    identity_provider_save(
        organisation=organisation,
        values=settings_for("http://127.0.0.1:9"),  # nothing listens on the discard port
        actor=officer,
    )
    response = Client().post("/login/sso/", {"email": f"x@{DOMAIN}"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_secret_is_stored_encrypted_and_the_trail_never_holds_it(configure, settings) -> None:
    provider = configure()
    assert CLIENT_SECRET not in provider.client_secret_encrypted
    assert client_secret_decrypt(provider.client_secret_encrypted) == CLIENT_SECRET
    event = TrailEvent.objects.get(kind="identity_provider.created")
    assert CLIENT_SECRET not in str(event.data)
    assert event.data["client_secret_changed"] is True
    # An empty secret keeps the stored one; a change of anything else is one trail row.
    configure(client_secret="", join_by_domain=True)
    provider.refresh_from_db()
    assert client_secret_decrypt(provider.client_secret_encrypted) == CLIENT_SECRET
    changed = TrailEvent.objects.get(kind="identity_provider.changed")
    assert changed.data == {"join_by_domain": True}
    settings.SSO_SECRET_KEY = "another key"
    with pytest.raises(CoreError, match="SSO_SECRET_KEY"):
        client_secret_decrypt(provider.client_secret_encrypted)


@pytest.mark.django_db
def test_provider_device_takes_no_code_and_is_not_our_second_factor(configure, contributor) -> None:
    from hdsready.services.mfa import mfa_check_code, user_has_confirmed_device

    configure(trust_provider_mfa=True)
    sso_round_trip(Client(), login="member")
    TOTPDevice.objects.filter(user=contributor).delete()
    assert ProviderMFADevice.objects.filter(user=contributor).exists()
    assert not user_has_confirmed_device(user=contributor)
    assert mfa_check_code(user=contributor, token="000000").device is None


@pytest.mark.django_db
def test_settings_page_queries_are_bounded(
    configure, officer, client_as, django_assert_max_num_queries
) -> None:
    configure()
    client = client_as(officer)
    with django_assert_max_num_queries(12):
        response = client.get("/o/clinicloud/sso/")
    assert response.status_code == 200
    page = response.content.decode()
    assert CLIENT_SECRET not in page
    assert "/login/sso/callback/" in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
def test_only_the_officer_reaches_the_settings(configure, persona, client_as, request) -> None:
    configure()
    client = client_as(request.getfixturevalue(persona))
    assert client.get("/o/clinicloud/sso/").status_code == 404
    assert client.post("/o/clinicloud/sso/", {"client_id": "x"}).status_code == 404
    assert client.put("/o/clinicloud/sso/").status_code == 405


@pytest.mark.django_db
def test_withdrawing_trust_ends_the_sessions_it_verified(configure, contributor) -> None:
    configure(trust_provider_mfa=True)
    client = Client()
    sso_round_trip(client, login="member")
    assert session_verified(client)
    configure(client_secret="", trust_provider_mfa=False)
    assert not ProviderMFADevice.objects.exists()
    assert client.get("/")["Location"] == "/mfa/verify/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({"accepted_mfa_values": ["hwk"]}, False),
        ({"client_id": "another-client"}, False),
        ({"join_by_domain": True}, True),
    ],
)
def test_changing_what_verified_a_session_ends_it(
    configure, contributor, change: dict[str, Any], kept: bool
) -> None:
    configure(trust_provider_mfa=True)
    client = Client()
    sso_round_trip(client, login="member")
    configure(client_secret="", trust_provider_mfa=True, **change)
    assert ProviderMFADevice.objects.exists() is kept
    assert session_verified(client) is kept


@pytest.mark.django_db(transaction=True)
def test_two_organisations_claiming_a_domain_at_once_do_not_both_get_it(monkeypatch) -> None:
    """Both officers save at the same moment. Inside the service each waits (up to 2 s) for the
    other just after its check that the domain is free: without the lock both checks pass and
    both save; with it, the second waits for the first to commit, then finds the domain taken."""
    import threading

    from django.db import connection

    from hdsready.services import sso

    officers = []
    for slug in ("premier", "second"):
        organisation = OrganisationFactory(slug=slug)
        officers.append((organisation, make_member(organisation, Role.OFFICER)))
    barrier = threading.Barrier(2, timeout=2)
    encrypt = sso.client_secret_encrypt

    def meeting_the_other(secret: str) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return encrypt(secret)

    monkeypatch.setattr(sso, "client_secret_encrypt", meeting_the_other)
    outcomes: list[str] = []

    def save(organisation: Organisation, officer: User) -> None:
        try:
            with translation.override("en"):
                identity_provider_save(
                    organisation=organisation,
                    values=settings_for("https://login.example.test"),
                    actor=officer,
                )
            outcomes.append("saved")
        except CoreError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=pair) for pair in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[1] == "saved", outcomes
    assert "Another organisation" in sorted(outcomes)[0], outcomes
    assert IdentityProvider.objects.count() == 1
