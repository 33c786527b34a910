"""The daily reminder sweep over the stored, indexed deadlines (STYLE rule 11).

Each reminder has a unique key (kind, object, date, offset). The sweep claims a reminder by
inserting its row before it notifies anybody; only the rows THIS sweep inserted are sent, so two
sweeps on the same day, or two beat processes, send nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    AuditStatus,
    Decision,
    Reminder,
)
from audits.reminders import OVERDUE, due_offsets
from evidence.models import EvidenceItem, EvidenceStatus
from hdsready.models import Membership, Organisation, Role, User
from hdsready.services.notifications import NOTIFICATION_TEXT_LENGTH, notify, officers_of
from scopes.models import Certificate

# How far back the sweep still finds a passed date for its one "overdue" reminder, so a sweep
# missed for a few days (an outage) still sends it.
OVERDUE_CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class Due:
    """One stored date that may call for a reminder."""

    kind: str
    pk: int
    due_on: date
    organisation: Organisation
    label: str
    extra_recipients: tuple[User, ...] = ()
    overdue_reminder: bool = True

    def key(self, offset: int) -> str:
        return f"{self.kind}:{self.pk}:{self.due_on.isoformat()}:{offset}"


def _candidates(*, today: date, offsets: tuple[int, ...]) -> Iterator[Due]:
    """The rows whose date lies in [today - catch-up, today + largest offset], by index."""
    since = today - timedelta(days=OVERDUE_CATCH_UP_DAYS)
    until = today + timedelta(days=max(offsets, default=0))

    # The correction window: after it lapses the audit moves to "on-site audit to redo", which
    # is when its overdue reminder goes out.
    for audit in Audit.objects.filter(
        correction_deadline__range=(since, until),
        status__in=(AuditStatus.CORRECTIONS, AuditStatus.ONSITE_REDO),
    ).select_related("cycle__organisation"):
        if audit.correction_deadline is None:  # excluded by the filter; narrows the type
            continue
        organisation = audit.cycle.organisation
        contributors = tuple(
            m.user
            for m in Membership.objects.filter(
                organisation=organisation, role=Role.CONTRIBUTOR, user__is_active=True
            ).select_related("user")
        )
        yield Due(
            "correction",
            audit.pk,
            audit.correction_deadline,
            organisation,
            str(audit),
            contributors,
        )

    for audit in Audit.objects.filter(
        due_on__range=(since, until),
        status=AuditStatus.DRAFT,
        kind__in=(AuditKind.SURVEILLANCE, AuditKind.RENEWAL),
    ).select_related("cycle__organisation"):
        if audit.due_on is None:  # excluded by the filter; narrows the type
            continue
        yield Due("audit_due", audit.pk, audit.due_on, audit.cycle.organisation, str(audit))

    for decision in Decision.objects.filter(expires_on__range=(since, until)).select_related(
        "audit__cycle__organisation"
    ):
        organisation = decision.audit.cycle.organisation
        # The decision records its certificate among the host's certificates, which remind.
        if Certificate.objects.filter(
            organisation=organisation,
            subcontractor__isnull=True,
            number=decision.certificate_number,
            expires_on=decision.expires_on,
        ).exists():
            continue
        yield Due(
            "decision",
            decision.pk,
            decision.expires_on,
            organisation,
            decision.certificate_number,
        )

    for certificate in Certificate.objects.filter(expires_on__range=(since, until)).select_related(
        "organisation", "subcontractor"
    ):
        label = str(certificate)
        if certificate.subcontractor is not None:
            label = f"{label} ({certificate.subcontractor})"
        yield Due(
            "certificate", certificate.pk, certificate.expires_on, certificate.organisation, label
        )

    for item in EvidenceItem.objects.filter(
        review_due_on__range=(since, until), status=EvidenceStatus.ACTIVE
    ).select_related("organisation"):
        if item.review_due_on is None:  # excluded by the filter; narrows the type
            continue
        yield Due("evidence", item.pk, item.review_due_on, item.organisation, item.title)

    # An auditor's access ends by itself: reminders before its last day, none after.
    for access in AuditorAccess.objects.filter(
        revoked_at__isnull=True,
        # Its last day (the Paris date just before valid_until) within [today, until].
        valid_until__gt=deadlines.end_of_day(day=today - timedelta(days=1)),
        valid_until__lte=deadlines.end_of_day(day=until),
    ).select_related("audit__cycle__organisation", "user"):
        # The last day of access: the Paris date of the instant just before it ends.
        last_day = deadlines.paris_date(now=access.valid_until - timedelta(microseconds=1))
        auditor = (access.user,) if access.user is not None and access.user.is_active else ()
        yield Due(
            "auditor_access",
            access.pk,
            last_day,
            access.audit.cycle.organisation,
            access.email,
            auditor,
            overdue_reminder=False,
        )


def reminder_text(*, due: Due, offset: int, today: date) -> str:
    """The reminder in the active language."""
    day = date_format(due.due_on, "DATE_FORMAT")
    days = (due.due_on - today).days
    left = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    texts = {
        "correction": (
            _(
                "Correction deadline of %(label)s: %(left)s (until %(day)s). Past it, the "
                "on-site audit must be redone."
            ),
            _(
                "The correction deadline of %(label)s passed on %(day)s: the on-site audit "
                "must be redone."
            ),
        ),
        "audit_due": (
            _("%(label)s is due by %(day)s: %(left)s."),
            _("%(label)s was due by %(day)s and has not taken place."),
        ),
        "decision": (
            _("The HDS certificate %(label)s expires on %(day)s: %(left)s."),
            _("The HDS certificate %(label)s expired on %(day)s."),
        ),
        "certificate": (
            _("The certificate %(label)s expires on %(day)s: %(left)s."),
            _("The certificate %(label)s expired on %(day)s."),
        ),
        "evidence": (
            _("The evidence “%(label)s” is to be reviewed by %(day)s: %(left)s."),
            _("The review of the evidence “%(label)s” was due on %(day)s."),
        ),
        "auditor_access": (
            _("The auditor access of %(label)s ends on %(day)s: %(left)s."),
            _("The auditor access of %(label)s ended on %(day)s."),
        ),
    }
    before, after = texts[due.kind]
    template = after if offset == OVERDUE else before
    return (template % {"label": due.label, "day": day, "left": left})[:NOTIFICATION_TEXT_LENGTH]


def _recipients(due: Due) -> list[User]:
    unique: dict[int, User] = {}
    for user in [*officers_of(due.organisation), *due.extra_recipients]:
        unique.setdefault(user.pk, user)
    return list(unique.values())


def _claim(*, due: Due, offset: int, now: datetime) -> bool:
    """Insert the reminder's row; True only if this call inserted it."""
    _reminder, created = Reminder.objects.get_or_create(
        key=due.key(offset),
        defaults={
            "organisation": due.organisation,
            "subject_type": due.kind,
            "subject_id": str(due.pk),
            "due_on": due.due_on,
            "offset_days": offset,
            "created_at": now,
        },
    )
    return created


def reminders_sweep(*, now: datetime) -> int:
    """Remind the organisation of every stored deadline due today in Paris (REMINDER_OFFSET_DAYS
    before it, and once after it): the 3-month correction window after the on-site audit (past
    it the on-site audit is redone), planned surveillance and renewal audits, certificate
    expiries (the host's HDS and ISO 27001, its subcontractors'), evidence reviews and auditor
    accesses. Returns the number of reminders sent; a second run the same day sends none."""
    today = deadlines.paris_date(now=now)
    offsets = tuple(settings.REMINDER_OFFSET_DAYS)
    sent = 0
    for due in _candidates(today=today, offsets=offsets):
        for offset in due_offsets(due_on=due.due_on, today=today, offsets=offsets):
            if offset == OVERDUE and not due.overdue_reminder:
                continue
            with transaction.atomic():
                if not _claim(due=due, offset=offset, now=now):
                    continue  # another sweep sent it
                notify(
                    users=_recipients(due),
                    organisation=due.organisation,
                    message=partial(reminder_text, due=due, offset=offset, today=today),
                    link=reverse("hdsready:organisation-home", args=[due.organisation.slug]),
                    now=now,
                )
            sent += 1
    return sent
