"""Login, second factor, enrolment, logout, language."""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.decorators import otp_required

from hdsready.forms import CodeForm, EmailLoginForm
from hdsready.http import (
    PASSKEY_ENROLMENT_REQUIRED,
    AuthedHttpRequest,
    safe_next,
    user_is_verified,
)
from hdsready.services import CoreError
from hdsready.services.mfa import (
    backup_codes_regenerate,
    code_login_refused,
    login_failures_clear,
    mfa_check_code,
    totp_enrolment_confirm,
    totp_enrolment_start,
    user_has_confirmed_device,
)
from hdsready.services.organisations import user_set_language
from hdsready.services.passkeys import passkeys_required_for, user_has_passkey
from hdsready.trail import trail_record
from hdsready.views.passkeys import (
    authentication_context,
    registration_context,
)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if user_is_verified(request.user):
        return redirect(safe_next(request))
    form = EmailLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        trail_record(kind="user.logged_in", actor=user, target=user)
        step = "mfa-verify" if user_has_confirmed_device(user=user) else "mfa-enrol"
        url = reverse(f"hdsready:{step}")
        nxt = request.POST.get("next")
        return redirect(f"{url}?{urlencode({'next': nxt})}" if nxt else url)
    return render(
        request, "hdsready/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        trail_record(kind="user.logged_out", actor=request.user, target=request.user)
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("hdsready:login")


@require_http_methods(["GET", "POST"])
@login_required
def mfa_verify(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if user_is_verified(user):
        return redirect(safe_next(request))
    if not user_has_confirmed_device(user=user):
        return redirect("hdsready:mfa-enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa_check_code(user=user, token=form.cleaned_data["code"])
        if check.device is not None:
            otp_login(request, check.device)
            login_failures_clear(user=user, ip_address=get_client_ip_address(request))
            if passkeys_required_for(user=user):
                # No passkey yet (else the code was refused): this session may only enrol one.
                request.session[PASSKEY_ENROLMENT_REQUIRED] = True
                messages.warning(
                    request, _("Your organisation requires a passkey: enrol one to continue.")
                )
                return redirect("hdsready:passkey-list")
            return redirect(safe_next(request))
        # Every refused code counts as a failed login for django-axes: after AXES_FAILURE_LIMIT
        # the account is locked for this address, the session ends, the lockout page shows.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.email}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "hdsready/lockout.html", status=429)
        if check.passkey_required:
            form.add_error(
                "code",
                _("Your organisation requires a passkey: a code no longer suffices."),
            )
        elif check.throttled:
            form.add_error("code", _("Too many attempts: wait a few seconds, then try again."))
        else:
            form.add_error("code", _("This code is not valid."))
    has_passkey = user_has_passkey(user=user)
    return render(
        request,
        "hdsready/mfa_verify.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "has_passkey": has_passkey,
            "codes_refused": code_login_refused(user=user),
            **(authentication_context(request) if has_passkey else {}),
        },
    )


def _qr_svg(config_url: str) -> str:
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@require_http_methods(["GET", "POST"])
@login_required
def mfa_enrol(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    # With a confirmed device, only a verified session may enrol a new one: a password alone
    # must never be enough to replace the second factor.
    if user_has_confirmed_device(user=user) and not user_is_verified(user):
        return redirect("hdsready:mfa-verify")
    passkeys_context = registration_context(request)
    if passkeys_required_for(user=user):
        # An organisation of the user requires passkeys: no authenticator app is offered.
        return render(
            request, "hdsready/mfa_enrol.html", {"passkeys_required": True, **passkeys_context}
        )
    device = totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrolment_confirm(
                user=user, device=device, token=form.cleaned_data["code"]
            )
        except CoreError as exc:
            form.add_error("code", str(exc))
        else:
            otp_login(request, device)
            login_failures_clear(user=user, ip_address=get_client_ip_address(request))
            request.session["fresh_backup_codes"] = codes
            messages.success(request, _("Your authenticator is set up."))
            return redirect("hdsready:mfa-backup-codes")
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "hdsready/mfa_enrol.html",
        {
            "form": form,
            "secret": secret,
            "qr_svg": _qr_svg(device.config_url),
            **passkeys_context,
        },
    )


@require_http_methods(["GET", "POST"])
@otp_required(login_url="hdsready:login")
def mfa_backup_codes(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        request.session["fresh_backup_codes"] = backup_codes_regenerate(user=user)
        messages.success(request, _("New backup codes: the old ones no longer work."))
        return redirect("hdsready:mfa-backup-codes")
    codes = request.session.pop("fresh_backup_codes", None)
    return render(request, "hdsready/mfa_backup_codes.html", {"codes": codes})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response
