"""The référentiel catalog, the host's scope, its ISO 27001 prerequisite, SoA and readiness."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hdsready.models import Organisation
from scopes.activities import ACTIVITIES
from scopes.catalog import AppliesWhen
from scopes.chain import LAPSED, last_covered_day
from scopes.iso_standards import STANDARDS, IsoStandard


def _localised(obj: Any, field: str) -> str:
    french: str = getattr(obj, f"{field}_fr")
    english: str = getattr(obj, f"{field}_en")
    if (get_language() or "fr").startswith("en"):
        return english or french
    return french or english


class FrameworkSource(models.TextChoices):
    BUILTIN = "builtin", _("Built in")
    IMPORTED = "imported", _("Imported")


class Framework(models.Model):
    """A versioned requirement framework: HDS v2, ISO/IEC 27001:2022, or an imported library.

    Built-in frameworks (no organisation) are shared; an imported one belongs to the organisation
    that imported it, so one tenant never changes another's catalog.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="frameworks"
    )
    code = models.SlugField(_("code"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    urn = models.CharField(_("URN"), max_length=255)
    name_fr = models.CharField(_("name (French)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    provider = models.CharField(_("provider"), max_length=255, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=FrameworkSource.choices, default=FrameworkSource.BUILTIN
    )
    content_hash = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ("code", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("urn", "version"),
                condition=models.Q(organisation__isnull=True),
                name="framework_builtin_urn_version",
            ),
            models.UniqueConstraint(
                fields=("organisation", "urn", "version"),
                condition=models.Q(organisation__isnull=False),
                name="framework_imported_urn_version",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")


class Requirement(models.Model):
    """One node of a framework: a group (chapter, theme) or an assessable requirement."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    urn = models.CharField(_("URN"), max_length=255)
    ref_id = models.CharField(_("reference"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveIntegerField(default=0)
    assessable = models.BooleanField(_("assessable"), default=True)
    group = models.CharField(_("group"), max_length=20, blank=True, db_index=True)
    name_fr = models.TextField(_("name (French)"), blank=True)
    name_en = models.TextField(_("name (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    applies_when = models.CharField(
        _("applies when"),
        max_length=20,
        choices=[(value.value, value.value) for value in AppliesWhen],
        default=AppliesWhen.ALWAYS.value,
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ("framework", "order")
        constraints = (
            models.UniqueConstraint(fields=("framework", "urn"), name="requirement_framework_urn"),
        )
        indexes = (models.Index(fields=("framework", "order"), name="requirement_order"),)

    def __str__(self) -> str:
        return f"{self.ref_id} {self.name}".strip()

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")


class HostProfile(models.Model):
    """The host's situations that decide which conditional HDS requirements apply."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="host_profile"
    )
    stores_health_data = models.BooleanField(_("stores health data (EXI 28)"), default=True)
    non_eea_access = models.BooleanField(
        _("remote access from outside the EEA (EXI 29)"), default=False
    )
    non_eu_law_exposure = models.BooleanField(_("exposed to non-EU laws (EXI 30)"), default=False)
    # Derived from the certification cycle's planned audits (the audits app calls
    # scopes.services.scope.scope_next_audit_set): never typed by a user.
    next_audit_on = models.DateField(_("next planned audit"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("host profile")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.organisation}"


class Subcontractor(models.Model):
    """A company the host relies on for some activities (e.g. a colocation datacenter)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subcontractors"
    )
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=20, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    # HDS v2 EXI 06 and 14 apply as soon as PART of the service is subcontracted: a subcontractor
    # that performs no whole activity (a carrier of backup media, a second datacenter for part of
    # activity 1) is recorded with what it does.
    part_of_service = models.CharField(
        _("part of the service it performs"),
        max_length=300,
        blank=True,
        help_text=_(
            "When it takes part in the service without performing a whole activity, e.g. "
            "transport of backup media. Leave empty if it takes no part in the service."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("subcontractor")
        verbose_name_plural = _("subcontractors")
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "name"), name="subcontractor_name"),
        )

    def __str__(self) -> str:
        return self.name


class ActivityMode(models.TextChoices):
    IN_HOUSE = "in_house", _("Performed in-house")
    SUBCONTRACTED = "subcontracted", _("Relied on a subcontractor")


class ScopeActivity(models.Model):
    """An HDS activity (art. R.1111-9 CSP) in the organisation's scope, and who performs it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scope_activities"
    )
    activity = models.PositiveSmallIntegerField(
        _("activity"), choices=[(a.number, str(a.number)) for a in ACTIVITIES]
    )
    mode = models.CharField(_("performed"), max_length=16, choices=ActivityMode.choices)
    subcontractor = models.ForeignKey(
        Subcontractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("subcontractor"),
    )

    class Meta:
        verbose_name = _("activity in scope")
        verbose_name_plural = _("activities in scope")
        ordering = ("activity",)
        constraints = (
            models.UniqueConstraint(fields=("organisation", "activity"), name="scope_activity"),
            models.CheckConstraint(
                condition=(
                    models.Q(mode=ActivityMode.IN_HOUSE, subcontractor__isnull=True)
                    | models.Q(mode=ActivityMode.SUBCONTRACTED, subcontractor__isnull=False)
                ),
                name="scope_activity_subcontractor_iff_subcontracted",
            ),
        )

    def __str__(self) -> str:
        return f"{self.organisation}: {self.activity} ({self.get_mode_display()})"


class CertificateKind(models.TextChoices):
    HDS = "hds", _("HDS")
    ISO27001 = "iso27001", _("ISO/IEC 27001")


ISO_STANDARD_CHOICES = [
    (code.value, facts.label if facts.accepted else format_lazy(_("{} (old edition)"), facts.label))
    for code, facts in STANDARDS.items()
    if code != IsoStandard.EQUIVALENT
] + [(IsoStandard.EQUIVALENT.value, _("Other equivalent standard (name it)"))]


class CertificateStatus(models.TextChoices):
    """A certificate's status on a day. Only the body's decisions (suspended, withdrawn) are
    stored; "expired" is derived from expires_on, never stored twice."""

    # A context of their own: "Valid" elsewhere heads a validity column, "Expired" is feminine.
    VALID = "valid", pgettext_lazy("certificate status", "Valid")
    SUSPENDED = "suspended", pgettext_lazy("certificate status", "Suspended")
    WITHDRAWN = "withdrawn", pgettext_lazy("certificate status", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("certificate status", "Expired")


# The statuses a certification body's decision sets (ISO/IEC 17021-1: a suspension is lifted or
# ends in a withdrawal; a withdrawal is final). The one transition table: services execute it,
# pages offer only the statuses it allows.
CERTIFICATE_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.VALID: frozenset({CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN}),
    CertificateStatus.SUSPENDED: frozenset({CertificateStatus.VALID, CertificateStatus.WITHDRAWN}),
    CertificateStatus.WITHDRAWN: frozenset(),
}
# The statuses that end a certificate's cover from their date: the pure chain's one definition.
LAPSED_STATUSES = LAPSED
# What a certificate stores: the decisions, expired being derived.
CERTIFICATE_DECISIONS = [c for c in CertificateStatus.choices if c[0] != CertificateStatus.EXPIRED]


class Certificate(models.Model):
    """An HDS or ISO 27001 certificate, of the host itself (no subcontractor) or of a
    subcontractor. Its activities are the HDS activities its scope names or covers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="certificates"
    )
    subcontractor = models.ForeignKey(
        Subcontractor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("subcontractor"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=100)
    certification_body = models.CharField(_("certification body"), max_length=200)
    accreditation = models.CharField(_("accreditation (COFRAC or EU)"), max_length=100, blank=True)
    # For an HDS certificate, the référentiel version as typed ("HDS v2"); for an ISO 27001
    # certificate, derived from iso_standard (the standard's name, or the equivalent's).
    standard_version = models.CharField(
        _("référentiel or edition"), max_length=60, help_text=_("e.g. HDS v2")
    )
    iso_standard = models.CharField(
        _("ISO 27001 standard"),
        max_length=24,
        blank=True,
        choices=ISO_STANDARD_CHOICES,
    )
    iso_equivalent_name = models.CharField(
        _("name of the equivalent standard"), max_length=60, blank=True
    )
    activities = models.JSONField(_("activities covered"), default=list)
    scope_statement = models.TextField(_("scope statement"), blank=True)
    issued_on = models.DateField(_("issued on"))
    # The last day of validity, as printed on the certificate ("valide jusqu'au").
    expires_on = models.DateField(_("valid until"), db_index=True)
    # The body's decision (CertificateStatus without EXPIRED), the first day it applies, and why.
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CERTIFICATE_DECISIONS,
        default=CertificateStatus.VALID,
    )
    status_from = models.DateField(_("status applies from"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ("expires_on",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(status=CertificateStatus.VALID)
                | models.Q(status_from__isnull=False),
                name="certificate_status_has_date",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def last_day(self) -> date:
        """The last day it covers: the printed expiry, or the day before a suspension or
        withdrawal applies."""
        return last_covered_day(
            expires_on=self.expires_on, status=self.status, status_from=self.status_from
        )

    def is_valid_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.last_day

    def status_on(self, day: date) -> CertificateStatus:
        if (
            self.status in LAPSED_STATUSES
            and self.status_from is not None
            and day >= self.status_from
        ):
            return CertificateStatus(self.status)
        if day > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class ProcedureTrigger(models.TextChoices):
    SUSPENDED = "suspended", _("Certificate suspended")
    WITHDRAWN = "withdrawn", _("Certificate withdrawn")
    EXPIRING = "expiring", _("Certificate about to expire")


class ProcedureTaskKind(models.TextChoices):
    INFORM_CLIENTS = "inform_clients", _("Inform the clients concerned")
    PLAN_REPLACEMENT = "plan_replacement", _("Plan the replacement (renewal or another provider)")


# The tasks every procedure opens with, in order (HDS v2 EXI 14).
PROCEDURE_TASKS: tuple[ProcedureTaskKind, ...] = (
    ProcedureTaskKind.INFORM_CLIENTS,
    ProcedureTaskKind.PLAN_REPLACEMENT,
)


class ProcedureClosing(models.TextChoices):
    RENEWED = "renewed", _("Certificate renewed")
    LIFTED = "lifted", _("Suspension lifted")


class CertificateProcedure(models.Model):
    """HDS v2 EXI 14: what the host does when a certificate it relies on is suspended,
    withdrawn or about to expire. At most one open per certificate, opened by the first
    trigger; it closes when the certificate covers again past the warning window (renewed, or
    its suspension lifted), so that its next expiry opens a new one."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="procedures"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="certificate_procedures"
    )
    trigger = models.CharField(_("opened because"), max_length=16, choices=ProcedureTrigger.choices)
    # The day the certificate stops covering (the status date, or the day after its expiry).
    gap_from = models.DateField(_("gap from"))
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_because = models.CharField(
        _("closed because"), max_length=16, choices=ProcedureClosing.choices, blank=True
    )

    class Meta:
        verbose_name = _("certificate procedure (EXI 14)")
        verbose_name_plural = _("certificate procedures (EXI 14)")
        ordering = ("-opened_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("certificate",),
                condition=models.Q(closed_at__isnull=True),
                name="one_open_procedure_per_certificate",
            ),
        )

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.certificate}"


