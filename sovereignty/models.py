"""The sovereignty register (HDS v2 chapter 7): where the health data is stored (EXI 28), who
reaches it from where (EXI 29), and the non-EU laws the host or its providers are exposed to
(EXI 30). Countries are ISO 3166-1 alpha-2 codes checked against sovereignty.countries by the
services (no choices here, so a change of the country data needs no migration)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation
from scopes.models import Subcontractor
from sovereignty.countries import country_name
from sovereignty.rules import LegalBasis


class StorageLocation(models.Model):
    """A place where the organisation's hosted health data is stored: by the host itself, or by
    one of its subcontractors (a datacenter, a backup site)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="storage_locations"
    )
    country = models.CharField(_("country"), max_length=2)
    site = models.CharField(_("site"), max_length=200)
    # None: the host stores the data itself.
    provider = models.ForeignKey(
        Subcontractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="storage_locations",
        verbose_name=_("provider"),
    )
    # The HDS activities (scopes.activities, 1-6) performed at this location.
    activities = models.JSONField(_("activities"), default=list)
    data_stored = models.TextField(_("data stored"), blank=True)
    secnumcloud = models.BooleanField(_("SecNumCloud-qualified provider"), default=False)
    secnumcloud_reference = models.CharField(
        _("SecNumCloud qualification reference"), max_length=200, blank=True
    )
    secnumcloud_on = models.DateField(_("SecNumCloud qualification date"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ("country", "site", "pk")

    def __str__(self) -> str:
        return f"{self.site} ({country_name(self.country)})"


class RemoteAccess(models.Model):
    """A country from which the hosted data can be reached (administration, support, follow-
    the-sun operations), with the GDPR basis that allows it and the actors concerned."""

    class Basis(models.TextChoices):
        NONE = LegalBasis.NONE.value, _("No transfer basis")
        ADEQUACY = LegalBasis.ADEQUACY.value, _("Adequacy decision (GDPR art. 45)")
        SAFEGUARDS = LegalBasis.SAFEGUARDS.value, _("Appropriate safeguards (GDPR art. 46)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="remote_accesses"
    )
    country = models.CharField(_("country"), max_length=2)
    legal_basis = models.CharField(
        _("legal basis"), max_length=8, choices=Basis.choices, default=Basis.NONE
    )
    safeguard_reference = models.CharField(_("safeguard reference"), max_length=300, blank=True)
    actors = models.TextField(_("actors concerned"), blank=True)
    subcontractor = models.ForeignKey(
        Subcontractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remote_accesses",
        verbose_name=_("subcontractor concerned"),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("remote access")
        verbose_name_plural = _("remote accesses")
        ordering = ("country", "pk")

    def __str__(self) -> str:
        return f"{country_name(self.country)}: {self.get_legal_basis_display()}"


class ResidualRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class LawExposure(models.Model):
    """A non-EU law or jurisdiction that could compel access to the hosted data (e.g. a provider
    under US jurisdiction and the CLOUD Act), with the mitigations and the residual risk."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="law_exposures"
    )
    law = models.CharField(_("law or jurisdiction"), max_length=200)
    # The country whose law it is, when there is one (empty for a supranational regime).
    jurisdiction = models.CharField(_("country of the law"), max_length=2, blank=True)
    actor = models.CharField(_("actor concerned"), max_length=200, blank=True)
    subcontractor = models.ForeignKey(
        Subcontractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="law_exposures",
        verbose_name=_("subcontractor concerned"),
    )
    mitigations = models.TextField(_("mitigations"), blank=True)
    residual_risk = models.CharField(_("residual risk"), max_length=8, choices=ResidualRisk.choices)
    justification = models.TextField(_("justification of the residual risk"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exposure to a non-EU law")
        verbose_name_plural = _("exposures to non-EU laws")
        ordering = ("law", "pk")

    def __str__(self) -> str:
        return self.law
