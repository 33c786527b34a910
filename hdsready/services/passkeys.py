"""Passkeys and security keys (WebAuthn) as a second factor, on django-otp-webauthn.

The library holds the credential model (a django-otp device: name, public key, sign count) and
wraps py_webauthn for the two ceremonies. Here: the rules of this product around them. A
challenge is handed to the browser with the page, kept in the session, used once and for a
limited time (a replayed or stale answer is refused); every enrolment, use, rename and removal
writes the trail; an organisation may require passkeys (phishing-resistant authentication, for
access to systems holding health data: ISO 27001 A.8.5, HDS EXI 01 through the ISMS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers.exceptions import WebAuthnException

from hdsready.models import Organisation, User
from hdsready.services import CoreError
from hdsready.trail import trail_record

PASSKEY_NAME_MAX_LENGTH = 64  # django-otp's Device.name
# A browser's answer is a few kilobytes at most (credential id up to 1023 bytes, a public key,
# attestation); anything much larger is refused before parsing.
PASSKEY_ANSWER_MAX_LENGTH = 32_000
# Enough for every device a person owns; it keeps the passkey list (and the browser's list of
# credentials at login) bounded.
PASSKEYS_PER_USER_MAX = 20


class PasskeyHelper(WebAuthnHelper):
    """The library's ceremonies, configured from settings; no request needed (the services run
    them from the session state the view hands over)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request=request)


@dataclass(frozen=True)
class Ceremony:
    """What the browser gets (WebAuthn options as JSON) and what the session keeps."""

    options: dict[str, Any]
    state: dict[str, Any]


