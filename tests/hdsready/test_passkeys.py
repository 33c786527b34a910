"""Passkeys: the ceremonies on genuine (generated) answers, their refusals, the views, the
organisation's requirement and the trail."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from hdsready.models import Organisation, TrailEvent, User
from hdsready.services import CoreError
from hdsready.services.mfa import mfa_check_code, mfa_reset
from hdsready.services.organisations import membership_create
from hdsready.services.passkeys import (
    PASSKEYS_PER_USER_MAX,
    mfa_check_passkey,
    organisation_set_passkey_policy,
    passkey_authentication_begin,
    passkey_register,
    passkey_registration_begin,
    passkey_remove,
    passkey_rename,
)
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    UserFactory,
    make_passkey,
    membership_of,
)
from tests.hdsready.passkey_authenticator import ORIGIN, RP_ID, SoftAuthenticator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _relying_party(settings) -> None:
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def _enrol(user: User, authenticator: SoftAuthenticator, name: str = "Portable"):
    now = timezone.now()
    ceremony = passkey_registration_begin(user=user, now=now)
    return passkey_register(
        user=user,
        state=ceremony.state,
        credential_json=authenticator.register(ceremony.options),
        name=name,
        now=now,
    )


def _kinds(user: User) -> list[str]:
    return list(
        TrailEvent.objects.filter(actor=user).order_by("seq").values_list("kind", flat=True)
    )


# The ceremonies -------------------------------------------------------------------------------


def test_a_passkey_enrolled_then_used_moves_its_sign_count(officer, english) -> None:
    authenticator = SoftAuthenticator()
    passkey = _enrol(officer, authenticator, "Clé jaune")
    assert passkey.name == "Clé jaune"
    assert passkey.confirmed
    assert passkey.sign_count == 0
    now = timezone.now()
    for expected_count in (1, 2):
        ceremony = passkey_authentication_begin(user=officer, now=now)
        # The server lists the user's passkeys for the browser (second factor after the password).
        assert [c["id"] for c in ceremony.options["allowCredentials"]] == [
            json.loads(authenticator.register(ceremony.options))["id"]
        ]
        used = mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options),
            now=now,
        )
        assert used.pk == passkey.pk
        used.refresh_from_db()
        assert used.sign_count == expected_count
        assert used.last_used_at is not None
    assert _kinds(officer)[-3:] == ["mfa.passkey_enrolled", "mfa.passed", "mfa.passed"]


def test_several_passkeys_any_of_them_signs(officer) -> None:
    laptop, key = SoftAuthenticator(), SoftAuthenticator()
    _enrol(officer, laptop, "Portable")
    _enrol(officer, key, "Clé")
    now = timezone.now()
    for authenticator, name in ((key, "Clé"), (laptop, "Portable")):
        ceremony = passkey_authentication_begin(user=officer, now=now)
        # The second enrolment was told to exclude the first passkey; login allows both.
        assert len(ceremony.options["allowCredentials"]) == 2
        used = mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options),
            now=now,
        )
        assert used.name == name


def test_an_enrolment_answer_from_another_origin_is_refused(officer, english) -> None:
    now = timezone.now()
    ceremony = passkey_registration_begin(user=officer, now=now)
    answer = SoftAuthenticator().register(ceremony.options, origin="https://hdsready.phishing.test")
    with pytest.raises(CoreError, match="could not be verified: nothing was saved"):
        passkey_register(
            user=officer, state=ceremony.state, credential_json=answer, name="x", now=now
        )
    assert not WebAuthnCredential.objects.filter(user=officer).exists()


def test_a_signature_for_another_origin_is_refused_and_recorded(officer, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    now = timezone.now()
    ceremony = passkey_authentication_begin(user=officer, now=now)
    phished = authenticator.sign(ceremony.options, origin="https://hdsready.phishing.test")
    with pytest.raises(CoreError, match="could not be verified"):
        mfa_check_passkey(user=officer, state=ceremony.state, credential_json=phished, now=now)
    assert _kinds(officer)[-1] == "mfa.failed"


def test_a_challenge_answered_for_another_request_is_refused(officer, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    now = timezone.now()
    first = passkey_authentication_begin(user=officer, now=now)
    second = passkey_authentication_begin(user=officer, now=now)
    with pytest.raises(CoreError, match="could not be verified"):
        mfa_check_passkey(
            user=officer,
            state=second.state,
            credential_json=authenticator.sign(first.options),
            now=now,
        )


def test_a_stale_challenge_is_refused(officer, settings, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    then = timezone.now()
    ceremony = passkey_authentication_begin(user=officer, now=then)
    later = then + timedelta(seconds=settings.OTP_WEBAUTHN_TIMEOUT_SECONDS + 1)
    with pytest.raises(CoreError, match="expired"):
        mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options),
            now=later,
        )


def test_a_sign_count_going_back_is_refused_as_a_cloned_key(officer, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    now = timezone.now()
    ceremony = passkey_authentication_begin(user=officer, now=now)
    mfa_check_passkey(
        user=officer,
        state=ceremony.state,
        credential_json=authenticator.sign(ceremony.options, count_step=5),
        now=now,
    )
    ceremony = passkey_authentication_begin(user=officer, now=now)
    with pytest.raises(CoreError, match="could not be verified"):
        mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options, count_step=-3),
            now=now,
        )


def test_another_users_passkey_does_not_pass(officer, contributor, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(contributor, authenticator)
    _enrol(officer, SoftAuthenticator())
    now = timezone.now()
    ceremony = passkey_authentication_begin(user=officer, now=now)
    with pytest.raises(CoreError, match="could not be verified"):
        mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options),
            now=now,
        )


def test_a_removed_passkey_no_longer_passes(officer, english) -> None:
    authenticator = SoftAuthenticator()
    passkey = _enrol(officer, authenticator)
    passkey_remove(passkey=passkey, actor=officer)
    now = timezone.now()
    ceremony = passkey_authentication_begin(user=officer, now=now)
    with pytest.raises(CoreError, match="could not be verified"):
        mfa_check_passkey(
            user=officer,
            state=ceremony.state,
            credential_json=authenticator.sign(ceremony.options),
            now=now,
        )


@pytest.mark.parametrize(
    "answer", ["", "null", "[]", "{}", '{"id": "x"}', "\x00", "{" * 5000, '"' + "a" * 10_000 + '"']
)
def test_broken_answers_are_refused_clearly(officer, answer, english) -> None:
    now = timezone.now()
    registration = passkey_registration_begin(user=officer, now=now)
    with pytest.raises(CoreError):
        passkey_register(
            user=officer, state=registration.state, credential_json=answer, name="x", now=now
        )
    authentication = passkey_authentication_begin(user=officer, now=now)
    with pytest.raises(CoreError):
        mfa_check_passkey(user=officer, state=authentication.state, credential_json=answer, now=now)
    assert not WebAuthnCredential.objects.filter(user=officer).exists()


def test_the_same_passkey_cannot_be_enrolled_twice(officer, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    with pytest.raises(CoreError, match="already enrolled"):
        _enrol(officer, authenticator)


# Names and removal ---------------------------------------------------------------------------


def test_rename_and_remove_write_the_trail(officer) -> None:
    passkey = make_passkey(officer, "Portable")
    passkey_rename(passkey=passkey, name="Portable du bureau", actor=officer)
    passkey.refresh_from_db()
    assert passkey.name == "Portable du bureau"
    passkey_remove(passkey=passkey, actor=officer)  # the authenticator app remains
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    events = TrailEvent.objects.filter(actor=officer).order_by("seq")
    renamed, removed = list(events)[-2:]
    assert (renamed.kind, renamed.data["from"], renamed.data["to"]) == (
        "mfa.passkey_renamed",
        "Portable",
        "Portable du bureau",
    )
    assert (removed.kind, removed.data["passkey"]) == ("mfa.passkey_removed", "Portable du bureau")


def test_the_last_second_factor_is_not_removed(db, english) -> None:
    user = UserFactory(with_totp=False)
    passkey = make_passkey(user)
    with pytest.raises(CoreError, match="only second factor"):
        passkey_remove(passkey=passkey, actor=user)
    second = make_passkey(user, "Clé")
    passkey_remove(passkey=passkey, actor=user)
    assert list(WebAuthnCredential.objects.filter(user=user)) == [second]


def test_under_the_requirement_the_last_passkey_stays(organisation, officer, english) -> None:
    passkey = make_passkey(officer)
    organisation_set_passkey_policy(organisation=organisation, required=True, actor=officer)
    with pytest.raises(CoreError, match="requires a passkey"):
        passkey_remove(passkey=passkey, actor=officer)


def test_an_officers_reset_removes_the_passkeys_too(organisation, officer, contributor) -> None:
    make_passkey(contributor)
    mfa_reset(membership=membership_of(contributor, organisation), actor=officer)
    assert not WebAuthnCredential.objects.filter(user=contributor).exists()


# The organisation's requirement --------------------------------------------------------------


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"


def test_the_requirement_is_recorded_once_per_change(organisation: Organisation, officer) -> None:
    for required in (True, True, False):
        organisation_set_passkey_policy(organisation=organisation, required=required, actor=officer)
    kinds = (
        TrailEvent.objects.filter(organisation=organisation)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert [k for k in kinds if k.startswith("organisation.passkeys")] == [
        "organisation.passkeys_required",
        "organisation.passkeys_optional",
    ]


def test_codes_are_refused_once_the_member_has_a_passkey(organisation, officer) -> None:
    make_passkey(officer)
    assert mfa_check_code(user=officer, token=_code(officer)).device is not None
    organisation_set_passkey_policy(organisation=organisation, required=True, actor=officer)
    check = mfa_check_code(user=officer, token=_code(officer))
    assert check.device is None
    assert check.passkey_required


def test_the_strictest_organisation_wins(organisation, officer, outsider) -> None:
    """A person in two organisations: one requiring passkeys binds their whole login."""
    strict = OrganisationFactory(require_passkeys=True)
    membership_create(organisation=strict, user=officer, role="contributor", actor=None)
    make_passkey(officer)
    make_passkey(outsider)
    assert mfa_check_code(user=officer, token=_code(officer)).passkey_required
    assert mfa_check_code(user=outsider, token=_code(outsider)).device is not None


def _password_only(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("hdsready:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_member_without_a_passkey_is_led_to_enrol_one(organisation, officer, english) -> None:
    organisation_set_passkey_policy(organisation=organisation, required=True, actor=officer)
    client = _password_only(officer)
    response = client.post(reverse("hdsready:mfa-verify"), {"code": _code(officer)})
    assert response["Location"] == reverse("hdsready:passkey-list")
    # Everything else leads back to the passkey list until one is enrolled.
    home = reverse("hdsready:organisation-home", args=[organisation.slug])
    assert client.get(home)["Location"] == reverse("hdsready:passkey-list")
    page = client.get(reverse("hdsready:passkey-list"))
    assert page.status_code == 200
    assert b"passkey-required-notice" in page.content
    # The header offers nothing the session would be refused, and the API refuses it too.
    assert reverse("hdsready:token-list").encode() not in page.content
    assert client.get("/api/organisations/").status_code == 403
    state = client.session["passkey_registration"]
    answer = SoftAuthenticator().register({"challenge": state["challenge"]})
    response = client.post(
        reverse("hdsready:passkey-register"), {"name": "Portable", "credential": answer}
    )
    assert response["Location"] == reverse("hdsready:passkey-list")
    assert client.get(home).status_code == 200
    assert client.get("/api/organisations/").status_code == 200


def test_passkey_login_through_the_views_and_no_replay(officer, english) -> None:
    authenticator = SoftAuthenticator()
    _enrol(officer, authenticator)
    client = _password_only(officer)
    page = client.get(reverse("hdsready:mfa-verify"))
    assert b'id="passkey-verify"' in page.content
    options = page.context["authentication_options"]
    answer = authenticator.sign(options)
    target = reverse("hdsready:token-list")
    response = client.post(
        reverse("hdsready:mfa-passkey-verify"), {"credential": answer, "next": target}
    )
    assert response["Location"] == target
    assert client.get(target).status_code == 200
    # The same answer again, in a new session: its challenge is gone, it is refused.
    client = _password_only(officer)
    client.get(reverse("hdsready:mfa-verify"))
    response = client.post(reverse("hdsready:mfa-passkey-verify"), {"credential": answer})
    assert response["Location"] == reverse("hdsready:mfa-verify")
    follow = client.get(response["Location"])
    assert "could not be verified" in follow.content.decode()
    assert client.get(target).status_code == 302


def test_an_answer_sent_twice_is_refused_the_second_time(officer, english) -> None:
    """The session's challenge is used once: a replayed enrolment answer finds none."""
    client = Client()
    client.force_login(officer)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=officer).persistent_id
    session.save()
    client.get(reverse("hdsready:passkey-list"))
    state = client.session["passkey_registration"]
    answer = SoftAuthenticator().register({"challenge": state["challenge"]})
    data = {"name": "Portable", "credential": answer}
    client.post(reverse("hdsready:passkey-register"), data)
    response = client.post(reverse("hdsready:passkey-register"), data, follow=True)
    assert "already used or never made" in response.content.decode()
    assert WebAuthnCredential.objects.filter(user=officer).count() == 1


def test_a_first_second_factor_can_be_a_passkey(db, english) -> None:
    user = UserFactory(with_totp=False)
    client = _password_only(user)
    page = client.get(reverse("hdsready:mfa-enrol"))
    options = page.context["registration_options"]
    response = client.post(
        reverse("hdsready:passkey-register"),
        {"name": "Portable", "credential": SoftAuthenticator().register(options)},
    )
    assert response["Location"] == reverse("hdsready:mfa-backup-codes")
    assert StaticDevice.objects.filter(user=user).exists()
    assert client.get(reverse("hdsready:token-list")).status_code == 200


def test_passkeys_per_person_are_bounded(officer, english) -> None:
    for number in range(PASSKEYS_PER_USER_MAX):
        make_passkey(officer, f"Clé {number}")
    with pytest.raises(CoreError, match="the most there can be"):
        _enrol(officer, SoftAuthenticator())


def test_the_passkey_list_costs_the_same_with_few_or_many(
    officer, django_assert_max_num_queries
) -> None:
    client = Client()
    client.force_login(officer)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=officer).persistent_id
    session.save()
    client.get(reverse("hdsready:passkey-list"))  # the first visit makes the user's handle
    counts = []
    for total in (1, PASSKEYS_PER_USER_MAX):
        while WebAuthnCredential.objects.filter(user=officer).count() < total:
            make_passkey(officer, "Clé")
        with django_assert_max_num_queries(20) as captured:
            response = client.get(reverse("hdsready:passkey-list"))
        assert response.status_code == 200
        assert response.content.count(b'data-passkey-id="') == total
        counts.append(len(captured))
    assert counts[0] == counts[1]
