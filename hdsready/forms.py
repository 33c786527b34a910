from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hdsready.models import Role
from hdsready.services import CoreError
from hdsready.services.organisations import organisation_slug_check
from hdsready.services.passkeys import PASSKEY_ANSWER_MAX_LENGTH, PASSKEY_NAME_MAX_LENGTH
from hdsready.services.sso import DOMAIN_RULE_ROLE, issuer_url_check
from hdsready.widgets import IsoDateField


class EmailLoginForm(AuthenticationForm):
    # The field keeps Django's name "username" (django-axes reads it) but holds the e-mail.
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6-digit code of your authenticator app, or a backup code."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    # No role chosen in advance: the rights given are a decision of the one who invites.
    role = forms.ChoiceField(label=_("Role"), choices=[("", "---------"), *Role.choices])


class OrganisationOpenForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Lowercase letters, digits and hyphens; it appears in the addresses."),
    )
    officer_email = forms.EmailField(label=_("E-mail address of the compliance officer"))

    def clean_slug(self) -> str:
        # The service's own rule, checked here too so the message sits next to the field.
        slug: str = self.cleaned_data["slug"]
        try:
            organisation_slug_check(slug)
        except CoreError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return slug


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class TrailFilterForm(forms.Form):
    kind = forms.CharField(label=_("Event"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    since = IsoDateField(
        label=_("From"),
        required=False,
    )
    until = IsoDateField(
        label=_("Until"),
        required=False,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or the server that uses it."),
    )


class SSOStartForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        help_text=_("Its domain tells which organisation's identity provider signs you in."),
    )


_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
MAX_SSO_DOMAINS = 20
MAX_MFA_VALUES = 20


class IdentityProviderForm(forms.Form):
    enabled = forms.BooleanField(label=_("Single sign-on enabled"), required=False)
    issuer_url = forms.URLField(
        label=_("Issuer URL"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "The provider's address; its configuration is read from "
            "/.well-known/openid-configuration."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line. Addresses of these domains log in through this provider, and it "
            "signs in no other address."
        ),
    )
    join_by_domain = forms.BooleanField(
        label=_("Anyone of these domains may join"),
        required=False,
        help_text=format_lazy(
            _(
                "Without an invitation, a verified address of these domains joins the "
                "organisation with the role {role} (read only). Otherwise only members and "
                "invited people log in."
            ),
            role=DOMAIN_RULE_ROLE.label,
        ),
    )
    trust_provider_mfa = forms.BooleanField(
        label=_("Trust the provider's second factor"),
        required=False,
        help_text=_(
            "When the ID token's amr or acr shows one of the values below, our second factor "
            "is not asked again. Otherwise it always is."
        ),
    )
    accepted_mfa_values = forms.CharField(
        label=_("Accepted amr/acr values"),
        max_length=300,
        required=False,
        help_text=_("Separated by spaces, e.g. mfa otp hwk."),
    )

    def clean_issuer_url(self) -> str:
        try:
            return issuer_url_check(self.cleaned_data["issuer_url"])
        except CoreError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_email_domains(self) -> list[str]:
        domains = [d.lower().lstrip("@") for d in self.cleaned_data["email_domains"].split()]
        wrong = [d for d in domains if not _DOMAIN.fullmatch(d)]
        if wrong:
            raise forms.ValidationError(
                _("Not a domain: %(value)s.") % {"value": ", ".join(wrong[:3])[:200]}
            )
        if not domains:
            raise forms.ValidationError(_("Give at least one e-mail domain."))
        if len(domains) > MAX_SSO_DOMAINS:
            raise forms.ValidationError(
                _("At most %(count)d domains.") % {"count": MAX_SSO_DOMAINS}
            )
        return domains

    def clean_accepted_mfa_values(self) -> list[str]:
        values = self.cleaned_data["accepted_mfa_values"].split()
        if len(values) > MAX_MFA_VALUES or any(not v.isprintable() for v in values):
            raise forms.ValidationError(_("Give a few values separated by spaces."))
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("trust_provider_mfa") and not data.get("accepted_mfa_values"):
            self.add_error(
                "accepted_mfa_values",
                _("Give the amr or acr values that show the provider checked a second factor."),
            )
        return data


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the passkey"),
        max_length=PASSKEY_NAME_MAX_LENGTH,
        help_text=_("To tell your passkeys apart, e.g. “Work laptop” or “Blue security key”."),
    )


class PasskeyRegisterForm(PasskeyNameForm):
    # Filled by static/js/passkeys.js with the browser's answer to the challenge (JSON).
    credential = forms.CharField(widget=forms.HiddenInput, max_length=PASSKEY_ANSWER_MAX_LENGTH)


class PasskeyAnswerForm(forms.Form):
    credential = forms.CharField(widget=forms.HiddenInput, max_length=PASSKEY_ANSWER_MAX_LENGTH)


class PasskeyPolicyForm(forms.Form):
    require_passkeys = forms.BooleanField(
        label=_("Require passkeys of the members"),
        required=False,
        help_text=_(
            "Members then log in with a passkey or a security key only, which a look-alike site "
            "cannot capture; an authenticator app code no longer suffices."
        ),
    )
