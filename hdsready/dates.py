"""Dates written as a French reader writes them, in one place.

Django's French formats print the first day of a month as « 1 février 2027 »; French writes
« 1er février 2027 » (the ordinal, for the first day only). Every long date of the product
goes through `date_format` here: the template filter `date` (hdsready/templatetags/dates.py,
a builtin that takes the place of Django's) and the Python code that writes dates into messages,
reminders and dossiers. Short dates (« 01/02/2027 ») have no day-of-month letter to change."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import dateformat, formats, translation

# The day of the month without leading zero, where it is not escaped.
DAY_OF_MONTH = re.compile(r"(?<!\\)j")
FIRST = "j\\e\\r"  # the day, then the letters "er" escaped from the format's syntax


def ordinal_format(format_string: str, *, day: int, language: str) -> str:
    """The format string for this day in this language: in French, the first of the month is
    written « 1er »."""
    if day == 1 and language.split("-")[0] == "fr":
        return DAY_OF_MONTH.sub(lambda _match: FIRST, format_string)
    return format_string


def date_format(value: date | datetime, format: str | None = None) -> str:
    """As django.utils.formats.date_format (a format's name, or a format string), in the active
    language, with the French first of the month."""
    format_string = str(formats.get_format(format or "DATE_FORMAT"))
    language = translation.get_language() or ""
    return dateformat.format(value, ordinal_format(format_string, day=value.day, language=language))
