"""When a stored deadline calls for a reminder, as pure date maths (no ORM, no clock).

An offset is a number of days before the date: offset 7 is due on the day `due_on - 7`.
OVERDUE (offset 0) is the one reminder once the date has passed: due on any day after
`due_on` (the date itself is still in time, a deadline being reached at the end of its day);
its reminder key names offset 0, so it is sent once however many days the sweep sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

DEFAULT_REMINDER_OFFSETS: tuple[int, ...] = (30, 14, 7, 1)
OVERDUE = 0


def due_offsets(*, due_on: date, today: date, offsets: Iterable[int]) -> list[int]:
    """The offsets due `today` for a date `due_on`, largest first, OVERDUE last."""
    due = sorted(
        {offset for offset in offsets if offset > 0 and today == due_on - timedelta(days=offset)},
        reverse=True,
    )
    if today > due_on:
        due.append(OVERDUE)
    return due


def parse_offsets(raw: str) -> tuple[int, ...]:
    """ "30, 14,7" -> (30, 14, 7); refuses anything but positive whole days."""
    offsets = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ValueError(f"reminder offset {part!r}: expected a positive number of days")
        offsets.append(int(part))
    if not offsets:
        raise ValueError("no reminder offset given")
    return tuple(sorted(set(offsets), reverse=True))
