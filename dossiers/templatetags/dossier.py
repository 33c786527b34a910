"""Filters of the dossier templates: French typography and CSS strings for the page margins."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

from dossiers.typography import french, is_french

register = template.Library()


@register.filter
def typo(value: object) -> SafeData:
    """The value escaped, with French spacing when the dossier is printed in French."""
    if isinstance(value, SafeData):
        return mark_safe(value)  # noqa: S308  (already markup: left as it is)
    text = "" if value is None else str(value)
    if is_french(get_language()):
        # The rules run on the plain text, then it is escaped: "&amp;" never meets a rule.
        text = french(text)
    return conditional_escape(text)


@register.filter
def css_string(value: object) -> SafeString:
    """A quoted CSS string that cannot end the string or the <style> element it sits in."""
    text = "" if value is None else str(value)
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"<>&\n\r' or ord(char) < 32 else char for char in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308
