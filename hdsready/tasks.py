"""Thin Celery tasks: take primary keys, look up, call a service; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from hdsready.mail import mail_build_and_send
from hdsready.queue import outbox_relay as relay_service
from hdsready.services.invitations import invitations_expire as expire_service
from hdsready.trail import trail_checkpoint_write
from hdsready.trail import trail_verify as verify_service

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def mail_send(mail_name: str, *args: object) -> bool:
    """Every e-mail of the app: its registered builder looks the objects up (hdsready.mail)."""
    return mail_build_and_send(mail_name, *args)


@shared_task
def outbox_relay() -> int:
    """Every minute: send the tasks the broker could not take when they were enqueued."""
    return relay_service(now=timezone.now())


@shared_task(acks_late=True)
def invitations_expire() -> int:
    return expire_service(now=timezone.now())


@shared_task
def trail_verify() -> bool:
    """Nightly: verify the trail, then export a signed checkpoint of its head, never of a trail
    that failed (a checkpoint vouches for everything before it)."""
    result = verify_service()
    if not result.ok:
        logger.error(
            "Audit trail check failed at row #%s: %s %s",
            result.first_broken_seq,
            result.reason,
            "; ".join(result.problems),
        )
        return False
    trail_checkpoint_write(now=timezone.now())
    return True
