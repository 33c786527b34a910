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
from django.utils.translation import ngettext

from audits import deadlines
from audits.deadline_kinds import DEADLINE_KINDS, DeadlineKind, deadline_rows
from audits.models import Reminder
from audits.programme import ProgrammeFacts
from audits.reminders import OVERDUE, due_offsets
from hdsready.dates import date_format
from hdsready.models import Membership, Organisation, User
from hdsready.services.notifications import NOTIFICATION_TEXT_LENGTH, notify, officers_of
from scopes.services.certificates import certificate_procedures_open_expiring

# How far back the sweep still finds a passed date for its one "overdue" reminder, so a sweep
# missed for a few days (an outage) still sends it.
OVERDUE_CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class Due:
    """One stored date that may call for a reminder."""

    kind: DeadlineKind
    pk: int
    due_on: date
    organisation: Organisation
    label: str
    extra_recipients: tuple[User, ...] = ()
    programme: ProgrammeFacts | None = None

    @property
    def overdue_reminder(self) -> bool:
        return DEADLINE_KINDS[self.kind].overdue_reminder

    def key(self, offset: int) -> str:
        prefix = DEADLINE_KINDS[self.kind].reminder_key_prefix
        return f"{prefix}:{self.pk}:{self.due_on.isoformat()}:{offset}"


def _candidates(*, today: date, offsets: tuple[int, ...]) -> Iterator[Due]:
    """The rows of every deadline kind whose date lies in [today - catch-up, today + largest
    offset], by index: one query per kind, and one for the members reminded besides officers."""
    since = today - timedelta(days=OVERDUE_CATCH_UP_DAYS)
    until = today + timedelta(days=max(offsets, default=0))
    rows = deadline_rows(organisations=Organisation.objects.all(), start=since, end=until)
    roles = {role for entry in DEADLINE_KINDS.values() for role in entry.also_reminds}
    members: dict[tuple[int, str], list[User]] = {}
    if rows and roles:
        for membership in Membership.objects.filter(
            organisation__in={row.organisation.pk for row in rows},
            role__in=roles,
            user__is_active=True,
        ).select_related("user"):
            members.setdefault((membership.organisation_id, membership.role), []).append(
                membership.user
            )
    for row in rows:
        entry = DEADLINE_KINDS[row.kind]
        extra = [
            user
            for role in entry.also_reminds
            for user in members.get((row.organisation.pk, role), [])
        ]
        if entry.reminds_person and row.person is not None:
            extra.append(row.person)
        yield Due(
            row.kind,
            row.pk,
            row.day,
            row.organisation,
            row.subject,
            tuple(extra),
            programme=row.programme,
        )


def reminder_text(*, due: Due, offset: int, today: date) -> str:
    """The reminder in the active language, worded by the deadline kind's registry entry."""
    day = date_format(due.due_on, "DATE_FORMAT")
    days = (due.due_on - today).days
    left = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    entry = DEADLINE_KINDS[due.kind]
    template = entry.reminder_before
    if offset == OVERDUE:
        if entry.reminder_overdue is None:
            raise ValueError(f"{due.kind} deadlines send no overdue reminder")
        template = entry.reminder_overdue
    text = str(template) % {"label": due.label, "day": day, "left": left}
    if due.programme is not None:
        text = f"{text} {due.programme.short()}"
    return text[:NOTIFICATION_TEXT_LENGTH]


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
    expiries (the host's HDS and ISO 27001, its subcontractors'), evidence reviews, auditor
    accesses and the end dates of client contracts (HDS v2 chapter 6). Returns the number of
    reminders sent; a second run the same day sends none."""
    today = deadlines.paris_date(now=now)
    # HDS v2 EXI 14: a certificate about to expire opens its procedure (once, whatever the
    # number of runs); its alert is the procedure's, not counted among the reminders.
    certificate_procedures_open_expiring(today=today, now=now)
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
