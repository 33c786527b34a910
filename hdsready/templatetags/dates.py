"""The `date` template filter, as Django's, writing the French first of the month « 1er »
(hdsready/dates.py). Installed as a template builtin after Django's (settings.TEMPLATES), so
every `|date` of every template and PDF uses it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.dateformat import format as format_value

from hdsready.dates import date_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    if value in (None, ""):
        return ""
    try:
        return date_format(value, arg)
    except AttributeError:
        try:
            return format_value(value, arg or "")
        except AttributeError:
            return ""
