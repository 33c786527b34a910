"""Single sign-on through an organisation's OpenID Connect provider (authorization code flow
with PKCE, state and nonce, through Authlib).

HDS asks the host to control who reaches the systems (ISO 27001 A.5.16-A.5.18, A.8.5): an
identity provider may log people in, but it never adds anyone to an organisation on its own.
A verified address logs in when it is already a member, or has a pending invitation, or falls
under the domain rule an officer set (then with the least role). The provider's second factor
replaces ours only when an officer trusts it and the ID token's `amr`/`acr` shows it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from hdsready.models import (
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    ProviderMFADevice,
    Role,
    User,
)
from hdsready.services import CoreError
from hdsready.services.invitations import invitation_accept_existing_user
from hdsready.services.organisations import membership_create
from hdsready.trail import trail_record

# Who joins through the officer's domain rule: managers read and print, and change nothing.
DOMAIN_RULE_ROLE = Role.MANAGER
SSO_SCOPE = "openid email profile"
PROVIDER_TIMEOUT_SECONDS = 10
PROVIDER_MFA_DEVICE_NAME = "identity provider"
# Hosts where a plain-http issuer is accepted: a provider on this machine (development, tests).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The PostgreSQL advisory lock under which providers' domains are checked and saved.
DOMAINS_LOCK = int.from_bytes(hashlib.sha256(b"hdsready.sso.domains").digest()[:4])


# --- the client secret, encrypted with a key from the environment -------------------------


def _fernet() -> Fernet:
    # SSO_SECRET_KEY (or SSO_SECRET_KEY_FILE) lives outside the database; a fixed derivation
    # turns any string into a Fernet key (AES-128-CBC + HMAC-SHA256).
    digest = hashlib.sha256(f"hdsready.sso:{settings.SSO_SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def client_secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def client_secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise CoreError(
            _(
                "The identity provider's client secret cannot be read on this server (was "
                "SSO_SECRET_KEY changed?): an officer must enter it again."
            )
        ) from exc


# --- configuration -------------------------------------------------------------------------


def issuer_url_check(url: str) -> str:
    """The issuer without its trailing slash; https, or http on this machine only."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" and not (
        parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS
    ):
        raise CoreError(_("The issuer URL must start with https://."))
    if parts.query or parts.fragment:
        raise CoreError(_("The issuer URL has no query string or fragment."))
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class ProviderSettings:
    enabled: bool
    issuer_url: str
    client_id: str
    client_secret: str  # empty: keep the stored one
    email_domains: list[str]
    join_by_domain: bool
    trust_provider_mfa: bool
    accepted_mfa_values: list[str]


