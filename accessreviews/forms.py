from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accessreviews.models import Decision
from accessreviews.rules import Interval
from accessreviews.services import REASON_MAX_LENGTH
from hdsready.widgets import IsoDateField


class CampaignOpenForm(forms.Form):
    due_on = IsoDateField(
        label=_("To be closed by"),
        help_text=_("The day by which every line must be confirmed or revoked."),
    )


class ReviewPolicyForm(forms.Form):
    interval_months = forms.TypedChoiceField(
        label=_("Review interval"),
        choices=Interval.choices,
        coerce=int,
        help_text=_("The officers are reminded when no review was opened within it."),
    )


class ItemDecideForm(forms.Form):
    # Sent by the button pressed ("Confirm" or "Revoke"): nothing is chosen in advance.
    decision = forms.ChoiceField(label=_("Decision"), choices=[("", "—"), *Decision.choices])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required to revoke."),
    )
