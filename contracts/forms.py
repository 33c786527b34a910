from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.clauses import CLAUSES
from contracts.models import ClauseState, Client, Contract, ContractStatus
from contracts.selectors import (
    CLIENT_GAPS,
    ClauseLine,
    bundle_certificates_of,
    clients_of,
    evidence_for_contracts,
    templates_of,
)
from contracts.services import ClauseAnswer, ClientData, ContactData, ContractData
from hdsready.models import Organisation
from hdsready.widgets import IsoDateField
from scopes.activities import activity_choices
from scopes.models import Certificate


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def to_data(self) -> ClientData:
        return ClientData(**self.cleaned_data)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    function = forms.CharField(label=_("Function"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    health_professional = forms.BooleanField(
        label=_("Designated health professional (EXI 11)"), required=False
    )
    incident_referent = forms.BooleanField(label=_("Incident referent (EXI 20)"), required=False)

    def to_data(self) -> ContactData:
        return ContactData(**self.cleaned_data)


class ContractForm(forms.Form):
    """A contract (or a template: no client, no template, dates optional)."""

    title = forms.CharField(label=_("Title or offer"), max_length=200)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False
    )
    template = forms.ModelChoiceField(
        label=_("Derived from the template"),
        queryset=Contract.objects.none(),
        required=False,
        help_text=_("Its clause answers apply until the contract gives its own."),
    )
    services = forms.CharField(
        label=_("Services"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    activities = forms.TypedMultipleChoiceField(
        label=_("HDS activities performed for this client"),
        choices=activity_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_on = IsoDateField(label=_("Start date"), required=False)
    end_on = IsoDateField(label=_("End date"), required=False)
    signed_copy = forms.ModelChoiceField(
        label=_("Signed copy (evidence)"), queryset=Contract.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, organisation: Organisation, is_template: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.is_template = is_template
        fields: dict[str, Any] = self.fields
        if is_template:
            for name in ("client", "template", "start_on", "end_on"):
                del fields[name]
        else:
            client_choices: QuerySet[Client] = clients_of(organisation=organisation)
            fields["client"].queryset = client_choices
            fields["client"].required = True
            fields["template"].queryset = templates_of(organisation=organisation)
            fields["start_on"].required = True
        fields["signed_copy"].queryset = evidence_for_contracts(organisation=organisation)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("A contract cannot end before it starts."))
        return cleaned

    def to_data(self) -> ContractData:
        data = self.cleaned_data
        return ContractData(
            title=data["title"],
            client=data.get("client"),
            template=data.get("template"),
            services=data["services"],
            activities=list(data["activities"]),
            start_on=data.get("start_on"),
            end_on=data.get("end_on"),
            signed_copy=data["signed_copy"],
        )


class ClausesForm(forms.Form):
    """The eleven mandatory clauses of one contract as one form: for each, the state, the
    article or page, and a note. An empty state means: no own answer (the template's applies)."""

    def __init__(self, *args: Any, lines: list[ClauseLine], derived: bool, **kwargs: Any) -> None:
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        for line in lines:
            if line.own is not None:
                initial[f"{line.clause.code}-state"] = line.own.state
                initial[f"{line.clause.code}-reference"] = line.own.reference
                initial[f"{line.clause.code}-note"] = line.own.note
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        empty = _("Inherited from the template") if derived else _("Not answered")
        for clause in CLAUSES:
            self.fields[f"{clause.code}-state"] = forms.ChoiceField(
                label=_("State"),
                choices=[("", empty), *ClauseState.choices],
                required=False,
            )
            self.fields[f"{clause.code}-reference"] = forms.CharField(
                label=_("Article or page"), max_length=200, required=False
            )
            self.fields[f"{clause.code}-note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
        self.lines = lines

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for clause in CLAUSES:
            state = cleaned.get(f"{clause.code}-state")
            reference = cleaned.get(f"{clause.code}-reference") or ""
            note = cleaned.get(f"{clause.code}-note") or ""
            if state == ClauseState.PRESENT and not reference.strip():
                self.add_error(
                    f"{clause.code}-reference",
                    _("Give the article or page where the clause is."),
                )
            if not state and (reference.strip() or note.strip()):
                self.add_error(
                    f"{clause.code}-state", _("Choose a state to give a reference or a note.")
                )
        return cleaned

    def answers(self) -> dict[str, ClauseAnswer | None]:
        data = self.cleaned_data
        return {
            clause.code: ClauseAnswer(
                state=data[f"{clause.code}-state"],
                reference=data[f"{clause.code}-reference"],
                note=data[f"{clause.code}-note"],
            )
            if data[f"{clause.code}-state"]
            else None
            for clause in CLAUSES
        }

    def rows(self) -> list[tuple[ClauseLine, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                line,
                self[f"{line.clause.code}-state"],
                self[f"{line.clause.code}-reference"],
                self[f"{line.clause.code}-note"],
            )
            for line in self.lines
        ]


STATUS_FILTERS = [
    ("", _("All")),
    (ContractStatus.ACTIVE.value, _("In force")),
    (ContractStatus.ENDED.value, _("Ended")),
    (ContractStatus.UPCOMING.value, _("Not yet in force")),
    (ContractStatus.TEMPLATE.value, _("Templates")),
]


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    gap = forms.ChoiceField(
        label=_("Clause missing"),
        choices=[("", _("Any")), *[(c.code, c.ref_id) for c in CLAUSES]],
        required=False,
    )


class ClientFilterForm(forms.Form):
    gap = forms.ChoiceField(
        label=_("Without"),
        choices=[
            ("", _("All clients")),
            (CLIENT_GAPS[0], _("Without a designated health professional")),
            (CLIENT_GAPS[1], _("Without an incident referent")),
        ],
        required=False,
    )


class CertificateBundleForm(forms.Form):
    """Which certificates go to the client (HDS v2 EXI 12): every certificate valid today,
    all ticked at first."""

    certificates = forms.ModelMultipleChoiceField(
        label=_("Certificates"),
        queryset=Certificate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one certificate.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = bundle_certificates_of(organisation=organisation, today=today)
        field = self.fields["certificates"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = candidates
        self.initial.setdefault("certificates", [c.pk for c in candidates])
