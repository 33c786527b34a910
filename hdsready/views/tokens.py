"""The user's API tokens: made here, behind the second factor, and shown once."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready.forms import ApiTokenForm
from hdsready.http import AuthedHttpRequest
from hdsready.selectors import api_token_get_for_user, api_tokens_of_user
from hdsready.services import CoreError
from hdsready.services.tokens import api_token_create, api_token_revoke

verified = otp_required(login_url="hdsready:login")


@require_http_methods(["GET", "POST"])
@never_cache
@verified
def token_list(request: AuthedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = api_token_create(
                user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
        else:
            # Rendered, not redirected: the secret is never stored, so this is its only showing.
            form = ApiTokenForm()
    return render(
        request,
        "hdsready/token_list.html",
        {"tokens": api_tokens_of_user(user=request.user), "form": form, "raw_token": raw},
    )


@require_POST
@verified
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = api_token_get_for_user(user=request.user, pk=pk)
    try:
        api_token_revoke(token=token, actor=request.user)
    except CoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Token revoked."))
    return redirect("hdsready:token-list")
