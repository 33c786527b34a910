"""Thin periodic tasks of the audits app; each calls an idempotent service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from audits.services.cycle import audits_lapse_sweep


@shared_task(acks_late=True)
def correction_windows_sweep() -> list[int]:
    """Audits whose correction window ended unverified move to "on-site audit to redo"."""
    return audits_lapse_sweep(now=timezone.now())