def _stamp(state: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    return {**state, "issued_at": now.timestamp()}


def _state_fresh(state: object, *, now: datetime) -> dict[str, Any]:
    """The session's challenge, if there is one and it is still good; a clear error otherwise."""
    if not isinstance(state, dict) or "challenge" not in state:
        raise CoreError(_("This passkey request was already used or never made: try again."))
    issued = state.get("issued_at")
    max_age = timedelta(seconds=settings.OTP_WEBAUTHN_TIMEOUT_SECONDS)
    if not isinstance(issued, int | float) or now - datetime.fromtimestamp(issued, now.tzinfo) > (
        max_age
    ):
        raise CoreError(_("This passkey request has expired: try again."))
    return state


def _browser_answer(credential_json: str) -> dict[str, Any]:
    try:
        data = json.loads(credential_json)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise CoreError(_("Your browser sent no usable passkey answer: try again."))
    return data


def user_has_passkey(*, user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def passkeys_required_for(*, user: User) -> bool:
    """Whether one of the user's organisations requires passkeys.

    The strictest organisation wins: a login opens every organisation of the user at once.
    Auditors are held by it only when they are also members (their access is to one audit,
    recorded by the audits app, and they keep the second factor they chose)."""
    return Organisation.objects.filter(memberships__user=user, require_passkeys=True).exists()


def passkey_registration_begin(*, user: User, now: datetime) -> Ceremony:
    """A new challenge for enrolling one more passkey; the user's passkeys are excluded."""
    options, state = PasskeyHelper().register_begin(user=user)
    return Ceremony(options=options, state=_stamp(state, now=now))


def passkey_register(
    *, user: User, state: object, credential_json: str, name: str, now: datetime
) -> WebAuthnCredential:
    """Check the browser's answer to the enrolment challenge and keep the new passkey."""
    good_state = _state_fresh(state, now=now)
    data = _browser_answer(credential_json)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if WebAuthnCredential.objects.filter(user=user).count() >= PASSKEYS_PER_USER_MAX:
            raise CoreError(
                _("You have %(count)d passkeys, the most there can be: remove one first.")
                % {"count": PASSKEYS_PER_USER_MAX}
            )
        try:
            with transaction.atomic():
                device = PasskeyHelper().register_complete(user=user, state=good_state, data=data)
        except IntegrityError:
            raise CoreError(_("This passkey is already enrolled.")) from None
        except (WebAuthnException, OTPWebAuthnApiError, KeyError, TypeError, ValueError):
            # A wrong origin, a challenge of another request, a forged or broken answer.
            raise CoreError(
                _("The passkey's answer could not be verified: nothing was saved. Try again.")
            ) from None
        device.name = name
        device.save(update_fields=["name"])
        trail_record(
            kind="mfa.passkey_enrolled",
            actor=user,
            target=user,
            data={"passkey": device.name, "passkey_id": device.pk},
        )
    return device


def passkey_authentication_begin(*, user: User, now: datetime) -> Ceremony:
    """A challenge that any of the user's passkeys may sign (second factor: the password was
    checked first, so listing the user's credentials leaks nothing)."""
    options, state = PasskeyHelper().authenticate_begin(user=user, require_user_verification=False)
    return Ceremony(options=options, state=_stamp(state, now=now))


def mfa_check_passkey(
    *, user: User, state: object, credential_json: str, now: datetime
) -> WebAuthnCredential:
    """Check a signed challenge; the sign count moves on (a cloned key going back is refused)."""
    try:
        good_state = _state_fresh(state, now=now)
        data = _browser_answer(credential_json)
        with transaction.atomic():
            try:
                device = PasskeyHelper().authenticate_complete(
                    user=user, state=good_state, data=data
                )
            except (WebAuthnException, OTPWebAuthnApiError, KeyError, TypeError, ValueError):
                raise CoreError(
                    _("The passkey's answer could not be verified. Try again, or use another.")
                ) from None
            if not device.confirmed:
                raise CoreError(_("This passkey is disabled."))
            trail_record(
                kind="mfa.passed",
                actor=user,
                target=user,
                data={"method": "passkey", "passkey": device.name},
            )
            return device
    except CoreError as exc:
        trail_record(
            kind="mfa.failed", actor=user, target=user, data={"method": "passkey", "why": str(exc)}
        )
        raise


def passkey_rename(*, passkey: WebAuthnCredential, name: str, actor: User) -> WebAuthnCredential:
    with transaction.atomic():
        passkey = WebAuthnCredential.objects.select_for_update().get(pk=passkey.pk, user=actor)
        old = passkey.name
        passkey.name = name
        passkey.save(update_fields=["name"])
        trail_record(
            kind="mfa.passkey_renamed",
            actor=actor,
            target=actor,
            data={"from": old, "to": name, "passkey_id": passkey.pk},
        )
    return passkey


def passkey_remove(*, passkey: WebAuthnCredential, actor: User) -> None:
    """Remove a passkey, never the last way in: another passkey or an authenticator app must
    remain (backup codes alone are for a lost device, not a second factor), and with an
    organisation requiring passkeys, another passkey."""
    with transaction.atomic():
        # The user's row is the lock: two removals at once cannot both leave the other.
        User.objects.select_for_update().get(pk=actor.pk)
        passkey = WebAuthnCredential.objects.get(pk=passkey.pk, user=actor)
        other_passkeys = (
            WebAuthnCredential.objects.filter(user=actor, confirmed=True)
            .exclude(pk=passkey.pk)
            .exists()
        )
        if not other_passkeys:
            if passkeys_required_for(user=actor):
                raise CoreError(
                    _(
                        "Your organisation requires a passkey: enrol another one before "
                        "removing this one."
                    )
                )
            if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
                raise CoreError(
                    _(
                        "This is your only second factor: enrol another passkey or an "
                        "authenticator app before removing it."
                    )
                )
        name = passkey.name
        passkey_id = passkey.pk
        passkey.delete()
        trail_record(
            kind="mfa.passkey_removed",
            actor=actor,
            target=actor,
            data={"passkey": name, "passkey_id": passkey_id},
        )


def backup_codes_missing(*, user: User) -> bool:
    return not StaticDevice.objects.filter(user=user).exists()


def organisation_set_passkey_policy(
    *, organisation: Organisation, required: bool, actor: User
) -> Organisation:
    """An officer requires (or stops requiring) passkeys of the organisation's members."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.require_passkeys == required:
            return organisation
        organisation.require_passkeys = required
        organisation.save(update_fields=["require_passkeys"])
        trail_record(
            kind="organisation.passkeys_required" if required else "organisation.passkeys_optional",
            actor=actor,
            organisation=organisation,
            target=organisation,
        )
    return organisation
