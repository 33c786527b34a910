from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation
from hdsready.widgets import IsoDateField
from scopes.activities import ACTIVITIES_BY_NUMBER
from scopes.models import Subcontractor
from sovereignty.countries import country_choices
from sovereignty.models import RemoteAccess, ResidualRisk
from sovereignty.selectors import scope_activity_numbers, subcontractors_for_register
from sovereignty.services import (
    TEXT_MAX,
    AccessData,
    ExposureData,
    StorageData,
)


def _long_text(label: Any, *, required: bool = False, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _activity_name(number: int) -> str:
    activity = ACTIVITIES_BY_NUMBER[number]
    return activity.wording_fr if (get_language() or "fr").startswith("fr") else activity.name_en


class _RegisterForm(forms.Form):
    """Country choices in the reader's language; subcontractors of this organisation only (an id
    from elsewhere is "not one of the choices", beside the field)."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        for name in ("country", "jurisdiction"):
            if name in fields:
                fields[name].choices = [("", "—"), *country_choices()]
        for name in ("provider", "subcontractor"):
            if name in fields:
                fields[name].queryset = subcontractors_for_register(organisation=organisation)


class StorageLocationForm(_RegisterForm):
    country = forms.ChoiceField(label=_("Country"))
    site = forms.CharField(
        label=_("Site"), max_length=200, help_text=_("The datacenter, its town or its address.")
    )
    provider = forms.ModelChoiceField(
        label=_("Storage provider"),
        queryset=Subcontractor.objects.none(),
        required=False,
        empty_label=_("The host itself"),
    )
    activities = forms.TypedMultipleChoiceField(
        label=_("HDS activities performed there"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_stored = _long_text(_("Data stored"))
    secnumcloud = forms.BooleanField(
        label=_("The provider holds the SecNumCloud qualification"), required=False
    )
    secnumcloud_reference = forms.CharField(
        label=_("Qualification reference"), max_length=200, required=False
    )
    secnumcloud_on = IsoDateField(label=_("Qualified on"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        field: Any = self.fields["activities"]
        field.choices = [
            (n, f"{n}. {_activity_name(n)}")
            for n in scope_activity_numbers(organisation=organisation)
        ]

    def to_data(self) -> StorageData:
        data = self.cleaned_data
        return StorageData(
            country=data["country"],
            site=data["site"],
            provider=data["provider"],
            activities=list(data["activities"]),
            data_stored=data["data_stored"],
            secnumcloud=data["secnumcloud"],
            secnumcloud_reference=data["secnumcloud_reference"],
            secnumcloud_on=data["secnumcloud_on"],
        )


class RemoteAccessForm(_RegisterForm):
    country = forms.ChoiceField(label=_("Country from which the data is reached"))
    legal_basis = forms.ChoiceField(
        label=_("Legal basis of the transfer"),
        choices=RemoteAccess.Basis.choices,
        help_text=_("Not needed for a country of the European Economic Area."),
    )
    safeguard_reference = forms.CharField(
        label=_("Safeguard or reference"),
        max_length=300,
        required=False,
        help_text=_(
            "Art. 46: the safeguard and its reference, e.g. standard contractual clauses "
            "(decision 2021/914, module 3) signed on a date. Art. 45 with a partial decision: "
            "the reference showing the recipient is covered."
        ),
    )
    actors = _long_text(_("Actors concerned"))
    subcontractor = forms.ModelChoiceField(
        label=_("Subcontractor concerned"), queryset=Subcontractor.objects.none(), required=False
    )
    purpose = _long_text(_("Purpose of the access"))

    def to_data(self) -> AccessData:
        return AccessData(**self.cleaned_data)


class LawExposureForm(_RegisterForm):
    law = forms.CharField(
        label=_("Law or jurisdiction"),
        max_length=200,
        help_text=_("E.g. the US CLOUD Act, FISA section 702."),
    )
    jurisdiction = forms.ChoiceField(label=_("Country of the law"), required=False)
    actor = forms.CharField(label=_("Actor concerned"), max_length=200, required=False)
    subcontractor = forms.ModelChoiceField(
        label=_("Subcontractor concerned"), queryset=Subcontractor.objects.none(), required=False
    )
    mitigations = _long_text(_("Mitigations"), rows=3)
    residual_risk = forms.ChoiceField(label=_("Residual risk"), choices=ResidualRisk.choices)
    justification = _long_text(_("Justification of the residual risk"), required=True)

    def to_data(self) -> ExposureData:
        return ExposureData(**self.cleaned_data)
