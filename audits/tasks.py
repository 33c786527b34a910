"""Thin periodic tasks of the audits app; each calls an idempotent service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from audits.models import AuditorAccess, Notification
from audits.services.auditors import auditor_access_expire_sweep
from audits.services.cycle import audits_lapse_sweep
from audits.services.reminders import reminders_sweep


@shared_task(acks_late=True)
def correction_windows_sweep() -> list[int]:
    """Audits whose correction window ended unverified move to "on-site audit to redo"."""
    return audits_lapse_sweep(now=timezone.now())


@shared_task(acks_late=True)
def auditor_invitation_email_send(access_id: int, raw_token: str, language: str) -> bool:
    access = (
        AuditorAccess.objects.select_related("audit__cycle__organisation", "invited_by")
        .filter(pk=access_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if access is None:
        return False
    link = settings.SITE_URL + reverse("audits:auditor-accept", args=[raw_token])
    context = {"access": access, "audit": access.audit, "link": link}
    with translation.override(language):
        subject = render_to_string("emails/auditor_invitation_subject.txt", context).strip()
        text = render_to_string("emails/auditor_invitation.txt", context)
        html = render_to_string("emails/auditor_invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[access.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@shared_task(acks_late=True)
def auditor_access_sweep() -> int:
    """Remove the permission of auditors whose window ended or whose access was revoked."""
    return auditor_access_expire_sweep(now=timezone.now())


@shared_task(acks_late=True)
def reminders_sweep_task() -> int:
    """The daily reminders of the stored deadlines; a second run the same day sends nothing."""
    return reminders_sweep(now=timezone.now())


@shared_task(acks_late=True)
def reminder_email_send(notification_id: int) -> bool:
    """E-mail one reminder notification to its user, in the user's language."""
    notification = (
        Notification.objects.select_related("user", "organisation")
        .filter(pk=notification_id, user__is_active=True)
        .first()
    )
    if notification is None:
        return False
    user = notification.user
    context = {
        "notification": notification,
        "organisation": notification.organisation,
        "link": settings.SITE_URL + notification.link if notification.link else "",
    }
    with translation.override(user.language):
        subject = render_to_string("emails/reminder_subject.txt", context).strip()
        text = render_to_string("emails/reminder.txt", context)
        html = render_to_string("emails/reminder.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
