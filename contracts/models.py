"""The register of client contracts (HDS v2 chapter 6, EXI 17-27; art. R.1111-11 CSP) and of the
clients' contacts (EXI 11 and 20)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.clauses import CLAUSE_CHOICES
from evidence.models import EvidenceItem
from hdsready.models import Organisation
from scopes.activities import activity_labels


class Client(models.Model):
    """A client of the host: a hospital, a clinic, a software publisher..."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "name"), name="client_name"),
        )

    def __str__(self) -> str:
        return self.name


class ClientContact(models.Model):
    """A person at the client. HDS v2 EXI 11: the client may designate a health professional;
    EXI 20: the client's referent for security incidents."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    health_professional = models.BooleanField(
        _("designated health professional (EXI 11)"), default=False
    )
    incident_referent = models.BooleanField(_("incident referent (EXI 20)"), default=False)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    """Derived from the dates, never stored."""

    TEMPLATE = "template", _("Template")
    UPCOMING = "upcoming", _("Not yet in force")
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")


class Contract(models.Model):
    """A hosting contract with a client, or a template (no client, no dates) whose clause answers
    the contracts derived from it inherit until they give their own."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contracts"
    )
    is_template = models.BooleanField(_("template"), default=False)
    template = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("derived from the template"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("client"),
    )
    title = models.CharField(_("title or offer"), max_length=200)
    services = models.TextField(_("services"), blank=True)
    # The HDS activities (scopes.activities, art. R.1111-9 CSP) performed for this client.
    activities = models.JSONField(_("activities performed"), default=list)
    start_on = models.DateField(_("start date"), null=True, blank=True)
    end_on = models.DateField(_("end date"), null=True, blank=True, db_index=True)
    signed_copy = models.ForeignKey(
        EvidenceItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed copy (evidence)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ("title", "pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(is_template=True)
                | models.Q(client__isnull=False, start_on__isnull=False),
                name="contract_has_client_and_start",
            ),
            models.CheckConstraint(
                condition=models.Q(is_template=False)
                | models.Q(client__isnull=True, template__isnull=True),
                name="contract_template_stands_alone",
            ),
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True)
                | models.Q(start_on__isnull=True)
                | models.Q(end_on__gte=models.F("start_on")),
                name="contract_ends_after_start",
            ),
        )

    def __str__(self) -> str:
        return f"{self.title} ({self.client})" if self.client_id else self.title

    @property
    def activity_labels(self) -> list[str]:
        """The activities performed ("3. ..."), in the active language."""
        return activity_labels(self.activities)

    def status_on(self, day: date) -> ContractStatus:
        if self.is_template:
            return ContractStatus.TEMPLATE
        if self.start_on and self.start_on > day:
            return ContractStatus.UPCOMING
        if self.end_on and self.end_on < day:
            return ContractStatus.ENDED
        return ContractStatus.ACTIVE


class ClauseState(models.TextChoices):
    PRESENT = "present", _("Present")
    MISSING = "missing", _("Missing")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ContractClause(models.Model):
    """A contract's (or template's) own answer to one mandatory clause. No row: the contract
    inherits its template's answer, or has none."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="clauses")
    clause = models.CharField(_("clause"), max_length=8, choices=CLAUSE_CHOICES)
    state = models.CharField(_("state"), max_length=16, choices=ClauseState.choices)
    reference = models.CharField(_("reference (article or page)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contract clause")
        verbose_name_plural = _("contract clauses")
        constraints = (
            models.UniqueConstraint(fields=("contract", "clause"), name="contract_clause"),
            models.CheckConstraint(
                condition=~models.Q(state="present") | ~models.Q(reference=""),
                name="contract_clause_present_has_reference",
            ),
        )

    def __str__(self) -> str:
        return f"{self.contract}: {self.get_clause_display()} ({self.get_state_display()})"
