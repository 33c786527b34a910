"""Text filters for pages: where a long unbroken string (a file name, an address) may wrap."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# After these, a line may break: the parts of a file name or an address stay whole.
_WRAP_POINTS = re.compile(r"([_\-./@])")


@register.filter
def wrap_points(value: object) -> SafeString:
    """`value`, escaped, with a line-break opportunity (<wbr>) after each _ - . / @, so a long
    file name wraps between its words instead of letter by letter."""
    # escape() writes only &...; entities, which hold none of the wrap points.
    return mark_safe(_WRAP_POINTS.sub(r"\1<wbr>", escape(value)))  # noqa: S308