def _domains_locked() -> None:
    """Until the transaction ends, no other organisation's provider settings are saved: the
    check that a domain is free and the save are one step, so two officers claiming the same
    domain at once cannot both have it (PostgreSQL; SQLite writes one transaction at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DOMAINS_LOCK])


def identity_provider_save(
    *, organisation: Organisation, values: ProviderSettings, actor: User
) -> IdentityProvider:
    """Create or change the organisation's provider; the trail records every change, never the
    secret itself."""
    issuer_url = issuer_url_check(values.issuer_url)
    domains = sorted({domain.lower() for domain in values.email_domains})
    if not domains:
        raise CoreError(_("Give at least one e-mail domain."))
    with transaction.atomic():
        _domains_locked()
        # Few rows (one per organisation with single sign-on): a domain belongs to one only.
        taken = {
            domain
            for other in IdentityProvider.objects.exclude(organisation=organisation).only(
                "email_domains"
            )
            for domain in other.domains
            if domain in domains
        }
        if taken:
            raise CoreError(
                _("Another organisation already logs in the addresses of %(domains)s.")
                % {"domains": ", ".join(sorted(set(taken)))}
            )
        provider = (
            IdentityProvider.objects.select_for_update().filter(organisation=organisation).first()
        )
        created = provider is None
        if provider is None:
            if not values.client_secret:
                raise CoreError(_("Give the client secret."))
            provider = IdentityProvider(organisation=organisation)
        before = _audited(provider) if not created else {}
        provider.enabled = values.enabled
        provider.issuer_url = issuer_url
        provider.client_id = values.client_id.strip()
        provider.email_domains = "\n".join(domains)
        provider.join_by_domain = values.join_by_domain
        provider.trust_provider_mfa = values.trust_provider_mfa
        provider.accepted_mfa_values = " ".join(dict.fromkeys(values.accepted_mfa_values))
        if values.client_secret:
            provider.client_secret_encrypted = client_secret_encrypt(values.client_secret)
        provider.updated_at = timezone.now()
        provider.save()
        after = _audited(provider)
        changed = {key: value for key, value in after.items() if before.get(key) != value}
        if not provider.trust_provider_mfa or changed.keys() & {
            "issuer_url",
            "client_id",
            "accepted_mfa_values",
        }:
            # The sessions verified by the provider's second factor lose it at their next
            # request (django-otp finds no device): our own second factor is asked again.
            ProviderMFADevice.objects.filter(identity_provider=provider).delete()
        if values.client_secret:
            changed["client_secret_changed"] = True
        if changed:
            trail_record(
                kind="identity_provider.created" if created else "identity_provider.changed",
                actor=actor,
                organisation=organisation,
                target=provider,
                data=changed,
            )
        return provider


def _audited(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "enabled": provider.enabled,
        "issuer_url": provider.issuer_url,
        "client_id": provider.client_id,
        "email_domains": provider.domains,
        "join_by_domain": provider.join_by_domain,
        "trust_provider_mfa": provider.trust_provider_mfa,
        "accepted_mfa_values": sorted(provider.mfa_values),
    }


# --- the protocol (Authlib keeps state, nonce and PKCE verifier in the session) -------------

SESSION_PROVIDER_KEY = "sso_provider"


def _client(provider: IdentityProvider) -> DjangoOAuth2App:
    oauth = OAuth()
    client = oauth.register(
        name=f"sso-{provider.pk}",
        client_id=provider.client_id,
        client_secret=client_secret_decrypt(provider.client_secret_encrypted),
        server_metadata_url=f"{provider.issuer_url}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SSO_SCOPE,
            "code_challenge_method": "S256",
            "timeout": PROVIDER_TIMEOUT_SECONDS,
        },
    )
    return cast(DjangoOAuth2App, client)


_UNREACHABLE = (requests.RequestException, ValueError, KeyError)


def sso_authorization_url(
    *, request: HttpRequest, provider: IdentityProvider, redirect_uri: str, email: str
) -> str:
    """The provider's authorization URL (state, nonce, PKCE S256), its secrets kept in the
    session for the callback."""
    client = _client(provider)
    try:
        found = client.create_authorization_url(redirect_uri, login_hint=email)
    except (*_UNREACHABLE, OAuthError) as exc:
        raise CoreError(
            _("Your organisation's identity provider cannot be reached: try again later.")
        ) from exc
    client.save_authorize_data(request, redirect_uri=redirect_uri, **found)
    request.session[SESSION_PROVIDER_KEY] = provider.pk
    return str(found["url"])


def sso_claims(*, request: HttpRequest, provider: IdentityProvider) -> Mapping[str, Any]:
    """The ID token's claims, once the state matches a sign-in started in this session, the
    code is exchanged with its PKCE verifier, and the token's signature, issuer, audience,
    expiry and nonce are checked."""
    client = _client(provider)
    try:
        metadata = client.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer_url:
            raise CoreError(_("The identity provider announces another issuer: sign-in refused."))
        token = client.authorize_access_token(
            request, claims_options={"iss": {"essential": True, "values": [metadata["issuer"]]}}
        )
    except OAuthError as exc:
        raise CoreError(
            _(
                "This sign-in answer does not match a sign-in started here, or was already "
                "used: start again."
            )
        ) from exc
    except JoseError as exc:
        raise CoreError(_("The identity provider's answer is not valid: sign-in refused.")) from exc
    except _UNREACHABLE as exc:
        raise CoreError(
            _("Your organisation's identity provider cannot be reached: try again later.")
        ) from exc
    claims = token.get("userinfo")
    if not claims:
        raise CoreError(_("The identity provider's answer is not valid: sign-in refused."))
    return dict(claims)


# --- who logs in ---------------------------------------------------------------------------


def provider_mfa_shown(*, claims: Mapping[str, Any], accepted: frozenset[str]) -> bool:
    """True when the ID token says a second factor was used: one of its `amr` values (a list
    of strings, RFC 8176) or its `acr` value is one the officer accepted. Anything else (no
    claim, a string where a list belongs, nothing accepted) is no proof."""
    amr = claims.get("amr")
    acr = claims.get("acr")
    amr_values = (
        {value for value in amr if isinstance(value, str)} if isinstance(amr, list) else set()
    )
    acr_values = {acr} if isinstance(acr, str) else set()
    return bool((amr_values | acr_values) & accepted)


@dataclass(frozen=True)
class SSOLogin:
    user: User
    mfa_device: ProviderMFADevice | None


def _pending_invitation(organisation: Organisation, email: str, now: datetime) -> Invitation | None:
    return (
        Invitation.objects.select_for_update()
        .filter(
            organisation=organisation,
            email__iexact=email,
            status=InvitationStatus.PENDING,
            expires_at__gt=now,
        )
        .first()
    )


def _user_create_sso(email: str, claims: Mapping[str, Any]) -> User:
    name = claims.get("name")
    user = User.objects.create_user(
        email, full_name=name.strip()[:200] if isinstance(name, str) else ""
    )
    trail_record(kind="user.created", actor=user, target=user, data={"via": "sso"})
    return user


def sso_login(
    *, provider: IdentityProvider, claims: Mapping[str, Any], now: datetime | None = None
) -> SSOLogin:
    """Match the ID token to an account of the provider's organisation, or refuse with nothing
    created: a verified address of the provider's domains that is a member, has a pending
    invitation, or falls under the officer's domain rule."""
    now = now or timezone.now()
    organisation = provider.organisation
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        raise CoreError(
            _("Your identity provider did not confirm your e-mail address: sign-in refused.")
        )
    email = email.strip().lower()
    if email.rpartition("@")[2] not in provider.domains:
        raise CoreError(
            _("This identity provider does not sign in addresses like %(email)s.")
            % {"email": email}
        )
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not existing.is_active:
            raise CoreError(_("This account is disabled."))
        if (
            existing is not None
            and Membership.objects.filter(organisation=organisation, user=existing).exists()
        ):
            user = existing
        elif invitation := _pending_invitation(organisation, email, now):
            user = existing or _user_create_sso(email, claims)
            invitation_accept_existing_user(invitation=invitation, user=user, now=now)
        elif provider.join_by_domain:
            user = existing or _user_create_sso(email, claims)
            membership_create(
                organisation=organisation, user=user, role=DOMAIN_RULE_ROLE, actor=user
            )
        else:
            raise CoreError(
                _(
                    "No member of %(organisation)s has this address: ask one of its officers "
                    "for an invitation."
                )
                % {"organisation": organisation.name}
            )
        mfa_trusted = provider.trust_provider_mfa and provider_mfa_shown(
            claims=claims, accepted=provider.mfa_values
        )
        device = None
        if mfa_trusted:
            device, _created = ProviderMFADevice.objects.get_or_create(
                user=user,
                identity_provider=provider,
                defaults={"name": PROVIDER_MFA_DEVICE_NAME, "confirmed": True},
            )
        trail_record(
            kind="user.sso_logged_in",
            actor=user,
            organisation=organisation,
            target=user,
            data={
                "issuer": provider.issuer_url,
                "subject": str(claims.get("sub", ""))[:200],
                "provider_mfa_trusted": mfa_trusted,
            },
        )
        return SSOLogin(user=user, mfa_device=device)
