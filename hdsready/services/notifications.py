"""In-app notifications, each with its e-mail: any app announces a change to the people
concerned through notify(), inside the transaction of that change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import translation

from hdsready.mail import TemplatedMail, mail_enqueue, site_link
from hdsready.models import Membership, Notification, Organisation, Role, User

NOTIFICATION_TEXT_LENGTH = 300
NOTIFICATION_MAIL = "notification"


def officers_of(organisation: Organisation) -> list[User]:
    """The active compliance officers of an organisation: they get every reminder."""
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role=Role.OFFICER, user__is_active=True
        ).select_related("user")
    ]


def notify(
    *,
    users: Iterable[User],
    organisation: Organisation,
    message: Callable[[], str],
    link: str,
    now: datetime,
) -> None:
    """An in-app notification for each user, worded in their language, and its e-mail after
    commit. Call it inside the transaction of the change it announces."""
    for user in users:
        with translation.override(user.language):
            text = str(message())[:NOTIFICATION_TEXT_LENGTH]
        notification = Notification.objects.create(
            user=user, organisation=organisation, text=text, link=link, created_at=now
        )
        mail_enqueue(NOTIFICATION_MAIL, notification.pk)


def notifications_mark_read(*, user: User, now: datetime) -> int:
    """Mark all the user's notifications read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)


def notification_mail(notification_id: int) -> TemplatedMail | None:
    """The e-mail of one notification, in its user's language; none for a deactivated user."""
    notification = (
        Notification.objects.select_related("user", "organisation")
        .filter(pk=notification_id, user__is_active=True)
        .first()
    )
    if notification is None:
        return None
    return TemplatedMail(
        to=notification.user.email,
        template_prefix="emails/reminder",
        context={
            "notification": notification,
            "organisation": notification.organisation,
            "link": site_link(notification.link) if notification.link else "",
        },
        language=notification.user.language,
    )
