"""The date and date-time inputs of every form. Browsers' `<input type="date">` and
`type="datetime-local"` read and send ISO only (YYYY-MM-DD, YYYY-MM-DDTHH:MM): a value rendered
in the language's format ("01/06/2027") shows as empty and is lost on save. So the inputs always
render ISO, whatever the language, and the fields also take the French forms a person may type
where the browser shows a plain text box, whatever the language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
# ISO first; then what a person types in France when the browser offers a text box.
DATE_INPUT_FORMATS = (ISO_DATE, "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y")
DATETIME_INPUT_FORMATS = (
    ISO_DATETIME,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
)


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATETIME)


class IsoDateField(forms.DateField):
    """A date field shown as the browser's date picker, in ISO whatever the language."""

    widget = IsoDateInput
    input_formats = DATE_INPUT_FORMATS


class IsoDateTimeField(forms.DateTimeField):
    """A date and time field shown as the browser's picker, in ISO whatever the language."""

    widget = IsoDateTimeInput
    input_formats = DATETIME_INPUT_FORMATS


class QuickSelectMixin:
    """A select rendered in Python rather than through one template per option: the same
    HTML as Django's select widgets (tests/hdsready/test_quick_select.py compares them), at a
    third or less of the cost, for the selects that list a whole catalogue."""

    @staticmethod
    def _attrs(attrs: dict[str, Any]) -> str:
        # As django/forms/widgets/attrs.html: in order, True as a bare name, False left out.
        return format_html_join(
            "",
            "{}{}",
            (
                (format_html(" {}", name), "" if value is True else format_html('="{}"', value))
                for name, value in attrs.items()
                if value is not False
            ),
        )

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts: list[str] = [
            format_html('<select name="{}"{}>', widget["name"], self._attrs(widget["attrs"]))
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    self._attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every part escaped by format_html)


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass
