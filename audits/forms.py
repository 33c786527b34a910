"""Forms of the officer's pages. Choices that depend on the organisation are passed in as
lists, so a page with one correction form per finding does not query once per form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.models import AuditKind, FindingKind, ReviewDecision
from evidence.models import EvidenceVersion
from hdsready.models import User
from scopes.forms import ACTIVITY_CHOICES
from scopes.models import Requirement

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.Form):
    certification_body = forms.CharField(label=_("Certification body"), max_length=200)
    accreditation = forms.CharField(label=_("Accreditation (COFRAC or EU)"), max_length=100)


class AuditPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AuditKind.choices)
    due_on = forms.DateField(label=_("Due by"), required=False, widget=DATE)


class StageDatesForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE)


class Stage2Form(StageDatesForm):
    sites = forms.CharField(
        label=_("Sites visited"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=100)
    decided_on = forms.DateField(label=_("Decision date"), widget=DATE)
    activities = forms.TypedMultipleChoiceField(
        label=_("Activities covered"),
        choices=ACTIVITY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for 3 years from the decision."),
    )


class _PickedField(forms.TypedChoiceField):
    """A choice among objects given as a list: no query when the form is shown."""

    def __init__(self, *, objects: Sequence[Any], label_of: Any, **kwargs: Any) -> None:
        self.objects = {obj.pk: obj for obj in objects}
        super().__init__(
            choices=[("", "---------"), *((obj.pk, label_of(obj)) for obj in objects)],
            coerce=int,
            empty_value=None,
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        pk = super().clean(value)
        return None if pk is None else self.objects[pk]


class FindingRaiseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, requirements: Sequence[Requirement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"] = _PickedField(
            label=_("Requirement"),
            objects=requirements,
            label_of=lambda r: f"{r.ref_id} {r.name}"[:90],
        )
        self.order_fields(("kind", "requirement", "description"))


def version_label(version: EvidenceVersion) -> str:
    return f"{version.item.title} — v{version.number}"


class FindingCorrectionForm(forms.Form):
    correction = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    action_plan = forms.CharField(
        label=_("Corrective action plan"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        members: Sequence[User],
        versions: Sequence[EvidenceVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _PickedField(
            label=_("Owner"), objects=members, label_of=str, required=False
        )
        self.fields["evidence"] = _PickedField(
            label=_("Evidence version"),
            objects=versions,
            label_of=version_label,
            required=False,
        )


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AuditorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Auditor's e-mail address"))
    valid_from = forms.DateTimeField(label=_("Access from"), widget=DATETIME)
    valid_until = forms.DateTimeField(label=_("Access until"), widget=DATETIME)


class EvidenceReviewForm(forms.Form):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AuditorFindingForm(FindingRaiseForm):
    def __init__(
        self,
        *args: Any,
        requirements: Sequence[Requirement],
        versions: Sequence[EvidenceVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, requirements=requirements, **kwargs)
        self.fields["evidence"] = _PickedField(
            label=_("Evidence"), objects=versions, label_of=version_label, required=False
        )
        self.order_fields(("kind", "requirement", "evidence", "description"))


class FindingVerifyForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Correction accepted"),
        choices=(("yes", _("Yes")), ("no", _("No"))),
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, versions: Sequence[EvidenceVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"] = _PickedField(
            label=_("New version"),
            objects=versions,
            label_of=lambda v: f"v{v.number} ({v.original_name})",
        )
        self.order_fields(("version", "answer"))
