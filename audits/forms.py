"""Forms of the audits pages: one form per action of audits/workflow.py (ACTION_FORMS), which
validates the input and calls the action's service. Choices that depend on the organisation are
passed in once for the page, so a page with one correction form per finding does not query once
per form; evidence is not a list of choices but a version's number, found with the page's one
evidence search (EvidenceVersionField), so a page's size does not grow with the evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits import deadlines, workflow
from audits.models import (
    Audit,
    AuditKind,
    CarryOverOutcome,
    DecisionOutcome,
    Finding,
    FindingKind,
    ReviewDecision,
)
from audits.selectors import (
    evidence_versions_citable,
    hds_requirements_for_findings,
    review_target_get,
)
from audits.services.auditors import access_window_error
from audits.services.carryover import carried_over_check
from audits.services.cycle import (
    audit_cancel,
    audit_close,
    audit_complete_stage1,
    audit_complete_stage2,
    audit_correct_stage2_end,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    decision_record,
    onsite_default_end,
)
from audits.services.findings import (
    finding_plan_actions,
    finding_raise,
    finding_submit_correction,
    finding_verify,
)
from audits.services.reviews import evidence_review_record
from audits.workflow import Actor
from evidence.models import EvidenceVersion
from hdsready.http import query_pk
from hdsready.models import User
from hdsready.widgets import IsoDateField, IsoDateTimeField
from scopes.activities import CertificateType, activity_choices
from scopes.models import Requirement
from scopes.selectors import members_of


class CycleForm(forms.Form):
    certification_body = forms.CharField(label=_("Certification body"), max_length=200)
    accreditation = forms.CharField(label=_("Accreditation (COFRAC or EU)"), max_length=100)


class AuditPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *AuditKind.choices])
    due_on = IsoDateField(label=_("Due by"), required=False)


@dataclass(frozen=True)
class Choices:
    """What the action forms of one page choose among, loaded once for the page; `versions` is
    the set an evidence field checks one id against, never read whole."""

    requirements: Sequence[Requirement] = ()
    members: Sequence[User] = ()
    versions: QuerySet[EvidenceVersion] | None = None


def choices_for(audit: Audit, needs: Iterable[str], *, auditor: bool = False) -> Choices:
    """The choices the action forms of a page need, loaded once. The invited auditor may cite
    only the evidence the audit shows them."""
    needed = set(needs)
    organisation = audit.cycle.organisation
    return Choices(
        requirements=list(hds_requirements_for_findings()) if "requirements" in needed else [],
        members=list(members_of(organisation=organisation)) if "members" in needed else [],
        versions=evidence_versions_citable(audit=audit, auditor=auditor)
        if "versions" in needed
        else None,
    )


class EvidencePickerInput(forms.TextInput):
    """A version's number, typed; static/js/evidence-picker.js turns it into a search of the
    page's evidence picker (audits/_evidence_picker.html)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "size": 10,
                "data-evidence-picker": "",
                **(attrs or {}),
            }
        )


class EvidenceVersionField(forms.Field):
    """One evidence version, given by its number (as the evidence search shows it, "#12" or
    "12") and checked against the versions this person may cite: one query, whatever the
    number of versions. Anything else (a word, a NUL, another organisation's version) is a
    form error, not a 500."""

    widget = EvidencePickerInput
    default_error_messages = {
        "invalid": _("Enter the number of an evidence version, as the evidence search shows it."),
        "unknown": _("No evidence version you may cite has this number."),
    }

    def __init__(self, *, versions: QuerySet[EvidenceVersion] | None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _("Search it by title or file name with the evidence search.")
        )
        super().__init__(**kwargs)
        self.versions = versions

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        pk = query_pk(str(value).strip().removeprefix("#"))
        if pk is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return pk

    def clean(self, value: Any) -> EvidenceVersion | None:
        pk = super().clean(value)
        if pk is None:
            return None
        version = self.versions.filter(pk=pk).first() if self.versions is not None else None
        if version is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return version


