"""Request-wide rules: the client address for the trail, MFA before anything else, and a clear
answer when stored files cannot be decrypted."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from hdsready.encryption import EncryptionKeyError
from hdsready.http import PASSKEY_ENROLMENT_REQUIRED, user_is_verified
from hdsready.request_context import client_ip
from hdsready.services.mfa import user_has_confirmed_device

# URL names a logged-in user may reach before passing the second factor.
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "hdsready:login",
        "hdsready:sso-start",
        "hdsready:sso-callback",
        "hdsready:logout",
        "hdsready:mfa-verify",
        "hdsready:mfa-enrol",
        "hdsready:mfa-passkey-verify",
        # The view itself refuses a user who already has a second factor and has not passed it.
        "hdsready:passkey-register",
        "hdsready:invitation-accept",
        "audits:auditor-accept",
        "hdsready:language-set",
        # The public guarantees page (HDS v2 EXI 31) is the same for everyone.
        "guarantees:public-latest",
        "guarantees:public-version",
        "guarantees:public-pdf",
    }
)
# What a session opened by a code may reach while its organisation requires a passkey that the
# user has not enrolled yet (set when a code passes, hdsready.views.auth.mfa_verify).
PASSKEY_ENROLMENT_URL_NAMES = frozenset(
    {
        "hdsready:passkey-list",
        "hdsready:passkey-register",
        "hdsready:mfa-backup-codes",
        "hdsready:logout",
        "hdsready:language-set",
    }
)
# The REST API answers for itself (hdsready/api_auth.py IsVerified): 401/403 in JSON, not a
# redirect to the verification page that a script cannot follow.
API_PATH_PREFIX = "/api/"


def request_ip(request: HttpRequest) -> str | None:
    if settings.TRAIL_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class RequireMFAMiddleware:
    """A logged-in user reaches nothing but enrolment or verification until MFA is passed, nor
    anything but passkey enrolment while their organisation requires one they lack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if not user_is_verified(user):
            if not _reachable(request, MFA_EXEMPT_URL_NAMES):
                if user_has_confirmed_device(user=user):
                    return redirect("hdsready:mfa-verify")
                return redirect("hdsready:mfa-enrol")
        elif request.session.get(PASSKEY_ENROLMENT_REQUIRED) and not _reachable(
            request, PASSKEY_ENROLMENT_URL_NAMES
        ):
            return redirect("hdsready:passkey-list")
        return self.get_response(request)


logger = logging.getLogger("hdsready.storage")


class EncryptionKeyErrorMiddleware:
    """A stored file whose key is missing from EVIDENCE_KEYS, or wrong, is the server's
    configuration at fault: 503 with a plain message (nothing of the file served), and the
    operator's details (which key, which file) in the log, not on the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, EncryptionKeyError):
            return None
        logger.error("Stored file unreadable at %s: %s", request.path, exception)
        message = _(
            "This file cannot be opened right now: the server does not hold the key it is "
            "encrypted with. Nothing was served or changed. Please tell your administrator: "
            "the details are in the server's log."
        )
        if request.path_info.startswith(API_PATH_PREFIX):
            return JsonResponse({"detail": message}, status=503)
        return render(
            request, "hdsready/storage_unavailable.html", {"message": message}, status=503
        )


def _reachable(request: HttpRequest, url_names: frozenset[str]) -> bool:
    if request.path.startswith(settings.STATIC_URL) or request.path_info.startswith(
        API_PATH_PREFIX
    ):
        return True
    try:
        url_name = resolve(request.path_info).view_name
    except Resolver404:
        url_name = ""
    return url_name in url_names
