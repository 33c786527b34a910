"""The cycle as dated entries and a deadline as a countdown: shared by the officer's audit page
and the organisation home's certification fragment. No queries: the audits come loaded, with
their decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from audits import deadlines
from audits.models import Audit, AuditKind, AuditStatus, Decision
from audits.workflow import SETTLED


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    label: str
    past: bool


def cycle_timeline(audits: list[Audit], *, today: date) -> list[TimelineEntry]:
    """The dates of the whole cycle, in order: stages, correction window, decision,
    surveillance and renewal due dates, certificate expiry."""
    entries: dict[tuple[date, str], None] = {}

    def add(day: date | None, label: str) -> None:
        if day is not None:
            entries[(day, label)] = None

    for audit in audits:
        kind = audit.get_kind_display()
        if audit.status in (AuditStatus.DRAFT, AuditStatus.CANCELLED):
            add(audit.due_on, _("%(kind)s due") % {"kind": kind})
        add(audit.stage1_start, _("%(kind)s: documentary audit (stage 1)") % {"kind": kind})
        add(audit.stage2_start, _("%(kind)s: on-site audit (stage 2) starts") % {"kind": kind})
        add(audit.stage2_end, _("%(kind)s: on-site audit (stage 2) ends") % {"kind": kind})
        if audit.status in SETTLED:  # past the decision, the window's end is no milestone
            add(
                audit.correction_deadline,
                _("%(kind)s: end of the correction window") % {"kind": kind},
            )
        decision: Decision | None = getattr(audit, "decision", None)
        if decision is not None and decision.is_refusal:
            add(decision.decided_on, _("Certification refused"))
        elif decision is not None:
            add(decision.decided_on, _("Certification decision"))
            for due in deadlines.surveillance_due_dates(decision_date=decision.decided_on):
                add(due, _("%(kind)s due") % {"kind": AuditKind.SURVEILLANCE.label})
            add(
                deadlines.renewal_audit_due(decision_date=decision.decided_on),
                _("%(kind)s due") % {"kind": AuditKind.RENEWAL.label},
            )
            add(decision.expires_on, _("Certificate expires"))
    return [TimelineEntry(day=day, label=label, past=day < today) for day, label in sorted(entries)]


def countdown(deadline: date | None, *, now: datetime) -> dict[str, object] | None:
    """The deadline, the whole days left in Paris, and whether it has passed."""
    if deadline is None:
        return None
    return {
        "deadline": deadline,
        "days_left": deadlines.days_left(deadline=deadline, now=now),
        "passed": deadlines.deadline_passed(deadline=deadline, now=now),
    }
