"""The operator's path on a real install: an empty database to a first officer logged in with
TOTP, through `manage.py organisation_open`, the e-mailed (and printed) link, and enrolment."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory, TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import get_perms
from pytest_django import Settings

from hdsready.models import Invitation, Membership, Organisation, Role, TrailEvent, User
from hdsready.roles import ROLE_PERMS
from hdsready.services import CoreError
from hdsready.services.invitations import invitation_accept_existing_user
from hdsready.services.onboarding import organisation_open
from tests.browser.helpers import totp_code
from tests.conftest import verified_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFICER_EMAIL = "rssi@clinicloud.test"
OFFICER_PASSWORD = "Ornithorynque-Bleu-1987"
LINK_RE = re.compile(r"(https?://[^/\s]+)(/invitations/[\w-]+/)")


def _open_from_console(**overrides: str) -> str:
    options = {
        "name": "Clinicloud Hébergement",
        "slug": "clinicloud",
        "officer_email": OFFICER_EMAIL,
    } | overrides
    out = StringIO()
    # Run what the service schedules after commit (the e-mail), as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("organisation_open", stdout=out, **options)
    return out.getvalue()


def test_from_an_empty_database_to_an_officer_logged_in_with_totp(settings: Settings) -> None:
    settings.SITE_URL = "https://hds.example.org"
    assert not Organisation.objects.exists()
    assert not User.objects.exists()

    output = _open_from_console()

    # The printed link is the e-mailed one, on SITE_URL.
    printed = LINK_RE.search(output)
    assert printed is not None, output
    assert printed.group(1) == "https://hds.example.org"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [OFFICER_EMAIL]
    assert printed.group(0) in str(mail.outbox[0].body)
    # Nobody in the app sent it: the e-mail does not name an inviter.
    assert "None" not in str(mail.outbox[0].body)
    invitation = Invitation.objects.get()
    assert invitation.invited_by is None
    assert invitation.role == Role.OFFICER

    # The officer opens the link, sets a name and password, then enrols an authenticator.
    client = Client()
    path = printed.group(2)
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "full_name": "Camille Martin",
            "password1": OFFICER_PASSWORD,
            "password2": OFFICER_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/mfa/enrol/"
    assert client.get("/mfa/enrol/").status_code == 200
    officer = User.objects.get(email=OFFICER_EMAIL)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post("/mfa/enrol/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/mfa/backup-codes/"

    # Verified: the home leads to the organisation's page, where an officer manages members.
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/o/clinicloud/"
    assert response.status_code == 200
    assert client.get("/o/clinicloud/members/").status_code == 200

    organisation = Organisation.objects.get(slug="clinicloud")
    assert Membership.objects.get(organisation=organisation).user == officer
    assert set(get_perms(officer, organisation)) == set(ROLE_PERMS[Role.OFFICER])
    kinds = list(
        TrailEvent.objects.filter(organisation=organisation)
        .order_by("seq")
        .values_list("kind", "actor_id")
    )
    assert kinds == [
        ("organisation.created", None),
        ("invitation.sent", None),
        ("invitation.accepted", officer.pk),
        ("membership.created", officer.pk),
    ]


def test_an_opened_organisation_is_set_up_like_the_demo_one() -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    demo = Organisation.objects.get(slug="demo")
    demo_officer = Membership.objects.filter(organisation=demo, role=Role.OFFICER).first()
    assert demo_officer is not None
    demo_perms = set(get_perms(demo_officer.user, demo))

    _open_from_console()
    invitation = Invitation.objects.get(organisation__slug="clinicloud")
    user = UserFactory(email=OFFICER_EMAIL)
    invitation_accept_existing_user(invitation=invitation, user=user)
    assert set(get_perms(user, invitation.organisation)) == demo_perms


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Clinicloud Hébergement"}, "short name"),
        ({"slug": "x" * 61}, "short name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"officer_email": "not-an-address"}, "e-mail"),
    ],
)
def test_bad_input_stops_with_a_message_and_changes_nothing(
    english: None, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _open_from_console(**overrides)
    assert not Organisation.objects.exists()
    assert not Invitation.objects.exists()
    assert not TrailEvent.objects.exists()
    assert not mail.outbox


def test_a_taken_short_name_stops_with_a_message(english: None) -> None:
    _open_from_console()
    with pytest.raises(CommandError, match="already exists"):
        _open_from_console(name="Autre", officer_email="other@clinicloud.test")
    assert Organisation.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_the_invitation_email_is_in_the_language_asked() -> None:
    _open_from_console(language="en")
    assert "You are invited to join Clinicloud Hébergement" in str(mail.outbox[0].body)


def test_only_staff_may_open_an_organisation(english: None) -> None:
    with pytest.raises(CoreError, match="Only staff"):
        organisation_open(
            name="Clinicloud",
            slug="clinicloud",
            officer_email=OFFICER_EMAIL,
            actor=UserFactory(is_staff=False),
        )
    assert not Organisation.objects.exists()


# --- the staff page -------------------------------------------------------------------------

OPEN_URL = "/staff/organisations/open/"
FORM = {"name": "Clinicloud", "slug": "clinicloud", "officer_email": OFFICER_EMAIL}


@pytest.fixture
def staff() -> User:
    return UserFactory(email="ops@hdsready.test", is_staff=True)


def test_staff_page_opens_an_organisation_and_shows_the_link(
    staff: User, settings: Settings
) -> None:
    settings.SITE_URL = "https://hds.example.org"
    client = verified_client_for(staff)
    assert client.get(OPEN_URL).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(OPEN_URL, FORM)
    assert response.status_code == 200
    invitation = Invitation.objects.get(organisation__slug="clinicloud")
    assert invitation.invited_by == staff
    assert invitation.email == OFFICER_EMAIL
    shown = LINK_RE.search(response.content.decode())
    assert shown is not None
    assert shown.group(0) in str(mail.outbox[0].body)
    event = TrailEvent.objects.get(kind="organisation.created")
    assert event.actor == staff
    # The staff member opened it; they are not a member of it.
    assert not Membership.objects.filter(user=staff).exists()


def test_staff_page_keeps_the_input_and_says_what_is_wrong(staff: User, english: None) -> None:
    client = verified_client_for(staff)
    _open_from_console()
    response = client.post(OPEN_URL, FORM | {"name": "Another name"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already exists" in html
    assert 'value="Another name"' in html
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    "hostile",
    [
        {"name": "Clini\x00cloud"},
        {"name": "x" * 10_000},
        {"slug": "clini\x00cloud"},
        {"slug": "²"},
        {"officer_email": "rssi\x00@clinicloud.test"},
        {"officer_email": "a" * 10_000 + "@clinicloud.test"},
    ],
)
def test_staff_page_refuses_hostile_input_and_changes_nothing(
    staff: User, hostile: dict[str, str]
) -> None:
    response = verified_client_for(staff).post(OPEN_URL, FORM | hostile)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Organisation.objects.exists()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_staff_page_is_not_found_for_members_and_needs_the_second_factor(
    officer: User, staff: User
) -> None:
    assert verified_client_for(officer).get(OPEN_URL).status_code == 404
    assert verified_client_for(officer).post(OPEN_URL, FORM).status_code == 404
    unverified = Client()
    unverified.force_login(staff)
    response = unverified.get(OPEN_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/mfa/verify/")
    assert Organisation.objects.get() == officer.memberships.get().organisation


def test_staff_page_refuses_other_methods(staff: User) -> None:
    assert verified_client_for(staff).put(OPEN_URL).status_code == 405


def test_the_admin_cannot_add_an_organisation_without_officer() -> None:
    request = RequestFactory().get("/admin/hdsready/organisation/add/")
    request.user = User.objects.create_superuser(email="root@hdsready.test", password="x")
    assert admin.site.get_model_admin(Organisation).has_add_permission(request) is False
