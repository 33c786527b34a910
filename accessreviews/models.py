"""Access review campaigns (ISO 27001 A.5.18, HDS v2 EXI 16): who holds which access right, as
seen when the campaign opened, and what the officer decided about each."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accessreviews.rules import DEFAULT_INTERVAL_MONTHS, Flag, Interval, review_overdue
from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation


class ReviewPolicy(models.Model):
    """An organisation's review interval, and the evidence item its campaigns' exports go to.
    Without a row, the defaults apply (a campaign every quarter)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="access_review_policy"
    )
    interval_months = models.PositiveSmallIntegerField(
        _("review interval"), choices=Interval.choices, default=DEFAULT_INTERVAL_MONTHS
    )
    evidence_item = models.ForeignKey(
        EvidenceItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_interval_months_display()}"


class SubjectKind(models.TextChoices):
    MEMBERSHIP = "membership", pgettext_lazy("access review subject", "Member")
    AUDITOR_ACCESS = "auditor_access", pgettext_lazy("access review subject", "Auditor access")
    API_TOKEN = "api_token", pgettext_lazy("access review subject", "API token")


class Decision(models.TextChoices):
    # Of an access right ("accès", masculine in French).
    CONFIRM = "confirm", pgettext_lazy("access decision", "Confirmed")
    REVOKE = "revoke", pgettext_lazy("access decision", "Revoked")


class Campaign(models.Model):
    """One review of every access right of an organisation, open until each line is decided."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="access_review_campaigns"
    )
    # The period it reviews: since the previous campaign opened (or the organisation was
    # created) until this one opened.
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_on = models.DateField(_("to be closed by"), db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    pdf_version = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    xlsx_version = models.ForeignKey(
        EvidenceVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ("-opened_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation",),
                condition=models.Q(closed_at__isnull=True),
                name="access_review_one_open_campaign",
            ),
        )

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_end.isoformat()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue(self, *, today: date) -> bool:
        return self.is_open and review_overdue(due_on=self.due_on, today=today)


class CampaignItem(models.Model):
    """One access right as it stood when the campaign opened, and the decision about it."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("access review")
    )
    subject_kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField()
    # Snapshots: the subject may change or go after the campaign opened.
    label = models.CharField(_("who"), max_length=254)
    detail = models.CharField(_("access"), max_length=300, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    flagged = models.BooleanField(default=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access review line")
        verbose_name_plural = _("access review lines")
        ordering = ("-flagged", "subject_kind", "label", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("campaign", "subject_kind", "subject_id"), name="access_review_item_once"
            ),
        )
        indexes = (models.Index(fields=("campaign", "decision"), name="access_review_item_todo"),)

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} {self.label}"

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)

    @property
    def flag_labels(self) -> list[str]:
        return [str(Flag(flag).label) for flag in self.flags if flag in Flag.values]