class CertificateProcedureTask(models.Model):
    procedure = models.ForeignKey(
        CertificateProcedure, on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("task"), max_length=20, choices=ProcedureTaskKind.choices)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("procedure task")
        verbose_name_plural = _("procedure tasks")
        ordering = ("procedure", "pk")
        constraints = (
            models.UniqueConstraint(fields=("procedure", "kind"), name="procedure_task_kind"),
        )

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    PARTIAL = "partial", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")


class SoAEntry(models.Model):
    """One line of the Statement of Applicability (déclaration d'applicabilité) for an Annex A
    control. HDS v2 EXI 08: the SoA is available in French for the auditors."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="soa")
    control = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField(_("applicable"), default=True)
    justification = models.TextField(_("justification"), blank=True)
    implementation = models.CharField(
        _("implementation"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SoA line")
        verbose_name_plural = _("Statement of Applicability")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "control"), name="soa_control"),
            models.CheckConstraint(
                condition=models.Q(applicable=True) | ~models.Q(justification=""),
                name="soa_not_applicable_needs_justification",
            ),
        )

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.control.ref_id}"


class ReadinessStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    NOT_COMPLIANT = "not_compliant", _("Not compliant")
    PARTIAL = "partial", _("Partially compliant")
    COMPLIANT = "compliant", _("Compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ReadinessEntry(models.Model):
    """The host's own assessment of one requirement. No row means "not assessed"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="readiness"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReadinessStatus.choices,
        default=ReadinessStatus.NOT_ASSESSED,
    )
    justification = models.TextField(_("justification"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True, db_index=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("readiness entry")
        verbose_name_plural = _("readiness")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "requirement"), name="readiness_requirement"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_applicable") | ~models.Q(justification=""),
                name="readiness_not_applicable_needs_justification",
            ),
        )

    def __str__(self) -> str:
        return f"{self.requirement.ref_id}: {self.get_status_display()}"

    def is_overdue(self, *, today: date) -> bool:
        done = self.status in {ReadinessStatus.COMPLIANT, ReadinessStatus.NOT_APPLICABLE}
        return bool(self.target_date and not done and self.target_date < today)


