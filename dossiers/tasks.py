"""Dossier PDFs: thin tasks over dossiers.services.layout. A layout is CPU-bound and bounded by
the stale sweep's timeout; the time limits stop a runaway layout well before."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from dossiers.services.layout import (
    dossier_assemble,
    dossier_dispatch,
    dossiers_stale_sweep,
    units_render,
)


@shared_task(acks_late=True)
def dossier_dispatch_task(dossier_id: int) -> int:
    return dossier_dispatch(dossier_id=dossier_id)


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def dossier_units_render_task(self: Task, unit_ids: list[int]) -> int:
    return units_render(unit_ids=unit_ids, claim=str(self.request.id))


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def dossier_assemble_task(dossier_id: int) -> bool:
    return dossier_assemble(dossier_id=dossier_id) is not None


@shared_task(acks_late=True)
def dossiers_stale_sweep_task() -> int:
    return dossiers_stale_sweep(now=timezone.now())
