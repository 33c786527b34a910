from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.services import ItemData
from hdsready.models import Organisation
from hdsready.widgets import IsoDateField, QuickSelectMultiple
from scopes.forms import MemberOwnerForm
from scopes.models import Requirement
from scopes.selectors import frameworks_visible


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Requirement) -> str:
        return f"{obj.ref_id} {obj.name}"[:90]


class ItemForm(MemberOwnerForm):
    field_order = (
        "title",
        "description",
        "url",
        "owner",
        "requirements",
        "effective_on",
        "review_due_on",
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(
        label=_("Address (for a link)"), required=False, max_length=1000, assume_scheme="https"
    )
    requirements = RequirementChoiceField(
        label=_("Requirements it supports"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 8}),
    )
    effective_on = IsoDateField(
        label=_("Effective date"),
        required=False,
        help_text=_("The period it proves, not the upload date."),
    )
    review_due_on = IsoDateField(
        label=_("Review or expiry date"),
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        requirements = cast(forms.ModelMultipleChoiceField, self.fields["requirements"])
        requirements.queryset = (
            Requirement.objects.filter(
                framework__in=frameworks_visible(organisation=organisation), assessable=True
            )
            .select_related("framework")
            .order_by("framework__code", "order")
        )

    def to_data(self) -> ItemData:
        d = self.cleaned_data
        return ItemData(
            title=d["title"],
            description=d.get("description") or "",
            owner=d.get("owner"),
            requirements=list(d.get("requirements") or []),
            effective_on=d.get("effective_on"),
            review_due_on=d.get("review_due_on"),
            url=d.get("url") or "",
        )


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        initial="active",  # what the list shows when no filter is given
        choices=[("active", _("Active")), ("retired", _("Retired")), ("", _("All"))],
    )
    review = forms.BooleanField(label=_("Review due within 30 days"), required=False)
