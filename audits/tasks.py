"""Thin periodic tasks of the audits app; each calls an idempotent service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from audits.services.auditors import auditor_access_expire_sweep
from audits.services.cycle import audits_lapse_sweep
from audits.services.reminders import reminders_sweep


@shared_task(acks_late=True)
def correction_windows_sweep() -> list[int]:
    """Audits whose correction window ended move on (workflow.settle_corrections)."""
    return audits_lapse_sweep(now=timezone.now())


@shared_task(acks_late=True)
def auditor_access_sweep() -> int:
    """Remove the permission of auditors whose window ended or whose access was revoked."""
    return auditor_access_expire_sweep(now=timezone.now())


@shared_task(acks_late=True)
def reminders_sweep_task() -> int:
    """The daily reminders of the stored deadlines; a second run the same day sends nothing."""
    return reminders_sweep(now=timezone.now())
