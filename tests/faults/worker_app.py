"""The Celery app of the fault tests' workers: hdsready's own, with one optional stall point.

`celery -A tests.faults.worker_app worker` with FAULT_STALL set makes the worker stop at that
point the first time it gets there: it writes its process id to FAULT_MARKER and waits, so the
test kills it exactly there (no guess of how long a layout takes). Nothing else differs:

- `render`: in a dossier layout, units claimed, WeasyPrint's pass not finished;
- `mail-publish`: a reminder committed by the sweep, its e-mail not yet handed to the broker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import django

from hdsready.celery import app

django.setup()

STALL = os.environ.get("FAULT_STALL", "")
MARKER = Path(os.environ.get("FAULT_MARKER", "/nonexistent/fault-marker"))


def _stall_once() -> None:
    """Wait here until killed; only the first process that gets here (the marker says so)."""
    if MARKER.exists():
        return
    MARKER.write_text(str(os.getpid()))
    while True:
        time.sleep(1)


if STALL == "render":
    from dossiers.services import layout

    _render_units = layout.render_units

    def _stalled_render_units(*args: Any, **kwargs: Any) -> Any:
        _stall_once()
        return _render_units(*args, **kwargs)

    layout.render_units = _stalled_render_units

elif STALL == "mail-publish":
    from celery.app.task import Task

    _apply_async = Task.apply_async

    def _stalled_apply_async(self: Task, *args: Any, **kwargs: Any) -> Any:
        if self.name == "hdsready.tasks.mail_send":
            _stall_once()
        return _apply_async(self, *args, **kwargs)

    Task.apply_async = _stalled_apply_async  # type: ignore[method-assign]

elif STALL:
    raise ValueError(f"FAULT_STALL={STALL!r}: use render or mail-publish")

__all__ = ["app"]