class ActionForm(forms.Form):
    """The form of one action of audits/workflow.py: it validates the input, then `perform`
    calls the action's one service. `needs` names the choices it shows."""

    needs: frozenset[str] = frozenset()

    def __init__(
        self,
        *args: Any,
        audit: Audit,
        choices: Choices = Choices(),
        role: Actor | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.choices = choices
        self.role = role

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        raise NotImplementedError


class StageDatesForm(ActionForm):
    """The stage's dates, showing those planned when it is planned again."""

    start = IsoDateField(label=_("From"))
    end = IsoDateField(label=_("Until"))
    # (form field, audit field) of what is planned
    planned: tuple[tuple[str, str], ...] = (("start", "stage1_start"), ("end", "stage1_end"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.planned:
            self.fields[name].initial = getattr(self.audit, field)

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_schedule_stage1(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class Stage2Form(StageDatesForm):
    sites = forms.CharField(
        label=_("Sites visited"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned = (("start", "stage2_start"), ("end", "stage2_end"), ("sites", "stage2_sites"))

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_schedule_stage2(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class SubmitDocumentsForm(ActionForm):
    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_submit_stage1_documents(audit=self.audit, actor=actor, role=role)


class OutcomeForm(ActionForm):
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_complete_stage1(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class OnsiteCompleteForm(OutcomeForm):
    ended_on = IsoDateField(
        label=_("Last day of the on-site audit"),
        required=False,
        help_text=_(
            "The day it actually ended: the 3-month correction window starts there. Empty: "
            "the planned last day."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = onsite_default_end(
            self.audit, today=deadlines.paris_date(now=timezone.now())
        )
        self.order_fields(("ended_on", "outcome"))

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_complete_stage2(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class OnsiteEndCorrectForm(ActionForm):
    ended_on = IsoDateField(label=_("Last day of the on-site audit"))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = self.audit.stage2_ended_on

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_correct_stage2_end(
            audit=self.audit, actor=actor, role=role, **self.cleaned_data
        )


class CancelForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_cancel(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class CloseForm(ActionForm):
    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return audit_close(audit=self.audit, actor=actor, role=role)


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


def version_label(version: EvidenceVersion) -> str:
    return f"{version.item.title} — v{version.number}"


def _letter_field(versions: QuerySet[EvidenceVersion] | None) -> EvidenceVersionField:
    return EvidenceVersionField(
        label=_("Certification body's letter (evidence)"), versions=versions, required=False
    )


class DecisionForm(ActionForm):
    needs = frozenset({"versions"})
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "---------"), *DecisionOutcome.choices]
    )
    decided_on = IsoDateField(label=_("Decision date"))
    activities = forms.TypedMultipleChoiceField(
        label=_("Activities covered"),
        choices=activity_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for a refusal."),
    )
    number_physical = forms.CharField(
        label=_("Certificate number: physical infrastructure host (activities 1-2)"),
        max_length=100,
        required=False,
    )
    number_managed = forms.CharField(
        label=_("Certificate number: managed services host (activities 3-6)"),
        max_length=100,
        required=False,
    )
    expires_on = IsoDateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty for 3 years from the decision."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter"] = _letter_field(self.choices.versions)
        self.fields["activities"].initial = self.audit.cycle.activities
        self.fields["decided_on"].initial = timezone.localdate()

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        data = self.cleaned_data
        return decision_record(
            audit=self.audit,
            actor=actor,
            role=role,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            activities=data["activities"],
            certificate_numbers={
                CertificateType.PHYSICAL: data["number_physical"],
                CertificateType.MANAGED: data["number_managed"],
            },
            expires_on=data["expires_on"],
            letter=data["letter"],
        )


class FindingRaiseForm(ActionForm):
    needs = frozenset({"requirements", "versions"})
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *FindingKind.choices])
    description = forms.CharField(
        label=_("Description"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"] = _PickedField(
            label=_("Requirement"),
            objects=self.choices.requirements,
            label_of=lambda r: f"{r.ref_id} {r.name}"[:90],
        )
        self.fields["evidence"] = EvidenceVersionField(
            label=_("Evidence"), versions=self.choices.versions, required=False
        )
        self.order_fields(("kind", "requirement", "evidence", "description"))

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        return finding_raise(audit=self.audit, actor=actor, role=role, **self.cleaned_data)


class FindingCorrectionForm(ActionForm):
    needs = frozenset({"members", "versions"})
    correction = forms.CharField(
        label=_("Correction"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    action_plan = forms.CharField(
        label=_("Corrective action plan"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action_plan_due_on = IsoDateField(
        label=_("Action plan due by"),
        required=False,
        help_text=_("A plan due after the audit's decision is checked again at the next audit."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _PickedField(
            label=_("Owner"), objects=self.choices.members, label_of=str, required=False
        )
        self.fields["evidence"] = EvidenceVersionField(
            label=_("Evidence version"), versions=self.choices.versions, required=False
        )

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        assert finding is not None  # noqa: S101 (a finding action)
        return finding_submit_correction(
            finding=finding, actor=actor, role=role, **self.cleaned_data
        )


class ObservationPlanForm(ActionForm):
    action_plan = forms.CharField(
        label=_("Action plan"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    action_plan_due_on = IsoDateField(label=_("Action plan due by"))

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        assert finding is not None  # noqa: S101 (a finding action)
        return finding_plan_actions(finding=finding, actor=actor, role=role, **self.cleaned_data)


class FindingVerifyForm(ActionForm):
    accepted = forms.TypedChoiceField(
        label=_("Correction accepted"),
        choices=(("", "---------"), ("yes", _("Yes")), ("no", _("No"))),
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    needs = frozenset({"versions"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.role == Actor.BODY:  # the officer records the body's letter
            self.fields["letter"] = _letter_field(self.choices.versions)

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        assert finding is not None  # noqa: S101 (a finding action)
        return finding_verify(finding=finding, actor=actor, role=role, **self.cleaned_data)


class EvidenceReviewForm(ActionForm):
    requirement = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", "---------"), *ReviewDecision.choices]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def perform(self, *, actor: User, role: Actor, finding: Finding | None = None) -> object:
        data = self.cleaned_data
        requirement, version = review_target_get(
            audit=self.audit, requirement_pk=data["requirement"], version_pk=data["version"]
        )
        return evidence_review_record(
            audit=self.audit,
            requirement=requirement,
            version=version,
            decision=data["decision"],
            comment=data["comment"],
            actor=actor,
            role=role,
        )


# The form of each action a person takes on a page (the sweep's action has none).
ACTION_FORMS: dict[str, type[ActionForm]] = {
    workflow.STAGE1_SCHEDULE.name: StageDatesForm,
    workflow.STAGE1_SUBMIT.name: SubmitDocumentsForm,
    workflow.STAGE1_COMPLETE.name: OutcomeForm,
    workflow.STAGE2_SCHEDULE.name: Stage2Form,
    workflow.STAGE2_COMPLETE.name: OnsiteCompleteForm,
    workflow.STAGE2_END_CORRECT.name: OnsiteEndCorrectForm,
    workflow.FINDING_RAISE.name: FindingRaiseForm,
    workflow.CORRECTION_SUBMIT.name: FindingCorrectionForm,
    workflow.CORRECTION_VERIFY.name: FindingVerifyForm,
    workflow.OBSERVATION_PLAN.name: ObservationPlanForm,
    workflow.EVIDENCE_REVIEW.name: EvidenceReviewForm,
    workflow.DECISION_RECORD.name: DecisionForm,
    workflow.CLOSE.name: CloseForm,
    workflow.CANCEL.name: CancelForm,
}


class CarryOverCheckForm(forms.Form):
    """The check of a finding carried over from an earlier audit (workflow.CARRYOVER_CHECK);
    the officer recording the certification body's check may cite its letter."""

    outcome = forms.ChoiceField(
        label=_("Outcome of the check"), choices=[("", "---------"), *CarryOverOutcome.choices]
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        audit: Audit,
        role: Actor,
        versions: QuerySet[EvidenceVersion] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.audit, self.role = audit, role
        if role == Actor.BODY:
            self.fields["letter"] = _letter_field(versions)

    def perform(self, *, actor: User, finding: Finding) -> object:
        return carried_over_check(
            audit=self.audit,
            finding=finding,
            actor=actor,
            role=self.role,
            outcome=self.cleaned_data["outcome"],
            comment=self.cleaned_data["comment"],
            letter=self.cleaned_data.get("letter"),
        )


class AuditorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Auditor's e-mail address"))
    valid_from = IsoDateTimeField(label=_("Access from"))
    valid_until = IsoDateTimeField(label=_("Access until"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end:
            error = access_window_error(valid_from=start, valid_until=end, now=timezone.now())
            if error:
                self.add_error("valid_until", error)
        return data


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


class ProgrammePlaceForm(forms.Form):
    """Which surveillance audits not started yet cover one requirement (audits/programme.py)."""

    audits = forms.TypedMultipleChoiceField(
        label=_("Audited in"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to audit it again only at the renewal audit."),
    )

    def __init__(self, *args: Any, audits: Sequence[Audit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audits_by_pk = {audit.pk: audit for audit in audits}
        cast(forms.ChoiceField, self.fields["audits"]).choices = [
            (audit.pk, audit.label) for audit in audits
        ]

    def chosen(self) -> list[Audit]:
        return [self.audits_by_pk[pk] for pk in self.cleaned_data["audits"]]


class BodyPlanForm(forms.Form):
    """Mark a surveillance audit's programme as the certification body's plan says it."""

    audit = forms.TypedChoiceField(label=_("Audit"), coerce=int, choices=[("", "---------")])
    reference = forms.CharField(
        label=_("Reference of the body's plan"),
        max_length=200,
        help_text=_("e.g. the audit plan's number and date, as the body sent it."),
    )

    def __init__(self, *args: Any, audits: Sequence[Audit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audits_by_pk = {audit.pk: audit for audit in audits}
        cast(forms.ChoiceField, self.fields["audit"]).choices = [
            ("", "---------"),
            *((audit.pk, audit.label) for audit in audits),
        ]

    def chosen(self) -> Audit:
        return self.audits_by_pk[self.cleaned_data["audit"]]