class CertifiedHostList(models.Model):
    """One import of the ANS list of certified hosts (liste des hébergeurs certifiés HDS): who
    imported which file when. The latest import is the current list; the rows of earlier ones
    are dropped, their import stays here and in the trail."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="certified_host_lists"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("list of certified hosts")
        verbose_name_plural = _("lists of certified hosts")
        ordering = ("-imported_at", "-pk")
        indexes = (models.Index(fields=("organisation", "-imported_at"), name="host_list_latest"),)

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


class CertifiedHost(models.Model):
    """One row of an imported list of certified hosts."""

    host_list = models.ForeignKey(CertifiedHostList, on_delete=models.CASCADE, related_name="hosts")
    line = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("company name"), max_length=300)
    # scopes.certified_hosts.normalise_name(name): what a subcontractor's name is matched on.
    name_key = models.CharField(max_length=300)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=300, blank=True)
    activities = models.JSONField(_("activities"), default=list)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    certification_body = models.CharField(_("certification body"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certified host")
        verbose_name_plural = _("certified hosts")
        ordering = ("host_list", "line")
        indexes = (
            models.Index(fields=("host_list", "siren"), name="certified_host_siren"),
            models.Index(fields=("host_list", "name_key"), name="certified_host_name"),
        )

    def __str__(self) -> str:
        return self.name


class CertifiedHostsUpload(models.Model):
    """A list file uploaded and waiting for its columns to be mapped: one per officer and
    organisation, replaced by the next upload, deleted by the import."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("uploaded list of certified hosts")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "uploaded_by"), name="certified_hosts_upload_one"
            ),
        )

    def __str__(self) -> str:
        return self.filename


class CertifiedHostsMapping(models.Model):
    """The columns chosen for a list file, remembered per organisation and keyed by the file's
    header names, so the next file with the same headers is mapped already."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    headers_key = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    columns = models.JSONField(default=dict)  # our field -> the file's header
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("column mapping of a list of certified hosts")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "headers_key"), name="certified_hosts_mapping_headers"
            ),
        )

    def __str__(self) -> str:
        return ", ".join(self.headers)
