"""Second factor for every user (django-otp): TOTP enrolment, backup codes, reset by an officer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import device_classes, devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from hdsready.models import ApiToken, Membership, ProviderMFADevice, User
from hdsready.services import CoreError
from hdsready.services.passkeys import passkeys_required_for, user_has_passkey
from hdsready.trail import trail_record

TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None
    throttled: bool
    # An organisation of the user requires passkeys and the user has one: codes are refused.
    passkey_required: bool = False


def login_failures_clear(*, user: User, ip_address: str | None) -> int:
    """Forget the failed logins of this account from this address once both factors passed.

    Only a complete login clears the count (AXES_RESET_ON_SUCCESS is off): wrong passwords and
    wrong second-factor codes add up to one lockout, however often the password is re-entered.
    """
    return axes_reset(ip=ip_address, username=user.email)


def user_has_confirmed_device(*, user: User) -> bool:
    """A second factor of our own: the identity provider's (ProviderMFADevice) takes no code
    here, so a user who has only that one enrols a TOTP when our factor is asked."""
    return any(
        not isinstance(device, ProviderMFADevice)
        for device in devices_for_user(user, confirmed=True)
    )


def users_with_confirmed_device(*, user_ids: Iterable[int]) -> set[int]:
    """user_has_confirmed_device for many users at once: one query per kind of device."""
    ids = list(user_ids)
    found: set[int] = set()
    for device_class in device_classes():
        if issubclass(device_class, ProviderMFADevice):
            continue  # not a second factor of our own (user_has_confirmed_device)
        found.update(
            device_class.objects.filter(user_id__in=ids, confirmed=True).values_list(
                "user_id", flat=True
            )
        )
    return found


def code_login_refused(*, user: User) -> bool:
    return passkeys_required_for(user=user) and user_has_passkey(user=user)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is enrolling (one at a time)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
            trail_record(kind="mfa.enrolment_started", actor=user, target=user)
        return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a first code; returns single-use backup codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed:
            raise CoreError(_("This authenticator is already confirmed."))
        if not device.verify_token(token.strip()):
            raise CoreError(_("The code is not valid. Check your device's clock and try again."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any older authenticator goes: one confirmed TOTP device per user.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_backup_codes(user)
        trail_record(kind="mfa.enrolled", actor=user, target=user)
        return codes


def backup_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_backup_codes(user)
        trail_record(kind="mfa.backup_codes_regenerated", actor=user, target=user)
        return codes


def mfa_check_code(*, user: User, token: str) -> CodeCheck:
    """Check a TOTP or backup code. A backup code works once (django-otp deletes it).

    When an organisation of the user requires passkeys and the user has one, no code opens a
    session: codes can be phished, passkeys cannot. A user without a passkey yet still passes
    with a code, to a session that only lets them enrol one (the view marks it)."""
    token = token.strip().replace(" ", "")
    throttled = False
    if code_login_refused(user=user):
        trail_record(kind="mfa.failed", actor=user, target=user, data={"why": "passkeys required"})
        return CodeCheck(device=None, throttled=False, passkey_required=True)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                kind = "mfa.backup_code_used" if isinstance(device, StaticDevice) else "mfa.passed"
                trail_record(kind=kind, actor=user, target=user)
                return CodeCheck(device=device, throttled=False)
        trail_record(kind="mfa.failed", actor=user, target=user, data={"throttled": throttled})
    return CodeCheck(device=None, throttled=throttled)


def mfa_reset(*, membership: Membership, actor: User) -> None:
    """An officer removes a member's devices (lost phone or passkey) and revokes their API
    tokens; the member enrols again at their next login."""
    with transaction.atomic():
        user = membership.user
        removed = 0
        for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        # API tokens were created behind the lost second factor: they go with it.
        tokens_revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        trail_record(
            kind="mfa.reset",
            actor=actor,
            organisation=membership.organisation,
            target=user,
            data={"user": user.email, "devices_removed": removed, "tokens_revoked": tokens_revoked},
        )
