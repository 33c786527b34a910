"""The date and date-time inputs of every form. Browsers' `<input type="date">` and
`type="datetime-local"` read and send ISO only (YYYY-MM-DD, YYYY-MM-DDTHH:MM): a value rendered
in the language's format ("01/06/2027") shows as empty and is lost on save. So the inputs always
render ISO, whatever the language, and the fields also take the French forms a person may type
where the browser shows a plain text box, whatever the language."""

from __future__ import annotations

from typing import Any

from django import forms

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
