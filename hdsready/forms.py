from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hdsready.models import Role
from hdsready.services import CoreError
from hdsready.services.organisations import organisation_slug_check
from hdsready.services.passkeys import PASSKEY_ANSWER_MAX_LENGTH, PASSKEY_NAME_MAX_LENGTH
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
