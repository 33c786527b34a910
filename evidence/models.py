"""Evidence: items that show a requirement is met, with immutable, hash-checked versions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation
from scopes.models import Certificate, Requirement


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Files")
    LINK = "link", _("Link")


class EvidenceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


# The one transition table of an evidence item. Retiring keeps every version.
EVIDENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    EvidenceStatus.ACTIVE: frozenset({EvidenceStatus.RETIRED}),
    EvidenceStatus.RETIRED: frozenset({EvidenceStatus.ACTIVE}),
}


class EvidenceItem(models.Model):
    """A document, log, contract, screenshot... or a link, that supports requirements."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence_items"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=EvidenceKind.choices, default=EvidenceKind.FILE
    )
    url = models.URLField(_("address"), max_length=1000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    requirements = models.ManyToManyField(
        Requirement, blank=True, related_name="+", verbose_name=_("requirements")
    )
    effective_on = models.DateField(
        _("effective date"), null=True, blank=True, help_text=_("The period it proves.")
    )
    review_due_on = models.DateField(
        _("review or expiry date"), null=True, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=EvidenceStatus.choices, default=EvidenceStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ("title",)
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(kind="link") | ~models.Q(url=""),
                name="evidence_link_has_url",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def review_is_due(self, *, today: date, within_days: int = 0) -> bool:
        return bool(self.review_due_on and (self.review_due_on - today).days <= within_days)


class EvidenceVersionQuerySet(models.QuerySet["EvidenceVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Evidence versions are immutable.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Evidence versions are never deleted.")


class EvidenceVersion(models.Model):
    """One uploaded file, immutable: its bytes are checked against sha256 on every read."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), max_length=255, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    comment = models.TextField(_("comment"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = EvidenceVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence version")
        verbose_name_plural = _("evidence versions")
        ordering = ("item", "-number")
        constraints = (
            models.UniqueConstraint(fields=("item", "number"), name="evidence_version_number"),
        )

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Evidence versions are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Evidence versions are never deleted.")

    @property
    def storage_name(self) -> str:
        return str(self.file.name)


class CertificateFile(models.Model):
    """The file of a certificate of the scopes register (the host's own or a subcontractor's),
    kept as an evidence item: its versions are hash-checked and served like any evidence
    (HDS v2 EXI 12: the host hands its clients the certificates). It lives here because scopes
    sits below evidence."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="file_link"
    )
    item = models.OneToOneField(
        EvidenceItem, on_delete=models.PROTECT, related_name="certificate_link"
    )

    class Meta:
        verbose_name = _("certificate file")
        verbose_name_plural = _("certificate files")

    def __str__(self) -> str:
        return f"{self.certificate}: {self.item}"
