"""Audit-trail events for people.

`{{ event.kind|trail_label }}`, `{% for line in event|trail_lines %}`.
"""

from __future__ import annotations

from django import template

from hdsready.models import TrailEvent
from hdsready.trail_events import TrailLine, trail_event_label, trail_event_lines

register = template.Library()


@register.filter
def trail_label(kind: str) -> str:
    return trail_event_label(kind)


@register.filter
def trail_lines(event: TrailEvent) -> list[TrailLine]:
    return trail_event_lines(event.kind, event.data or {})
