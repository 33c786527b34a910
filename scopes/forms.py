from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation, User
from hdsready.widgets import IsoDateField, QuickSelect
from scopes.activities import ACTIVITIES, activity_choices
from scopes.certified_hosts_file import MAX_UPLOAD_BYTES as HOST_LIST_MAX_BYTES
from scopes.certified_hosts_rows import FIELD_LABELS, REQUIRED_FIELDS, Field, mapping_errors
from scopes.iso_standards import IsoStandard
from scopes.models import (
    CERTIFICATE_DECISIONS,
    CERTIFICATE_STATUS_TRANSITIONS,
    ISO_STANDARD_CHOICES,
    Certificate,
    CertificateKind,
    CertificateStatus,
    Framework,
    HostProfile,
    ImplementationStatus,
    ReadinessStatus,
    Requirement,
    Subcontractor,
)
from scopes.selectors import members_of
from scopes.services.assessment import ReadinessData, SoAData
from scopes.services.certificates import REASON_MAX_LENGTH
from scopes.services.scope import CertificateData
from scopes.soa_xlsx import MAX_UPLOAD_BYTES


class HostProfileForm(forms.ModelForm):
    class Meta:
        model = HostProfile
        # The next planned audit is not typed here: it comes from the certification cycle.
        fields = ("stores_health_data", "non_eea_access", "non_eu_law_exposure")


class SubcontractorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    part_of_service = forms.CharField(
        label=_("Part of the service it performs"),
        max_length=300,
        required=False,
        help_text=_(
            "When it takes part in the service without performing a whole activity, e.g. "
            "transport of backup media. Leave empty if it takes no part in the service."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    certification_body = forms.CharField(label=_("Certification body"), max_length=200)
    accreditation = forms.CharField(
        label=_("Accreditation (COFRAC or EU)"), max_length=100, required=False
    )
    standard_version = forms.CharField(
        label=_("HDS référentiel version"),
        max_length=60,
        required=False,
        help_text=_("For an HDS certificate, e.g. HDS v2."),
    )
    iso_standard = forms.ChoiceField(
        label=_("ISO 27001 standard"),
        choices=[("", "—"), *ISO_STANDARD_CHOICES],
        required=False,
        help_text=_(
            "For an ISO 27001 certificate: the edition it was issued against, or an equivalent."
        ),
    )
    iso_equivalent_name = forms.CharField(
        label=_("Name of the equivalent standard"), max_length=60, required=False
    )
    activities = forms.TypedMultipleChoiceField(
        label=_("Activities covered"),
        choices=activity_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_statement = forms.CharField(
        label=_("Scope statement"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    issued_on = IsoDateField(label=_("Issued on"))
    expires_on = IsoDateField(label=_("Valid until"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind = data.get("kind")
        if kind == CertificateKind.HDS and not (data.get("standard_version") or "").strip():
            self.add_error("standard_version", _("Give the référentiel version, e.g. HDS v2."))
        if kind == CertificateKind.ISO27001:
            if not data.get("iso_standard"):
                self.add_error("iso_standard", _("Choose the standard of the certificate."))
            elif (
                data["iso_standard"] == IsoStandard.EQUIVALENT
                and not (data.get("iso_equivalent_name") or "").strip()
            ):
                self.add_error("iso_equivalent_name", _("Name the equivalent standard."))
        return data

    def to_data(self) -> CertificateData:
        d: dict[str, Any] = self.cleaned_data
        iso = d["kind"] == CertificateKind.ISO27001
        return CertificateData(
            kind=d["kind"],
            number=d["number"].strip(),
            certification_body=d["certification_body"].strip(),
            accreditation=d.get("accreditation") or "",
            standard_version=d["standard_version"].strip(),
            activities=list(d.get("activities") or []),
            scope_statement=d.get("scope_statement") or "",
            issued_on=d["issued_on"],
            expires_on=d["expires_on"],
            # The fields of the other kind are ignored rather than refused: one form serves both.
            iso_standard=(d.get("iso_standard") or "") if iso else "",
            iso_equivalent_name=(d.get("iso_equivalent_name") or "").strip() if iso else "",
        )


def subcontractor_choices(subcontractors: list[Subcontractor]) -> list[tuple[str, str]]:
    return [("", "—"), *[(str(s.pk), s.name) for s in subcontractors]]


class ScopeActivitiesForm(forms.Form):
    """One row per activity: not in scope, in-house, or a subcontractor."""

    def __init__(self, *args: Any, subcontractors: list[Subcontractor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subcontractors = {str(s.pk): s for s in subcontractors}
        mode_choices = [
            ("", _("Not in scope")),
            ("in_house", _("Performed in-house")),
            ("subcontracted", _("Relied on a subcontractor")),
        ]
        for activity in ACTIVITIES:
            self.fields[f"mode_{activity.number}"] = forms.ChoiceField(
                label=f"{activity.number}", choices=mode_choices, required=False
            )
            self.fields[f"subcontractor_{activity.number}"] = forms.ChoiceField(
                label=_("Subcontractor"),
                choices=subcontractor_choices(subcontractors),
                required=False,
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (a, self[f"mode_{a.number}"], self[f"subcontractor_{a.number}"]) for a in ACTIVITIES
        ]

    def choices(self) -> dict[int, tuple[str, Subcontractor | None]]:
        chosen = {}
        for activity in ACTIVITIES:
            mode = self.cleaned_data.get(f"mode_{activity.number}")
            if mode:
                key = self.cleaned_data.get(f"subcontractor_{activity.number}") or ""
                chosen[activity.number] = (mode, self.subcontractors.get(key))
        return chosen


class ChainDayForm(forms.Form):
    """The day the hosting chain is shown for (today when none or a wrong one is given)."""

    on = IsoDateField(label=_("On"), required=False)


class ReadinessFilterForm(forms.Form):
    chapter = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", _("All")), *ReadinessStatus.choices])
    owner = forms.CharField(required=False)
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))


class MemberOwnerForm(forms.Form):
    """A form whose `owner` is one of the organisation's members (the services check it too)."""

    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, widget=QuickSelect
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = members_of(organisation=organisation)


class ReadinessForm(MemberOwnerForm):
    field_order = ("status", "owner", "target_date", "justification", "notes")
    status = forms.ChoiceField(label=_("Status"), choices=ReadinessStatus.choices)
    target_date = IsoDateField(
        label=_("Target date"),
        required=False,
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the requirement does not apply."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def to_data(self) -> ReadinessData:
        data = self.cleaned_data
        return ReadinessData(
            status=data["status"],
            justification=data.get("justification") or "",
            owner=data.get("owner"),
            target_date=data.get("target_date"),
            notes=data.get("notes") or "",
        )


class BulkReadinessForm(ReadinessForm):
    """The same assessment for several requirements; notes stay per requirement."""

    requirements = forms.ModelMultipleChoiceField(queryset=Requirement.objects.none())

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["notes"]
        requirements = cast(forms.ModelMultipleChoiceField, self.fields["requirements"])
        requirements.queryset = Requirement.objects.filter(framework=framework, assessable=True)
        # Several requirements at once: the status is chosen, never a default left as it was.
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [("", "---------"), *ReadinessStatus.choices]

    def kept_fields(self) -> frozenset[str]:
        """What the bulk edit leaves as it is on each requirement: notes, and whatever the
        user left empty."""
        data = self.cleaned_data
        kept = {"notes"}
        kept.update(
            name for name in ("owner", "target_date", "justification") if not data.get(name)
        )
        return frozenset(kept)


class SoAForm(MemberOwnerForm):
    """One line of the Statement of Applicability."""

    field_order = ("applicable", "justification", "implementation", "owner", "notes")

    applicable = forms.TypedChoiceField(
        label=_("Applicable"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the control applies or not; required when it does not apply."),
    )
    implementation = forms.ChoiceField(
        label=_("Implementation"), choices=ImplementationStatus.choices
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def to_data(self) -> SoAData:
        data = self.cleaned_data
        return SoAData(
            applicable=data["applicable"],
            justification=data.get("justification") or "",
            implementation=data["implementation"],
            owner=data.get("owner"),
            notes=data.get("notes") or "",
        )


class SoAImportForm(forms.Form):
    file = forms.FileField(
        label=_("Edited SoA workbook (XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an XLSX file (.xlsx)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class FrameworkImportForm(forms.Form):
    # The size is checked by the importer on the bytes read (scopes.importer.MAX_LIBRARY_BYTES).
    file = forms.FileField(
        label=_("Library file (YAML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )


class HostListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("List of certified hosts (CSV or XLSX)"),
        help_text=_(
            "The list published by the ANS, as a CSV (comma or semicolon, UTF-8 or Windows "
            "encoding) or an XLSX workbook (its first sheet is read)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a CSV (.csv) or XLSX (.xlsx) file."))
        if upload.size > HOST_LIST_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": HOST_LIST_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class HostListMappingForm(forms.Form):
    """Which column of the file holds each of our fields ("" when the file has none)."""

    def __init__(self, *args: Any, headers: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [("", _("(not in the file)")), *((str(i), h) for i, h in enumerate(headers))]
        for field in Field:
            self.fields[field.value] = forms.ChoiceField(
                label=str(FIELD_LABELS[field]),
                choices=choices,
                required=field in REQUIRED_FIELDS,
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors:
            for problem in mapping_errors(self.mapping(), self.headers):
                self.add_error(None, problem)
        return cleaned

    def mapping(self) -> dict[Field, int | None]:
        data = self.cleaned_data
        return {field: int(data[field.value]) if data.get(field.value) else None for field in Field}


class CertificateStatusForm(forms.Form):
    """The certification body's decision on a certificate: only the statuses its current one
    may move to (scopes.models.CERTIFICATE_STATUS_TRANSITIONS), none chosen in advance."""

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", "---------"), *CERTIFICATE_DECISIONS],
    )
    status_from = IsoDateField(label=_("Applies from"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The certification body's decision, with its reference."),
    )

    def __init__(self, *args: Any, certificate: Certificate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = CERTIFICATE_STATUS_TRANSITIONS.get(certificate.status, frozenset())
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [
            ("", "---------"),
            *((value, label) for value, label in CertificateStatus.choices if value in allowed),
        ]
        self.certificate = certificate

    def clean_status_from(self) -> Any:
        day = self.cleaned_data["status_from"]
        if day is not None and day < self.certificate.issued_on:
            raise forms.ValidationError(
                _("The status cannot apply before the certificate was issued.")
            )
        if day is not None and day > self.certificate.expires_on:
            raise forms.ValidationError(
                _("The certificate has expired by then: its expiry already ends it.")
            )
        return day
