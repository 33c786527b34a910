"""The certification cycle of one audit, defined once: its states, the actions that move it, who
may take each action, the guard, the dates it sets, the trail event and the labels.

Services execute this definition (audits/services/workflow.py); pages and the API ask it which
actions a person may take now (`actions_for`), so no form is offered that would be refused, and
the timeline and dossiers read their labels from it. Adding a state or an action is an edit here
(and the effect that changes the data, registered by its service with `@effect`).

The procedure, as the ANS text says it (shared/DOMAIN.md): « L'hébergeur dispose de trois mois
après la fin de l'audit sur site pour corriger les éventuelles non-conformités et faire auditer ses
corrections. Passé ce délai et sans action de l'hébergeur, toute la procédure d'audit sur site sera
de nouveau réalisée. » Findings can be raised up to the decision and fall in the same window; the
on-site audit is redone only when the host took no action in time (`settle_corrections`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audits import deadlines
from audits.models import Audit, AuditKind, AuditStatus, Finding, FindingStatus, Stage
from hdsready.dates import date_format

S = AuditStatus


class Actor(StrEnum):
    """Who takes an action. The same person may hold several of these on one audit."""

    OFFICER = "officer"  # a member who manages the organisation (roles.MANAGE)
    HOST = "host"  # a member who answers findings and reviews (roles.EDIT_READINESS)
    AUDITOR = "auditor"  # the auditor invited to this audit, within their access window
    BODY = "body"  # the officer recording what an outside certification body did
    SYSTEM = "system"  # the daily sweep; never offered on a page


ACTOR_LABELS: dict[Actor, Promise] = {
    Actor.OFFICER: _("compliance officer"),
    Actor.HOST: _("member answering findings"),
    Actor.AUDITOR: _("invited auditor"),
    Actor.BODY: _("compliance officer, for the certification body"),
    Actor.SYSTEM: _("hdsready"),
}

# Terminal states: nothing but closing follows (a decided or refused audit is closed).
TERMINAL: frozenset[str] = frozenset({S.CLOSED, S.CANCELLED})
# After the on-site audit and before the decision: the correction phase.
AFTER_ONSITE: frozenset[str] = frozenset(
    {S.STAGE2_DONE, S.CORRECTIONS, S.AWAITING_VERIFICATION, S.CORRECTIONS_VERIFIED}
)
# The states settle_corrections may give, after the on-site audit.
SETTLED: frozenset[str] = frozenset({*AFTER_ONSITE, S.ONSITE_REDO})
# While the correction window counts: corrections are submitted and verified.
CORRECTING: frozenset[str] = frozenset({S.CORRECTIONS, S.AWAITING_VERIFICATION})
# The states whose correction deadline is a live deadline (reminders, calendar, home page).
CORRECTION_WINDOW_STATUSES: frozenset[str] = frozenset({*CORRECTING, S.ONSITE_REDO})
# The stage of the audit in each state: what a finding or a review is raised against.
STAGE_OF_STATE: dict[str, str] = {
    state: Stage.DOCUMENTARY
    if state in (S.DRAFT, S.STAGE1_PLANNED, S.STAGE1_DONE)
    else Stage.ONSITE
    for state in S.values
}
# Findings are raised from the documentary audit up to the decision.
RAISING: frozenset[str] = frozenset(
    {S.STAGE1_PLANNED, S.STAGE1_DONE, S.STAGE2_PLANNED, *AFTER_ONSITE}
)
# Evidence is reviewed while a stage is planned or just done.
REVIEWING: frozenset[str] = frozenset(
    {S.STAGE1_PLANNED, S.STAGE1_DONE, S.STAGE2_PLANNED, S.STAGE2_DONE}
)
CANCELLABLE: frozenset[str] = frozenset(set(S.values) - {S.DECIDED, S.REFUSED, *TERMINAL})
DECIDING_KINDS: frozenset[str] = frozenset({AuditKind.INITIAL, AuditKind.RENEWAL})


# Why the action cannot be taken on this audit on this day (Paris), or None.
Guard = Callable[[Audit, date], Promise | str | None]


@dataclass(frozen=True)
class Action:
    """One thing that can happen to an audit (or to one of its findings)."""

    name: str  # stable, used in URLs and the API
    label: Promise  # the form's title
    button: Promise
    done: Promise  # said once it is done
    actors: frozenset[Actor]
    sources: frozenset[str]  # the audit states it may be taken from
    targets: frozenset[str]  # the states it may lead to (empty: the state does not change)
    event: str  # the audit-trail event it writes
    event_label: Promise  # how the trail names that event
    sets: tuple[str, ...] = ()  # the audit fields it sets (dates, outcomes)
    kinds: frozenset[str] = frozenset(AuditKind.values)
    # For an action on one finding: the finding statuses it may be taken from.
    finding_statuses: frozenset[str] = frozenset()
    guard: Guard | None = None
    help: Promise | None = None
    # What the organisation's officers are told when the invited auditor takes this action
    # (hdsready's notifications, with their e-mail): "%(auditor)s", "%(audit)s" and "%(detail)s"
    # (what the effect says it did) are filled in, in each officer's language.
    notice: Promise | None = None

    @property
    def on_finding(self) -> bool:
        return bool(self.finding_statuses)

    def refusal(
        self, audit: Audit, finding: Finding | None = None, *, today: date | None = None
    ) -> str | None:
        """Why this action cannot be taken on this audit now (`today` in Paris, by default the
        current day), or None."""
        if audit.status not in self.sources:
            return str(
                _("This audit is “%(state)s”: “%(action)s” is not possible now.")
                % {"state": audit.get_status_display(), "action": self.label}
            )
        if audit.kind not in self.kinds:
            return str(
                _("“%(action)s” is not part of a %(kind)s.")
                % {"action": self.label, "kind": audit.get_kind_display().lower()}
            )
        if self.on_finding and (finding is None or finding.status not in self.finding_statuses):
            return str(_("This finding cannot change that way now."))
        if self.guard is None:
            return None
        if today is None:
            today = deadlines.paris_date(now=timezone.now())
        if (reason := self.guard(audit, today)) is not None:
            return str(reason)
        return None


def _surveillance_may_skip_stage1(audit: Audit, _today: date) -> Promise | None:
    if audit.status == S.DRAFT and audit.kind != AuditKind.SURVEILLANCE:
        return _("Only a surveillance audit may start with the on-site audit.")
    return None


def _documents_not_submitted(audit: Audit, _today: date) -> Promise | None:
    if audit.stage1_submitted_at is not None:
        return _("The documents of this audit were already submitted.")
    return None


def _started(first_day: str, message: Promise) -> Guard:
    """A stage is completed once it has started: from its first day (the audit field
    `first_day`), not on the day it is planned."""

    def guard(audit: Audit, today: date) -> str | None:
        first = getattr(audit, first_day)
        if first is not None and today < first:
            return str(message) % {"day": date_format(first, "DATE_FORMAT")}
        return None

    return guard


def _closable(audit: Audit, _today: date) -> Promise | None:
    if audit.status in AFTER_ONSITE and audit.kind != AuditKind.SURVEILLANCE:
        return _("This audit ends with a certification decision, not closing.")
    return None


ON_AUDIT = frozenset({Actor.OFFICER})
FOR_BODY = frozenset({Actor.AUDITOR, Actor.BODY})

STAGE1_SCHEDULE = Action(
    name="stage1-schedule",
    label=_("Schedule the documentary audit"),
    button=_("Schedule"),
    done=_("Documentary audit scheduled."),
    actors=ON_AUDIT,
    # Planned again while still to come: a body that postpones the audit moves its dates.
    sources=frozenset({S.DRAFT, S.STAGE1_PLANNED}),
    targets=frozenset({S.STAGE1_PLANNED}),
    event="audit.stage1_scheduled",
    event_label=_("Documentary audit scheduled"),
    sets=("stage1_start", "stage1_end"),
)
STAGE1_SUBMIT = Action(
    name="stage1-submit",
    label=_("Submit the documents"),
    button=_("Submit the documents"),
    done=_("Documents submitted: the evidence versions are frozen for the documentary audit."),
    actors=ON_AUDIT,
    sources=frozenset({S.STAGE1_PLANNED}),
    targets=frozenset(),
    event="audit.stage1_submitted",
    event_label=_("Documents submitted"),
    sets=("stage1_submitted_at",),
    guard=_documents_not_submitted,
    help=_(
        "Freezes the current version of every active evidence linked to a requirement: later "
        "uploads do not change what the documentary audit reviews."
    ),
)
STAGE1_COMPLETE = Action(
    name="stage1-complete",
    label=_("Complete the documentary audit"),
    button=_("Complete"),
    done=_("Documentary audit completed."),
    actors=frozenset({Actor.OFFICER, Actor.AUDITOR}),
    sources=frozenset({S.STAGE1_PLANNED}),
    targets=frozenset({S.STAGE1_DONE}),
    event="audit.stage1_completed",
    event_label=_("Documentary audit completed"),
    sets=("stage1_outcome",),
    guard=_started(
        "stage1_start",
        _("The documentary audit starts on %(day)s: it can be completed from that day."),
    ),
    notice=_("%(auditor)s completed the documentary audit (%(audit)s)."),
)
STAGE2_SCHEDULE = Action(
    name="stage2-schedule",
    label=_("Schedule the on-site audit"),
    button=_("Schedule"),
    done=_("On-site audit scheduled."),
    actors=ON_AUDIT,
    sources=frozenset({S.DRAFT, S.STAGE1_DONE, S.STAGE2_PLANNED, S.ONSITE_REDO}),
    targets=frozenset({S.STAGE2_PLANNED}),
    event="audit.stage2_scheduled",
    event_label=_("On-site audit scheduled"),
    sets=("stage2_start", "stage2_end", "stage2_sites"),
    guard=_surveillance_may_skip_stage1,
)
STAGE2_COMPLETE = Action(
    name="stage2-complete",
    label=_("Complete the on-site audit"),
    button=_("Complete"),
    done=_("On-site audit completed."),
    actors=frozenset({Actor.OFFICER, Actor.AUDITOR}),
    sources=frozenset({S.STAGE2_PLANNED}),
    targets=SETTLED,
    event="audit.stage2_completed",
    event_label=_("On-site audit completed"),
    sets=("stage2_ended_on", "stage2_outcome", "correction_deadline"),
    guard=_started(
        "stage2_start", _("The on-site audit starts on %(day)s: it can be completed from that day.")
    ),
    help=_(
        "The correction window runs 3 months from the day the on-site audit actually ended, "
        "not from the planned end."
    ),
    notice=_("%(auditor)s completed the on-site audit (%(audit)s)."),
)
STAGE2_END_CORRECT = Action(
    name="stage2-end-correct",
    label=_("Correct the end date of the on-site audit"),
    button=_("Correct"),
    done=_("End date of the on-site audit corrected; the correction deadline follows it."),
    actors=ON_AUDIT,
    sources=SETTLED,
    targets=SETTLED,
    event="audit.stage2_end_corrected",
    event_label=_("End date of the on-site audit corrected"),
    sets=("stage2_ended_on", "correction_deadline"),
)
FINDING_RAISE = Action(
    name="finding-raise",
    label=_("Record a finding"),
    button=_("Record"),
    done=_("Finding recorded."),
    actors=FOR_BODY,
    sources=RAISING,
    targets=SETTLED,
    event="finding.raised",
    event_label=_("Finding recorded"),
    sets=("correction_deadline",),
    help=_("A non-conformity raised after the on-site audit falls in the same correction window."),
    notice=_("%(auditor)s recorded a finding (%(audit)s): %(detail)s"),
)
CORRECTION_SUBMIT = Action(
    name="correction-submit",
    label=_("Submit the correction"),
    button=_("Submit"),
    done=_("Correction submitted."),
    actors=frozenset({Actor.HOST}),
    sources=CORRECTING,
    targets=frozenset(),
    event="finding.correction_submitted",
    event_label=_("Correction submitted"),
    finding_statuses=frozenset({FindingStatus.OPEN}),
)
CORRECTION_VERIFY = Action(
    name="correction-verify",
    label=_("Verify the correction"),
    button=_("Record the verification"),
    done=_("Verification recorded."),
    actors=FOR_BODY,
    sources=CORRECTING,
    targets=SETTLED,
    event="finding.correction_verified",
    event_label=_("Correction verified"),
    finding_statuses=frozenset({FindingStatus.CORRECTION_SUBMITTED}),
    notice=_("%(auditor)s verified a correction (%(audit)s): %(detail)s"),
)
OBSERVATION_PLAN = Action(
    name="observation-plan",
    label=_("Plan actions for the observation"),
    button=_("Record the action plan"),
    done=_("Action plan recorded."),
    actors=frozenset({Actor.HOST}),
    sources=RAISING,
    targets=frozenset(),
    event="finding.action_plan_recorded",
    event_label=_("Action plan recorded"),
    # An observation needs no correction: its plan leaves its status as it is.
    finding_statuses=frozenset({FindingStatus.NOTED}),
    help=_("A plan due after the audit's decision is checked again at the next audit."),
)
DECISION_RECORD = Action(
    name="decision-record",
    label=_("Record the certification decision"),
    button=_("Record"),
    done=_("Certification decision recorded."),
    actors=frozenset({Actor.BODY}),
    sources=frozenset({S.STAGE2_DONE, S.CORRECTIONS_VERIFIED}),
    targets=frozenset({S.DECIDED, S.REFUSED}),
    event="audit.decided",
    event_label=_("Certification decision recorded"),
    kinds=DECIDING_KINDS,
    help=_(
        "As the certification body's letter says: granted, granted for fewer activities, or "
        "refused (a new initial audit is then planned)."
    ),
)
CLOSE = Action(
    name="close",
    label=_("Close the audit"),
    button=_("Close"),
    done=_("Audit closed."),
    actors=ON_AUDIT,
    sources=frozenset({S.DECIDED, S.REFUSED, S.STAGE2_DONE, S.CORRECTIONS_VERIFIED}),
    targets=frozenset({S.CLOSED}),
    event="audit.closed",
    event_label=_("Audit closed"),
    guard=_closable,
)
CANCEL = Action(
    name="cancel",
    label=_("Cancel the audit"),
    button=_("Cancel the audit"),
    done=_("Audit cancelled."),
    actors=ON_AUDIT,
    sources=CANCELLABLE,
    targets=frozenset({S.CANCELLED}),
    event="audit.cancelled",
    event_label=_("Audit cancelled"),
)
EVIDENCE_REVIEW = Action(
    name="evidence-review",
    label=_("Review the evidence"),
    button=_("Record"),
    done=_("Review recorded."),
    actors=frozenset({Actor.AUDITOR}),
    sources=REVIEWING,
    targets=frozenset(),
    event="evidence_review.recorded",
    event_label=_("Evidence reviewed"),
    notice=_("%(auditor)s reviewed evidence (%(audit)s): %(detail)s"),
)
AUDITOR_INVITE = Action(
    name="auditor-invite",
    label=_("Invite an auditor"),
    button=_("Invite"),
    done=_("Invitation sent."),
    actors=ON_AUDIT,
    # Until the outcome: after a decision or a refusal there is nothing left to audit.
    sources=CANCELLABLE,
    targets=frozenset(),
    event="auditor_access.invited",
    event_label=_("Auditor invited"),
)
CORRECTIONS_LAPSE = Action(
    name="corrections-lapse",
    label=_("End of the correction window"),
    button=_("End"),
    done=_("The correction window has ended."),
    actors=frozenset({Actor.SYSTEM}),
    sources=frozenset({S.CORRECTIONS}),
    targets=SETTLED,
    event="audit.corrections_lapsed",
    event_label=_("Correction window ended"),
)

ACTIONS: tuple[Action, ...] = (
    STAGE1_SCHEDULE,
    STAGE1_SUBMIT,
    STAGE1_COMPLETE,
    STAGE2_SCHEDULE,
    STAGE2_COMPLETE,
    STAGE2_END_CORRECT,
    FINDING_RAISE,
    CORRECTION_SUBMIT,
    CORRECTION_VERIFY,
    OBSERVATION_PLAN,
    EVIDENCE_REVIEW,
    DECISION_RECORD,
    CLOSE,
    CANCEL,
    AUDITOR_INVITE,
    CORRECTIONS_LAPSE,
)
ACTIONS_BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}


def transitions() -> dict[str, frozenset[str]]:
    """The transition table, derived from the actions: state -> the states it may lead to."""
    table: dict[str, set[str]] = {state: set() for state in S.values}
    for action in ACTIONS:
        for source in action.sources:
            table[source] |= action.targets - {source}
    return {state: frozenset(targets) for state, targets in table.items()}


def actions_for(
    *,
    audit: Audit,
    actors: Iterable[Actor],
    finding: Finding | None = None,
    today: date | None = None,
) -> list[Action]:
    """The actions these actors may take on this audit (or on this finding of it) now, or on
    `today` (Paris)."""
    held = frozenset(actors)
    return [
        action
        for action in ACTIONS
        if action.actors & held
        and action.on_finding == (finding is not None)
        and action.refusal(audit, finding, today=today) is None
    ]


# The actions that wait for a day rather than for something to be done: the page says from when.
WAITING_FOR_A_DAY: tuple[Action, ...] = (STAGE1_COMPLETE, STAGE2_COMPLETE)


def waiting_for(*, audit: Audit, actors: Iterable[Actor], today: date | None = None) -> list[str]:
    """Why the next step these actors take is not offered yet, when it only waits for its
    day (« L’audit sur site commence le … »): the state and the kind allow it, the guard says
    when."""
    held = frozenset(actors)
    return [
        reason
        for action in WAITING_FOR_A_DAY
        if action.actors & held
        and audit.status in action.sources
        and audit.kind in action.kinds
        and (reason := action.refusal(audit, today=today)) is not None
    ]


def allowed(action: Action, *, audit: Audit, actors: Iterable[Actor]) -> bool:
    return bool(action.actors & frozenset(actors)) and action.refusal(audit) is None


# The check of a previous audit's finding carried over to this audit (audits/services/carryover.py).
# Defined with the same Action (who, from which states of the audit it is checked on, which
# kinds of audit, the trail event, the labels) but kept out of ACTIONS: the actions there act on
# the audit's own findings through `perform` and its generic forms, while this one acts on a
# finding of an earlier audit, and its closing is recorded once per finding, not per audit.
CARRYOVER_CHECK = Action(
    name="carryover-check",
    label=_("Check the carried-over finding"),
    button=_("Record the check"),
    done=_("Check recorded."),
    actors=FOR_BODY,
    sources=RAISING,
    targets=frozenset(),
    event="finding.carryover_checked",
    event_label=_("Carried-over finding checked"),
    kinds=frozenset({AuditKind.SURVEILLANCE, AuditKind.RENEWAL}),
    notice=_("%(auditor)s checked a carried-over finding (%(audit)s): %(detail)s"),
)


# The correction phase, as a pure rule.


@dataclass(frozen=True)
class PendingNonconformity:
    """A non-conformity not verified yet: when it was raised and when a correction was first
    submitted for it (None if never)."""

    raised_on: date
    first_submitted_on: date | None
    open: bool  # no correction waiting for verification (never submitted, or sent back)


@dataclass(frozen=True)
class CorrectionFacts:
    any_nonconformity: bool
    pending: list[PendingNonconformity] = field(default_factory=list)


def settle_corrections(*, facts: CorrectionFacts, deadline: date | None, now: datetime) -> str:
    """The state of an audit after its on-site audit, from its non-conformities and the
    correction deadline (ANS: 3 months after the end of the on-site audit to correct AND have
    the corrections audited; past it, the on-site audit is redone only "sans action de
    l'hébergeur"):
    - nothing pending: corrections verified (or on-site audit done when there never was a
      non-conformity);
    - pending, the deadline not passed: corrections in progress;
    - past the deadline, a non-conformity raised before it got no correction by it: the
      on-site audit is to be redone;
    - past the deadline otherwise (corrections submitted in time, not all verified yet, or
      non-conformities raised after the deadline): awaiting the body's verification."""
    if not facts.pending:
        return S.CORRECTIONS_VERIFIED if facts.any_nonconformity else S.STAGE2_DONE
    if deadline is None or not deadlines.deadline_passed(deadline=deadline, now=now):
        return S.CORRECTIONS
    for nc in facts.pending:
        raised_in_time = nc.raised_on <= deadline
        acted_in_time = nc.first_submitted_on is not None and nc.first_submitted_on <= deadline
        if raised_in_time and not acted_in_time:
            return S.ONSITE_REDO
    return S.AWAITING_VERIFICATION


# Audits still to take place: their planned dates are the organisation's next audit.
UPCOMING: frozenset[str] = frozenset(
    {S.DRAFT, S.STAGE1_PLANNED, S.STAGE1_DONE, S.STAGE2_PLANNED, S.ONSITE_REDO}
)


def next_audit_day(audits: Iterable[Audit]) -> date | None:
    """The day of the next audit of a cycle: the earliest planned date (the next stage's start,
    else the due date) among the audits still to take place."""
    days = []
    for audit in audits:
        if audit.status not in UPCOMING:
            continue
        if audit.status in (S.STAGE1_DONE, S.STAGE2_PLANNED, S.ONSITE_REDO):
            day = audit.stage2_start if audit.status == S.STAGE2_PLANNED else audit.due_on
        elif audit.status == S.STAGE1_PLANNED:
            day = audit.stage1_start
        else:
            day = audit.due_on
        if day is not None:
            days.append(day)
    return min(days, default=None)


def status_label(status: str) -> str:
    return str(AuditStatus(status).label)
