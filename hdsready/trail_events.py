"""What each audit-trail event is called, and how its details read, for people.

The trail stores developer codes (`readiness.updated`, `{"changes": {"target_date": [...]}}`);
pages show labels in the reader's language. Each app declares its own events in its
`AppConfig.ready()` with `trail_events_register`, so the core never imports the apps; the
certification workflow's events come from the actions of audits/workflow.py. A test fails when a
kind written anywhere in the code has no entry here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hdsready.dates import date_format

Choices = Mapping[str, Any]


@dataclass(frozen=True)
class TrailLine:
    label: str
    text: str
    key: str = ""  # the data key it reads, for a page that leaves out what it already shows


@dataclass(frozen=True)
class TrailEventType:
    """One kind of event: its label and how to read its data.

    `model`: the data's keys (and the keys of `changes`) are this model's fields, read with their
    verbose names and choice labels. `keys` labels the other keys, `choices` gives the labels of
    their values, `hidden` lists keys that say nothing to a reader (ids the object column already
    names, content hashes).
    """

    label: Promise | str
    model: type[models.Model] | None = None
    keys: Mapping[str, Promise | str] = field(default_factory=dict)
    choices: Mapping[str, Choices] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    # Reads the whole data when "field: value" lines would not say it well.
    describe: Callable[[Mapping[str, Any]], list[TrailLine]] | None = None


_EVENTS: dict[str, TrailEventType] = {}

# Keys that mean the same in every event.
_COMMON_KEYS: dict[str, Promise] = {
    "email": _("E-mail address"),
    "user": _("User"),
    "role": _("Role"),
    "name": _("Name"),
    "from": _("Before"),
    "to": _("After"),
    "version": _("Version"),
    "file": _("File"),
    "size": _("Size"),
    "type": _("File type"),
    "reason": _("Reason"),
    "purpose": _("Purpose"),
    "number": _("Number"),
    "kind": _("Kind"),
    "requirement": _("Requirement"),
    "control": _("Control"),
    "activities": _("Activities"),
    "pages": _("Pages"),
    "rows": _("Rows"),
    "changed": _("Changed"),
    "sha256": _("SHA-256 fingerprint"),
    "expected": _("Expected fingerprint"),
    "found": _("Fingerprint found"),
    "valid_from": _("Valid from"),
    "valid_until": _("Valid until"),
    "expires_at": _("Expires on"),
    "due_on": _("Due on"),
    "language": _("Language"),
    "stage": _("Stage"),
    "via": _("Through"),
    "throttled": _("Locked out"),
    "prefix": _("Prefix"),
}
# The order details are read in; other keys follow.
_KEY_ORDER = {
    key: index
    for index, key in enumerate(("action", "as", "from", "to", "email", "user", "role", "name"))
}
# Identifiers and hashes that the object column or the stored file already say.
_COMMON_HIDDEN = frozenset({"item", "audit", "content_hash", "reused_from", "target"})


def trail_events_register(events: Mapping[str, TrailEventType | Promise | str]) -> None:
    """Declare events (kind -> type or bare label). Called from each app's `ready()`."""
    for kind, event in events.items():
        _EVENTS[kind] = event if isinstance(event, TrailEventType) else TrailEventType(event)


def trail_event_kinds() -> frozenset[str]:
    return frozenset(_EVENTS)


def trail_event_kinds_by_label() -> list[str]:
    """Every declared kind, in the order of its label in the active language: the trail's
    filter offers the kinds the app writes, not a scan of a trail that may hold millions of
    rows."""
    return sorted(_EVENTS, key=trail_event_label)


def trail_event_type(kind: str) -> TrailEventType | None:
    return _EVENTS.get(kind)


def trail_event_label(kind: str) -> str:
    event = _EVENTS.get(kind)
    return str(event.label) if event is not None else kind


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except Exception:
        return None
    return found if isinstance(found, models.Field) else None


def _key_label(event: TrailEventType, key: str) -> str:
    model_field = _model_field(event.model, key)
    if key in event.keys:
        return str(event.keys[key])
    # A verbose name given through gettext is the field's name for people; a default one (the
    # attribute's name, untranslated) is not.
    if model_field is not None and isinstance(model_field.verbose_name, Promise):
        return str(model_field.verbose_name).capitalize()
    if key in _COMMON_KEYS:
        return str(_COMMON_KEYS[key])
    if model_field is not None:
        return str(model_field.verbose_name).capitalize()
    return key.replace("_", " ").capitalize()


def _date_text(value: str) -> str | None:
    if len(value) == 10:
        parsed_date = parse_date(value) if value[4] == "-" else None
        return date_format(parsed_date, "SHORT_DATE_FORMAT") if parsed_date else None
    if len(value) > 10 and value[4] == "-" and "T" in value:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return None
        if parsed is not None:
            return date_format(parsed, "SHORT_DATETIME_FORMAT")
    return None


def _value_text(event: TrailEventType, key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "size" and isinstance(value, int):
        return str(filesizeformat(value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_value_text(event, key, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{_key_label(event, sub)}: {_value_text(event, sub, item)}"
            for sub, item in value.items()
        )
    choices = event.choices.get(key)
    if choices is None:
        model_field = _model_field(event.model, key)
        if model_field is not None and model_field.choices:
            choices = {str(k): v for k, v in model_field.flatchoices}
    if choices is not None and str(value) in choices:
        return str(choices[str(value)])
    if isinstance(value, str):
        return _date_text(value) or value
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def trail_event_lines(kind: str, data: Mapping[str, Any]) -> list[TrailLine]:
    """The event's details as "field: value" lines, in the reader's language."""
    event = _EVENTS.get(kind) or TrailEventType(kind)
    if event.describe is not None:
        return event.describe(data)
    lines: list[TrailLine] = []
    for key, value in data.items():
        if key in event.hidden or key in _COMMON_HIDDEN:
            continue
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                before, after = (
                    change if isinstance(change, list) and len(change) == 2 else (None, change)
                )
                lines.append(
                    TrailLine(
                        _key_label(event, name),
                        f"{_value_text(event, name, before)} → {_value_text(event, name, after)}",
                        name,
                    )
                )
            continue
        lines.append(TrailLine(_key_label(event, key), _value_text(event, key, value), key))
    # The stored data's key order is the database's (jsonb sorts keys): read in a fixed order.
    return sorted(lines, key=lambda line: _KEY_ORDER.get(line.key, len(_KEY_ORDER)))


def choices_of(*enums: Iterable[Any]) -> dict[str, Promise | str]:
    """Value -> label of one or more TextChoices (or a mapping), for `TrailEventType.choices`."""
    merged: dict[str, Promise | str] = {}
    for enum in enums:
        if isinstance(enum, Mapping):
            merged.update({str(k): v for k, v in enum.items()})
        else:
            merged.update({str(member.value): member.label for member in enum})
    return merged
