"""The dossier request form of the pages. Its targets (cycles and audits of the organisation) are
passed in as a list, read once by dossiers.selectors.dossier_targets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers.models import DossierKind
from dossiers.services.request import AUDIT_KINDS


class DossierRequestForm(forms.Form):
    # The default is the one kind asked for the organisation itself, so that the form as shown,
    # with its default target, is a valid request.
    kind = forms.ChoiceField(
        label=_("Dossier"), choices=DossierKind.choices, initial=DossierKind.SOA
    )
    target = forms.ChoiceField(label=_("For"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="fr")

    def __init__(self, *args: Any, targets: Sequence[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)  # noqa: S101
        target.choices = [("", _("The organisation (SoA)")), *targets]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind, target = data.get("kind"), data.get("target") or ""
        if kind in AUDIT_KINDS and not target.startswith("audit:"):
            self.add_error("target", _("Choose the audit this dossier is for."))
        elif kind == DossierKind.FULL and not target.startswith("cycle:"):
            self.add_error("target", _("Choose the certification cycle this dossier is for."))
        return data

    def error_text(self) -> str:
        """The errors in one sentence, as the pages show them in a message and the API in its
        400's detail."""
        parts = []
        for name, errors in self.errors.items():
            text = " ".join(str(error) for error in errors)
            parts.append(f"{self.fields[name].label}: {text}" if name in self.fields else text)
        return gettext("Check the form: %(details)s") % {"details": "; ".join(parts)}
