"""The core's audit-trail events (users, organisations, invitations, MFA, API tokens)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hdsready.models import IdentityProvider, Invitation, Membership, Role
from hdsready.trail_events import TrailEventType, choices_of, trail_events_register

ROLE = {"role": choices_of(Role)}
LANGUAGE = choices_of(dict(settings.LANGUAGES))
IDENTITY_PROVIDER_KEYS = {
    "enabled": _("Enabled"),
    "issuer_url": _("Issuer URL"),
    "client_id": _("Client ID"),
    "client_secret_changed": _("Client secret changed"),
    "email_domains": _("E-mail domains"),
    "join_by_domain": _("Anyone of these domains may join"),
    "trust_provider_mfa": _("Provider's second factor trusted"),
    "accepted_mfa_values": _("Accepted amr/acr values"),
}

PASSKEY_KEYS = {
    "method": _("Method"),
    "passkey": _("Passkey"),
}
PASSKEY_METHOD = {"method": {"passkey": _("passkey")}}


def register() -> None:
    trail_events_register(
        {
            "user.created": TrailEventType(
                _("Account created"),
                choices={
                    "via": {
                        "invitation": _("invitation"),
                        "command": _("command"),
                        "sso": _("single sign-on"),
                    }
                },
            ),
            "user.logged_in": _("Logged in"),
            "user.logged_out": _("Logged out"),
            "user.sso_logged_in": TrailEventType(
                _("Logged in through the identity provider"),
                keys={
                    "issuer": _("Issuer"),
                    "subject": _("Identifier at the provider"),
                    "provider_mfa_trusted": _("Provider's second factor trusted"),
                },
            ),
            "user.language_changed": TrailEventType(
                _("Language changed"), choices={"from": LANGUAGE, "to": LANGUAGE}
            ),
            "mfa.enrolment_started": _("Second factor enrolment started"),
            "mfa.enrolled": _("Second factor enrolled"),
            "mfa.backup_codes_regenerated": _("Backup codes regenerated"),
            "mfa.passed": TrailEventType(
                _("Second factor verified"), keys=PASSKEY_KEYS, choices=PASSKEY_METHOD
            ),
            "mfa.backup_code_used": _("Backup code used"),
            "mfa.failed": TrailEventType(
                _("Second factor refused"),
                keys={**PASSKEY_KEYS, "why": _("Reason")},
                choices=PASSKEY_METHOD,
            ),
            "mfa.passkey_enrolled": TrailEventType(
                _("Passkey enrolled"), keys=PASSKEY_KEYS, hidden=frozenset({"passkey_id"})
            ),
            "mfa.passkey_renamed": TrailEventType(
                _("Passkey renamed"),
                keys={"from": _("Former name"), "to": _("New name")},
                hidden=frozenset({"passkey_id"}),
            ),
            "mfa.passkey_removed": TrailEventType(
                _("Passkey removed"), keys=PASSKEY_KEYS, hidden=frozenset({"passkey_id"})
            ),
            "mfa.reset": TrailEventType(
                _("Second factor reset"),
                keys={
                    "devices_removed": _("Devices removed"),
                    "tokens_revoked": _("Tokens revoked"),
                },
            ),
            "invitation.sent": TrailEventType(_("Invitation sent"), model=Invitation, choices=ROLE),
            "invitation.accepted": TrailEventType(
                _("Invitation accepted"), model=Invitation, choices=ROLE
            ),
            "invitation.revoked": TrailEventType(_("Invitation revoked"), model=Invitation),
            "invitation.expired": TrailEventType(_("Invitation expired"), model=Invitation),
            "organisation.passkeys_required": _("Passkeys required of the members"),
            "organisation.passkeys_optional": _("Passkeys no longer required"),
            "organisation.created": TrailEventType(
                _("Organisation created"), keys={"slug": _("Address in the application")}
            ),
            "membership.created": TrailEventType(_("Member added"), model=Membership, choices=ROLE),
            "membership.role_changed": TrailEventType(
                _("Member's role changed"),
                choices={"from": choices_of(Role), "to": choices_of(Role)},
            ),
            "membership.removed": TrailEventType(
                _("Member removed"), model=Membership, choices=ROLE
            ),
            "identity_provider.created": TrailEventType(
                _("Single sign-on set up"), model=IdentityProvider, keys=IDENTITY_PROVIDER_KEYS
            ),
            "identity_provider.changed": TrailEventType(
                _("Single sign-on changed"), model=IdentityProvider, keys=IDENTITY_PROVIDER_KEYS
            ),
            "api_token.created": _("API token created"),
            "api_token.revoked": _("API token revoked"),
            "storage.reencrypted": TrailEventType(
                _("Stored files re-encrypted"),
                keys={
                    "key_id": _("Current key"),
                    "reencrypted": _("Files re-encrypted"),
                    "encrypted_plaintext": _("Unencrypted files encrypted"),
                    "already_current": _("Files already under the current key"),
                    "problems": _("Files not re-encrypted"),
                },
            ),
        }
    )
