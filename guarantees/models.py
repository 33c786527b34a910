"""The published versions of the public guarantees page (HDS v2 EXI 31 and chapter 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation


class Publication(models.Model):
    """One published version of an organisation's guarantees page, frozen for the record.

    `snapshot` holds the facts as they were on publication (actors, activities, certificates,
    transfers): the public page is rendered from it and never from the live registers, so a
    change shows only once an officer publishes again. It holds facts, not sentences: the labels
    are translated when the page is rendered."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="guarantees_publications"
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    snapshot = models.JSONField(_("published facts"))

    class Meta:
        verbose_name = _("guarantees publication")
        verbose_name_plural = _("guarantees publications")
        ordering = ("organisation", "-number")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "number"), name="guarantees_publication_number"
            ),
        )

    def __str__(self) -> str:
        return f"{self.organisation}: v{self.number}"
