"""Passkeys: the user's list (enrol, rename, remove), their use at login, the officer's policy.

The challenge of each ceremony is made with the page and kept in the session; the browser's
answer comes back in an ordinary form (static/js/passkeys.js fills its hidden field), so errors
are messages on the page like everywhere else.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.forms import (
    PasskeyAnswerForm,
    PasskeyNameForm,
    PasskeyPolicyForm,
    PasskeyRegisterForm,
)
from hdsready.http import (
    PASSKEY_ENROLMENT_REQUIRED,
    AuthedHttpRequest,
    safe_next,
    user_is_verified,
)
from hdsready.selectors import organisation_get_for_user, passkey_get_for_user, passkeys_of_user
from hdsready.services import CoreError
from hdsready.services.mfa import (
    backup_codes_regenerate,
    login_failures_clear,
    user_has_confirmed_device,
)
from hdsready.services.passkeys import (
    mfa_check_passkey,
    organisation_set_passkey_policy,
    passkey_authentication_begin,
    passkey_register,
    passkey_registration_begin,
    passkey_remove,
    passkey_rename,
    passkeys_required_for,
)

verified = otp_required(login_url="hdsready:login")

REGISTRATION_STATE = "passkey_registration"
AUTHENTICATION_STATE = "passkey_authentication"


def _form_errors(form: PasskeyNameForm | PasskeyAnswerForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _refused(form: PasskeyRegisterForm) -> PasskeyRegisterForm:
    """The refused form with its errors, its spent answer emptied for the next try."""
    again = PasskeyRegisterForm({**form.data, "credential": ""})
    again.is_valid()
    again.errors.clear()
    for field, errors in form.errors.items():
        for error in errors:
            again.add_error(None if field in ("__all__", "credential") else field, error)
    return again


def registration_context(request: AuthedHttpRequest) -> dict[str, object]:
    """A fresh enrolment challenge for the page that shows the form (it replaces any older one:
    only the last page opened can enrol)."""
    ceremony = passkey_registration_begin(user=request.user, now=timezone.now())
    request.session[REGISTRATION_STATE] = ceremony.state
    return {"register_form": PasskeyRegisterForm(), "registration_options": ceremony.options}


def authentication_context(request: AuthedHttpRequest) -> dict[str, object]:
    ceremony = passkey_authentication_begin(user=request.user, now=timezone.now())
    request.session[AUTHENTICATION_STATE] = ceremony.state
    return {"answer_form": PasskeyAnswerForm(), "authentication_options": ceremony.options}


def _list_page(
    request: AuthedHttpRequest, *, register_form: PasskeyRegisterForm | None = None
) -> HttpResponse:
    """The passkey list; an enrolment or a renaming refused shows again with its errors."""
    context = registration_context(request)
    if register_form is not None:
        context["register_form"] = register_form
    return render(
        request,
        "hdsready/passkey_list.html",
        {
            "passkeys": list(passkeys_of_user(user=request.user)),
            "passkeys_required": passkeys_required_for(user=request.user),
            "enrolment_required": request.session.get(PASSKEY_ENROLMENT_REQUIRED, False),
            **context,
        },
    )


@require_GET
@never_cache
@verified
def passkey_list(request: AuthedHttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@never_cache
@login_required
def passkey_register_view(request: AuthedHttpRequest) -> HttpResponse:
    """Enrol a passkey: from the passkey list, or as the first second factor (enrolment page)."""
    user = request.user
    first = not user_has_confirmed_device(user=user)
    # With a second factor already, only a verified session may add one (as for TOTP).
    if not first and not user_is_verified(user):
        return redirect("hdsready:mfa-verify")
    state = request.session.pop(REGISTRATION_STATE, None)
    form = PasskeyRegisterForm(request.POST)
    passkey = None
    if form.is_valid():
        try:
            passkey = passkey_register(
                user=user,
                state=state,
                credential_json=form.cleaned_data["credential"],
                name=form.cleaned_data["name"],
                now=timezone.now(),
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
    if passkey is None:
        if first:
            # The enrolment page also holds the authenticator app's form: shown afresh.
            messages.error(request, _form_errors(form))
            return redirect("hdsready:mfa-enrol")
        # The browser's answer is spent: the form comes back with its name and a new challenge.
        return _list_page(request, register_form=_refused(form))
    request.session.pop(PASSKEY_ENROLMENT_REQUIRED, None)
    messages.success(request, _("Passkey “%(name)s” enrolled.") % {"name": passkey.name})
    if first:
        otp_login(request, passkey)
        login_failures_clear(user=user, ip_address=get_client_ip_address(request))
        request.session["fresh_backup_codes"] = backup_codes_regenerate(user=user)
        return redirect("hdsready:mfa-backup-codes")
    return redirect("hdsready:passkey-list")


@require_POST
@verified
def passkey_rename_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    passkey = passkey_get_for_user(user=request.user, pk=pk)
    form = PasskeyNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _list_page(request)
    passkey_rename(passkey=passkey, name=form.cleaned_data["name"], actor=request.user)
    messages.success(request, _("Passkey renamed."))
    return redirect("hdsready:passkey-list")


@require_POST
@verified
def passkey_remove_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    passkey = passkey_get_for_user(user=request.user, pk=pk)
    try:
        passkey_remove(passkey=passkey, actor=request.user)
    except CoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Passkey removed."))
    return redirect("hdsready:passkey-list")


def _verify_url(request: HttpRequest) -> str:
    url = reverse("hdsready:mfa-verify")
    nxt = request.POST.get("next")
    return f"{url}?{urlencode({'next': nxt})}" if nxt else url


@require_POST
@login_required
def mfa_passkey_verify(request: AuthedHttpRequest) -> HttpResponse:
    """The second factor passed with a passkey (the login page's other form)."""
    user = request.user
    if user_is_verified(user):
        return redirect("hdsready:home")
    state = request.session.pop(AUTHENTICATION_STATE, None)
    form = PasskeyAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your browser sent no usable passkey answer: try again."))
        return redirect(_verify_url(request))
    try:
        passkey = mfa_check_passkey(
            user=user,
            state=state,
            credential_json=form.cleaned_data["credential"],
            now=timezone.now(),
        )
    except CoreError as exc:
        # Counted with the wrong codes and passwords by django-axes (see auth.mfa_verify).
        user_login_failed.send(
            sender=__name__, credentials={"username": user.email}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "hdsready/lockout.html", status=429)
        messages.error(request, str(exc))
        return redirect(_verify_url(request))
    otp_login(request, passkey)
    login_failures_clear(user=user, ip_address=get_client_ip_address(request))
    return redirect(safe_next(request))


@require_POST
@verified
def organisation_passkey_policy(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    form = PasskeyPolicyForm(request.POST)
    if form.is_valid():
        required = form.cleaned_data["require_passkeys"]
        organisation_set_passkey_policy(
            organisation=organisation, required=required, actor=request.user
        )
        messages.success(
            request,
            _("Members now log in with a passkey.")
            if required
            else _("Passkeys are no longer required: an authenticator app suffices again."),
        )
    return redirect("hdsready:member-list", slug=slug)
