"""The HDS certification cycle: audits in two stages, auditors, evidence reviews, findings,
the correction window, the decision, reminders and notifications."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evidence.models import EvidenceVersion
from hdsready.models import Organisation
from scopes.models import Requirement


class Cycle(models.Model):
    """One certification cycle of an organisation with a certification body (3 years)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cycles")
    certification_body = models.CharField(_("certification body"), max_length=200)
    accreditation = models.CharField(_("accreditation (COFRAC or EU)"), max_length=100)
    referential_version = models.CharField(
        _("référentiel version"), max_length=20, default="HDS v2"
    )
    activities = models.JSONField(_("activities in scope"), default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certification cycle")
        verbose_name_plural = _("certification cycles")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.certification_body} ({self.created_at:%Y})"


class AuditKind(models.TextChoices):
    INITIAL = "initial", _("Initial certification audit")
    SURVEILLANCE = "surveillance", _("Surveillance audit")
    RENEWAL = "renewal", _("Renewal audit")


class AuditStatus(models.TextChoices):
    """The states of an audit. What may happen in each is defined once, in audits/workflow.py."""

    DRAFT = "draft", _("Draft")
    STAGE1_PLANNED = "stage1_planned", _("Documentary audit planned")
    STAGE1_DONE = "stage1_done", _("Documentary audit done")
    STAGE2_PLANNED = "stage2_planned", _("On-site audit planned")
    STAGE2_DONE = "stage2_done", _("On-site audit done")
    CORRECTIONS = "corrections", _("Corrections in progress")
    AWAITING_VERIFICATION = (
        "awaiting_verification",
        _("Corrections submitted, awaiting verification past the deadline"),
    )
    CORRECTIONS_VERIFIED = "corrections_verified", _("Corrections verified")
    ONSITE_REDO = "onsite_redo", _("On-site audit to redo")
    DECIDED = "decided", _("Certification granted")
    REFUSED = "refused", _("Certification refused")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Audit(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(_("kind"), max_length=16, choices=AuditKind.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=AuditStatus.choices, default=AuditStatus.DRAFT
    )
    # When a planned (surveillance or renewal) audit must take place by.
    due_on = models.DateField(_("due by"), null=True, blank=True, db_index=True)
    stage1_start = models.DateField(_("documentary audit from"), null=True, blank=True)
    stage1_end = models.DateField(_("documentary audit until"), null=True, blank=True)
    stage1_submitted_at = models.DateTimeField(_("documents submitted at"), null=True, blank=True)
    stage1_outcome = models.TextField(_("documentary audit outcome"), blank=True)
    stage2_start = models.DateField(_("on-site audit from"), null=True, blank=True)
    stage2_end = models.DateField(_("on-site audit until"), null=True, blank=True)
    stage2_sites = models.TextField(_("sites visited"), blank=True)
    stage2_outcome = models.TextField(_("on-site audit outcome"), blank=True)
    # The ACTUAL last day of the on-site audit, recorded when it is marked done (correctable,
    # with a trail entry): the correction window runs from it, not from the planned end.
    stage2_ended_on = models.DateField(_("on-site audit ended on"), null=True, blank=True)
    # Stored, indexed: correction_deadline(stage2_ended_on) once stage 2 is done.
    correction_deadline = models.DateField(
        _("correction deadline"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ("cycle", "created_at")
        permissions = (("audit_as_auditor", "Audit: review evidence, raise and verify findings"),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.cycle.organisation}"

    @property
    def label(self) -> str:
        """The audit's kind and the year it starts, as dossiers and their forms name it."""
        started = self.stage1_start or self.stage2_start or self.due_on
        kind = self.get_kind_display()
        return f"{kind} ({started:%Y})" if started else kind


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Certification granted for every activity audited")
    REDUCED = "reduced", _("Certification granted for fewer activities")
    REFUSED = "refused", _("Certification refused")


class Decision(models.Model):
    """The certification body's decision: a refusal, or the certificates it grants (one per
    certificate type of the activities granted: physical-infrastructure host, managed-services
    host), recorded by the officer with the body's letter as evidence."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=DecisionOutcome.choices,
        default=DecisionOutcome.GRANTED,
    )
    # The numbers of the certificates granted, as printed ("A / B" for two); empty if refused.
    certificate_number = models.CharField(_("certificate number"), max_length=210, blank=True)
    certificates = models.ManyToManyField(
        "scopes.Certificate", blank=True, related_name="+", verbose_name=_("certificates")
    )
    decided_on = models.DateField(_("decision date"))
    activities = models.JSONField(_("activities covered"), default=list)
    expires_on = models.DateField(_("valid until"), db_index=True, null=True, blank=True)
    letter = models.ForeignKey(
        EvidenceVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certification body's letter"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certification decision")

    def __str__(self) -> str:
        return self.certificate_number or self.get_outcome_display()

    @property
    def is_refusal(self) -> bool:
        return self.outcome == DecisionOutcome.REFUSED


class AuditorAccess(models.Model):
    """An auditor invited to one audit for a time window. Access ends by itself at the end of
    `until` (checked on every request; permissions removed by a beat task)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="auditors")
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateTimeField(_("from"))
    valid_until = models.DateTimeField(_("until"), db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    permissions_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("auditor access")
        verbose_name_plural = _("auditor accesses")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="auditor_window_ends_after_start",
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} — {self.audit}"

    def is_open(self, *, now: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= now < self.valid_until


class Stage(models.TextChoices):
    DOCUMENTARY = "1", _("Documentary audit (stage 1)")
    ONSITE = "2", _("On-site audit (stage 2)")


class PinnedVersion(models.Model):
    """An evidence version as audited: frozen when stage 1 documents are submitted, or pinned
    when reviewed, so a later upload does not change what was audited."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="pinned")
    stage = models.CharField(max_length=1, choices=Stage.choices)
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(EvidenceVersion, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("audit", "stage", "requirement", "version"), name="pinned_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.version} ({self.get_stage_display()})"


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    NEEDS_REVISION = "needs_revision", _("Needs revision")
    REJECTED = "rejected", _("Rejected")


# The decisions the host answers with a new version (the auditor says what is wrong).
NEEDS_ANSWER: frozenset[str] = frozenset({ReviewDecision.NEEDS_REVISION, ReviewDecision.REJECTED})


class EvidenceReview(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="reviews")
    pinned = models.ForeignKey(PinnedVersion, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_with = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-reviewed_at",)

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.pinned.version}"


class FindingKind(models.TextChoices):
    MAJOR = "major", _("Major non-conformity")
    MINOR = "minor", _("Minor non-conformity")
    OBSERVATION = "observation", _("Observation (opportunity for improvement)")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "Open")
    CORRECTION_SUBMITTED = "submitted", _("Correction submitted")
    VERIFIED = "verified", _("Correction verified")
    NOTED = "noted", _("Noted")  # observations need no correction


class Finding(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    stage = models.CharField(max_length=1, choices=Stage.choices, default=Stage.ONSITE)
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    evidence = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("description"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    correction = models.TextField(_("correction"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    action_plan = models.TextField(_("corrective action plan"), blank=True)
    # When the action plan is to be carried out by: a plan running past the audit's decision
    # (or end) is checked again at the next audit (audits/selectors/carryover.py).
    action_plan_due_on = models.DateField(_("action plan due by"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    correction_evidence = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The host's first correction: whether it acted within the correction window.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_comment = models.TextField(_("verification comment"), blank=True)
    # When the officer records the verification an outside certification body made: its letter.
    verification_letter = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("audit", "raised_at")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.requirement.ref_id}"

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in (FindingKind.MAJOR, FindingKind.MINOR)


def finding_numbers(findings: Iterable[Finding]) -> dict[int, str]:
    """Sheet numbers of an audit's findings, in the order raised: non-conformities are numbered
    on their own (NC 1, NC 2, ...), observations separately (OBS 1, ...)."""
    counters = {True: 0, False: 0}
    numbers = {}
    for finding in sorted(findings, key=lambda f: (f.raised_at, f.pk)):
        counters[finding.is_nonconformity] += 1
        numbers[finding.pk] = sheet_number(
            nonconformity=finding.is_nonconformity, rank=counters[finding.is_nonconformity]
        )
    return numbers


def ranked_numbers(findings: Iterable[Finding]) -> dict[int, str]:
    """Sheet numbers of findings read with their rank (selectors.numbered): a page of an
    audit's findings, numbered as the whole audit is."""
    return {
        finding.pk: sheet_number(
            nonconformity=finding.is_nonconformity,
            rank=finding.sheet_rank,  # type: ignore[attr-defined]
        )
        for finding in findings
    }


def sheet_number(*, nonconformity: bool, rank: int) -> str:
    """The label of the `rank`-th non-conformity (NC 3) or observation (OBS 2) of an audit."""
    prefix = _("NC") if nonconformity else _("OBS")
    return f"{prefix} {rank}"


class CarryOverOutcome(models.TextChoices):
    CLOSED = "closed", _("Closed: the actions are effective")
    KEPT_OPEN = "kept_open", _("Kept open: to check again at the next audit")


class CarryOverCheck(models.Model):
    """The check, on a later audit, of a previous audit's observation or minor non-conformity
    whose action plan ran past that audit: closed (once, whatever the race) or kept open, in
    which case it carries on to the next audit."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="carryover_checks")
    # The audit the check was made on (not the finding's own audit).
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="carryover_checks")
    outcome = models.CharField(_("outcome"), max_length=12, choices=CarryOverOutcome.choices)
    comment = models.TextField(_("comment"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(default=timezone.now)
    # When the officer records the check an outside certification body made: its letter.
    letter = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check of a carried-over finding")
        verbose_name_plural = _("checks of carried-over findings")
        ordering = ("checked_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("finding",),
                condition=models.Q(outcome="closed"),
                name="carried_over_finding_closed_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.finding}"

    @property
    def closed(self) -> bool:
        return self.outcome == CarryOverOutcome.CLOSED


class Reminder(models.Model):
    """A reminder sent once: the unique key makes two sweeps, or two beat processes, send
    nothing twice (the row is claimed by an insert before anything is sent)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    due_on = models.DateField()
    offset_days = models.IntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key


class CalendarToken(models.Model):
    """A private, revocable iCalendar feed address of one user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class ProgrammeSource(models.TextChoices):
    """Where a surveillance audit's line of the programme comes from."""

    PROPOSED = "proposed_rotation", _("Proposed rotation")
    HOST = "host_placed", _("Placed by the host")
    BODY_PLAN = "body_plan", _("As in the certification body's plan")


class ProgrammeLine(models.Model):
    """A requirement a surveillance audit covers (audits/programme.py). An initial or renewal
    audit covers every applicable requirement and has no lines."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="programme")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ProgrammeSource.choices,
        default=ProgrammeSource.PROPOSED,
    )
    # The reference of the certification body's audit plan, when the line follows it.
    body_reference = models.CharField(_("reference of the body's plan"), max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme line")
        verbose_name_plural = _("programme lines")
        constraints = (
            models.UniqueConstraint(fields=("audit", "requirement"), name="programme_line_once"),
        )

    def __str__(self) -> str:
        return f"{self.requirement.ref_id} — {self.audit}"
