"""Dossier PDFs: the render units (laid out once, shared by every dossier that contains them)
and the dossiers asked for by members, with their progress and the stored file's SHA-256."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, Cycle
from hdsready.models import Organisation


class DossierKind(models.TextChoices):
    STAGE1 = "stage1", _("Documentary dossier (stage 1)")
    STAGE2 = "stage2", _("On-site audit dossier (stage 2)")
    CORRECTIONS = "corrections", _("Correction dossier")
    FULL = "full", _("Full certification dossier")
    SOA = "soa", _("Statement of Applicability")


class DossierStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    ASSEMBLING = "assembling", _("Assembling")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class UnitStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class RenderUnit(models.Model):
    """A piece of a dossier that starts on a page of its own (a section, a chapter of findings,
    one non-conformity), keyed by the SHA-256 of its template, data and language. It is rendered
    once and its PDF is reused by every dossier whose content includes it."""

    content_hash = models.CharField(max_length=64, unique=True)
    template = models.CharField(max_length=100)
    context = models.JSONField()
    language = models.CharField(max_length=8)
    weight = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=12, choices=UnitStatus.choices, default=UnitStatus.PENDING, db_index=True
    )
    file = models.FileField(max_length=255, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    # [[level, label, page index in this unit], ...]: the headings, for bookmarks and the TOC.
    outline = models.JSONField(default=list)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The id of the task laying it out: redelivered after its worker died, it takes it back.
    claimed_by = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.template} {self.content_hash[:12]}"


class Dossier(models.Model):
    """A dossier PDF asked for by a member: its render units, progress, and the stored file with
    its SHA-256. The file of the same content asked again is reused, not rendered again."""

    # Trail rows written before the dossiers left the audits app name their object that way (the
    # hash chain covers the name: the rows are never rewritten). See trail_events_for_object.
    trail_former_labels: ClassVar[tuple[str, ...]] = ("audits.dossier",)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DossierKind.choices)
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="dossiers"
    )
    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, null=True, blank=True, related_name="dossiers"
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DossierStatus.choices, default=DossierStatus.QUEUED
    )
    error = models.TextField(blank=True)
    units = models.ManyToManyField(RenderUnit, through="DossierUnit", related_name="+")
    file = models.FileField(max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reused_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ("-requested_at", "-pk")

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (DossierStatus.READY, DossierStatus.FAILED)


class DossierUnit(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="parts")
    unit = models.ForeignKey(RenderUnit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ("dossier", "position")
        constraints = (
            models.UniqueConstraint(fields=("dossier", "position"), name="dossier_unit_position"),
        )

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.position}"
