"""Thin Celery tasks: take primary keys, look up, call a service; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from hdsready.models import Invitation, InvitationStatus
from hdsready.services.invitations import invitations_expire as expire_service
from hdsready.trail import trail_verify as verify_service

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def invitation_email_send(invitation_id: int, raw_token: str, language: str) -> bool:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        return False
    link = settings.SITE_URL + reverse("hdsready:invitation-accept", args=[raw_token])
    context = {"invitation": invitation, "link": link}
    with translation.override(language):
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        text = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@shared_task(acks_late=True)
def invitations_expire() -> int:
    return expire_service(now=timezone.now())


@shared_task
def trail_verify() -> bool:
    result = verify_service()
    if not result.ok:
        logger.error(
            "Audit trail chain broken at row #%s: %s", result.first_broken_seq, result.reason
        )
    return result.ok
