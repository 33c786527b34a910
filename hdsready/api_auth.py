"""Who may call the REST API: a bearer token, or a browser session that passed the second factor.

Tokens are made on a page behind MFA (hdsready/views/tokens.py), so both ways in carry the
second factor. RequireMFAMiddleware lets /api/ through so that the API answers 401/403 in JSON
instead of redirecting to the verification page; IsVerified is the API's version of that rule.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from hdsready.http import PASSKEY_ENROLMENT_REQUIRED, user_is_verified
from hdsready.models import ApiToken, User
from hdsready.selectors import api_token_usable
from hdsready.services.tokens import api_token_touch

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; a revoked token or a deactivated user gets 401."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("Invalid token.")) from exc
        token = api_token_usable(raw=raw)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        api_token_touch(token=token, now=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes a request without credentials a 401 (with this header), not a 403.
        return 'Bearer realm="api"'


class IsVerified(BasePermission):
    """A token request, or a session whose user passed the second factor (and is not held to
    enrolling a passkey first, see hdsready.middleware)."""

    message = _("Pass the second factor in the application first, or use an API token.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiToken):
            return True
        user = request.user
        if request.session.get(PASSKEY_ENROLMENT_REQUIRED):
            return False
        return bool(user and user.is_authenticated and user_is_verified(user))


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "hdsready.api_auth.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A personal API token, made on the API tokens page.")),
        }
