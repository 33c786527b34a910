"""Thin periodic tasks of the audits app; each calls an idempotent service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from audits.services.auditors import auditor_access_expire_sweep
from audits.services.cycle import audits_lapse_sweep
from audits.services.reminders import reminders_sweep


@shared_task(acks_late=True)
def correction_windows_sweep() -> list[int]:
    """Audits whose correction window ended unverified move to "on-site audit to redo"."""
    return audits_lapse_sweep(now=timezone.now())


@shared_task(acks_late=True)
def auditor_access_sweep() -> int:
    """Remove the permission of auditors whose window ended or whose access was revoked."""
    return auditor_access_expire_sweep(now=timezone.now())


@shared_task(acks_late=True)
def reminders_sweep_task() -> int:
    """The daily reminders of the stored deadlines; a second run the same day sends nothing."""
    return reminders_sweep(now=timezone.now())


# Dossier PDFs: thin tasks over audits.services.dossiers. A layout is CPU-bound and bounded by
# the stale sweep's timeout; the time limits stop a runaway layout well before.
@shared_task(acks_late=True)
def dossier_dispatch_task(dossier_id: int) -> int:
    return dossier_dispatch(dossier_id=dossier_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def dossier_units_render_task(unit_ids: list[int]) -> int:
    return units_render(unit_ids=unit_ids)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def dossier_assemble_task(dossier_id: int) -> bool:
    return dossier_assemble(dossier_id=dossier_id) is not None


@shared_task(acks_late=True)
def dossiers_stale_sweep_task() -> int:
    return dossiers_stale_sweep(now=timezone.now())
