"""Single sign-on: the login through an organisation's identity provider, and the officer's
settings page for it."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.forms import IdentityProviderForm, SSOStartForm
from hdsready.http import AuthedHttpRequest, user_is_verified
from hdsready.selectors import (
    identity_provider_for_email,
    identity_provider_get,
    identity_provider_of_organisation,
    organisation_get_for_user,
)
from hdsready.services import CoreError
from hdsready.services.mfa import login_failures_clear, user_has_confirmed_device
from hdsready.services.sso import (
    SESSION_PROVIDER_KEY,
    ProviderSettings,
    identity_provider_save,
    sso_authorization_url,
    sso_claims,
    sso_login,
)

verified = otp_required(login_url="hdsready:login")
# The session's own login stays the password backend's: SSO users have no usable password.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    if user_is_verified(request.user):
        return redirect("hdsready:home")
    form = SSOStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        provider = identity_provider_for_email(email=email)
        if provider is None:
            form.add_error(
                "email",
                _("Single sign-on is not set up for this address: log in with your password."),
            )
        else:
            try:
                url = sso_authorization_url(
                    request=request,
                    provider=provider,
                    redirect_uri=request.build_absolute_uri(reverse("hdsready:sso-callback")),
                    email=email,
                )
            except CoreError as exc:
                form.add_error(None, str(exc))
            else:
                # A page that moves on by itself, not a redirect: the Content-Security-Policy's
                # form-action (this site only) also covers the redirects after a form is sent.
                return render(request, "hdsready/sso_redirect.html", {"authorization_url": url})
    return render(request, "hdsready/sso_start.html", {"form": form})


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("hdsready:sso-start")


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if user_is_verified(request.user):
        return redirect("hdsready:home")
    provider = identity_provider_get(pk=request.session.pop(SESSION_PROVIDER_KEY, None))
    if provider is None:
        return _refuse(
            request,
            _(
                "This sign-in answer does not match a sign-in started here, or was already "
                "used: start again."
            ),
        )
    try:
        claims = sso_claims(request=request, provider=provider)
        result = sso_login(provider=provider, claims=claims)
    except CoreError as exc:
        return _refuse(request, str(exc))
    login(request, result.user, backend=SESSION_BACKEND)
    if result.mfa_device is not None:
        otp_login(request, result.mfa_device)
        login_failures_clear(user=result.user, ip_address=get_client_ip_address(request))
        return redirect("hdsready:home")
    step = "mfa-verify" if user_has_confirmed_device(user=result.user) else "mfa-enrol"
    return redirect(f"hdsready:{step}")


@require_http_methods(["GET", "POST"])
@verified
def identity_provider_edit(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    provider = identity_provider_of_organisation(organisation=organisation)
    initial = (
        {
            "enabled": provider.enabled,
            "issuer_url": provider.issuer_url,
            "client_id": provider.client_id,
            "email_domains": "\n".join(provider.domains),
            "join_by_domain": provider.join_by_domain,
            "trust_provider_mfa": provider.trust_provider_mfa,
            "accepted_mfa_values": provider.accepted_mfa_values,
        }
        if provider
        else {"enabled": True, "accepted_mfa_values": "mfa"}
    )
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            identity_provider_save(
                organisation=organisation,
                values=ProviderSettings(**form.cleaned_data),
                actor=request.user,
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Single sign-on settings saved."))
            return redirect("hdsready:identity-provider-edit", slug=slug)
    return render(
        request,
        "hdsready/identity_provider_form.html",
        {
            "organisation": organisation,
            "provider": provider,
            "form": form,
            "callback_url": request.build_absolute_uri(reverse("hdsready:sso-callback")),
        },
    )
