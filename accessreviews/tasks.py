"""Thin periodic task of the access reviews; it calls an idempotent service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accessreviews.services import access_review_reminders_sweep


@shared_task(acks_late=True)
def access_review_reminders_task() -> int:
    """Remind the officers of an overdue access review; a second run sends nothing."""
    return access_review_reminders_sweep(now=timezone.now())
