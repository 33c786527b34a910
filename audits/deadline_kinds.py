"""The one registry of deadline kinds (issue #11).

Every list of deadlines (the organisation home, the calendar feed, the API) and the daily
reminder sweep (audits/services/reminders.py) iterate DEADLINE_KINDS; no other module names a
kind. For each kind, ONE entry says:
- its label (the one label table, translated through gettext);
- how its rows are found: one query over a stored, indexed date column, for some organisations
  and a date range (both days included), so a list costs one query per kind, never one per row;
- who is reminded besides the organisation's compliance officers (contributors for the
  correction window, the auditor for their own access);
- whether one "overdue" reminder is sent once the date has passed, and the reminder texts.

Reminder keys (`<key prefix>:<pk>:<date>:<offset>`) keep the prefixes used before this
registry, so reminders already sent are not sent again: the three certificate kinds share the
prefix "certificate" (their pks come from the one certificate table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    AuditStatus,
    Decision,
    ProgrammeLine,
)
from audits.programme import ProgrammeFacts
from audits.workflow import CORRECTION_WINDOW_STATUSES
from contracts.models import Contract
from evidence.models import EvidenceItem, EvidenceStatus
from hdsready.models import Organisation, Role, User
from scopes.models import Certificate, CertificateKind, CertificateStatus

Organisations = QuerySet[Organisation] | Sequence[Organisation]


class DeadlineKind(models.TextChoices):
    CORRECTION = "correction", _("End of the correction window")
    AUDIT_DUE = "audit_due", _("Surveillance or renewal audit due")
    HDS_CERTIFICATE = "hds_certificate", _("HDS certificate expires")
    ISO_CERTIFICATE = "iso_certificate", _("ISO 27001 certificate expires")
    SUBCONTRACTOR_CERTIFICATE = "subcontractor_certificate", _("Subcontractor certificate expires")
    DECISION = "decision", _("Certificate of a certification decision expires")
    EVIDENCE = "evidence", _("Evidence review due")
    AUDITOR_ACCESS = "auditor_access", _("Auditor access ends")
    CONTRACT_END = "contract_end", _("Client contract ends")


@dataclass(frozen=True)
class DeadlineRow:
    """One stored date of one object: what every deadline list shows and the sweep reminds."""

    kind: DeadlineKind
    pk: int
    day: date
    organisation: Organisation
    subject: str  # what the date is about: an audit, a certificate, an evidence item, an auditor
    url: str  # the page of the organisation that shows it
    person: User | None = None  # the one user it concerns (the auditor of an access)
    programme: ProgrammeFacts | None = None  # a planned audit's (audits/programme.py)

    @property
    def label(self) -> str:
        return str(DEADLINE_KINDS[self.kind].label)

    @property
    def uid(self) -> str:
        """Stable across feeds: a calendar application updates the event instead of adding one."""
        return f"{self.kind.value}-{self.pk}"


class RowsQuery(Protocol):
    def __call__(
        self, *, organisations: Organisations, start: date, end: date
    ) -> list[DeadlineRow]: ...


@dataclass(frozen=True)
class DeadlineKindEntry:
    kind: DeadlineKind
    rows: RowsQuery
    # Reminder texts; placeholders: %(label)s (the subject), %(day)s, %(left)s ("7 days left").
    reminder_before: Promise
    # None: no reminder once the date has passed (an auditor access simply ends).
    reminder_overdue: Promise | None
    # Roles reminded besides the compliance officers, who are always reminded.
    also_reminds: tuple[Role, ...] = ()
    # The row's own user (the auditor of an access) is reminded too.
    reminds_person: bool = False
    # The first part of the reminder key; by default the kind's value.
    key_prefix: str = ""

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def overdue_reminder(self) -> bool:
        return self.reminder_overdue is not None

    @property
    def reminder_key_prefix(self) -> str:
        return self.key_prefix or self.kind.value


# A lapsed window stays a deadline (audits/workflow.py CORRECTION_WINDOW_STATUSES includes "on-site
# audit to redo"): the overdue reminder (to contributors too) goes out after the lapse sweep.
CORRECTION_DEADLINE_STATUSES = CORRECTION_WINDOW_STATUSES


def _audit_url(organisation: Organisation, audit_pk: int) -> str:
    return reverse("audits:audit-detail", args=[organisation.slug, audit_pk])


def correction_rows(*, organisations: Organisations, start: date, end: date) -> list[DeadlineRow]:
    """Audit.correction_deadline: 3 calendar months after the actual end of the on-site audit
    (audits/deadlines.py), while the window counts (CORRECTION_WINDOW_STATUSES) or lapsed."""
    audits = Audit.objects.filter(
        cycle__organisation__in=organisations,
        status__in=CORRECTION_DEADLINE_STATUSES,
        correction_deadline__range=(start, end),
    ).select_related("cycle__organisation")
    return [
        DeadlineRow(
            DeadlineKind.CORRECTION,
            audit.pk,
            audit.correction_deadline,
            audit.cycle.organisation,
            str(audit),
            _audit_url(audit.cycle.organisation, audit.pk),
        )
        for audit in audits
        if audit.correction_deadline is not None  # excluded by the filter; narrows the type
    ]


def _programme_refs_of(audit_ids: list[int]) -> dict[int, list[str]]:
    """The requirement references of each audit's programme, in catalog order: one query for
    every audit (portable: `make run` serves SQLite too)."""
    refs: dict[int, list[str]] = {audit_id: [] for audit_id in audit_ids}
    lines = (
        ProgrammeLine.objects.filter(audit_id__in=audit_ids)
        .order_by("requirement__framework__code", "requirement__order")
        .values_list("audit_id", "requirement__ref_id")
    )
    for audit_id, ref_id in lines:
        refs[audit_id].append(ref_id)
    return refs


def audit_due_rows(*, organisations: Organisations, start: date, end: date) -> list[DeadlineRow]:
    """Audit.due_on of a surveillance or renewal audit not started yet: planned by the decision
    (12 and 24 months after it, and before the certificate's expiry) or by the officer."""
    audits = Audit.objects.filter(
        cycle__organisation__in=organisations,
        status=AuditStatus.DRAFT,
        kind__in=(AuditKind.SURVEILLANCE, AuditKind.RENEWAL),
        due_on__range=(start, end),
    ).select_related("cycle__organisation")
    planned = list(audits)
    programmes = _programme_refs_of([audit.pk for audit in planned])
    return [
        DeadlineRow(
            DeadlineKind.AUDIT_DUE,
            audit.pk,
            audit.due_on,
            audit.cycle.organisation,
            str(audit),
            _audit_url(audit.cycle.organisation, audit.pk),
            programme=ProgrammeFacts(
                full=audit.kind == AuditKind.RENEWAL, refs=tuple(programmes[audit.pk])
            ),
        )
        for audit in planned
        if audit.due_on is not None  # excluded by the filter; narrows the type
    ]


def _certificate_rows(
    kind: DeadlineKind,
    url: Callable[[Certificate], str],
    certificates: QuerySet[Certificate],
    *,
    organisations: Organisations,
    start: date,
    end: date,
) -> list[DeadlineRow]:
    # A withdrawn certificate ended on its status date: its printed expiry is no deadline.
    found = (
        certificates.filter(organisation__in=organisations, expires_on__range=(start, end))
        .exclude(status=CertificateStatus.WITHDRAWN)
        .select_related("organisation", "subcontractor")
    )
    rows = []
    for certificate in found:
        subject = str(certificate)
        if certificate.subcontractor is not None:
            subject = f"{subject} ({certificate.subcontractor})"
        rows.append(
            DeadlineRow(
                kind,
                certificate.pk,
                certificate.expires_on,
                certificate.organisation,
                subject,
                url(certificate),
            )
        )
    return rows


def hds_certificate_rows(
    *, organisations: Organisations, start: date, end: date
) -> list[DeadlineRow]:
    """Certificate.expires_on (the last day printed on it) of the host's own HDS certificates."""
    return _certificate_rows(
        DeadlineKind.HDS_CERTIFICATE,
        lambda c: reverse("scopes:chain-view", args=[c.organisation.slug]),
        Certificate.objects.filter(subcontractor__isnull=True, kind=CertificateKind.HDS),
        organisations=organisations,
        start=start,
        end=end,
    )


def iso_certificate_rows(
    *, organisations: Organisations, start: date, end: date
) -> list[DeadlineRow]:
    """Certificate.expires_on of the host's own ISO 27001 certificates (the HDS prerequisite)."""
    return _certificate_rows(
        DeadlineKind.ISO_CERTIFICATE,
        lambda c: reverse("scopes:iso-view", args=[c.organisation.slug]),
        Certificate.objects.filter(subcontractor__isnull=True, kind=CertificateKind.ISO27001),
        organisations=organisations,
        start=start,
        end=end,
    )


def subcontractor_certificate_rows(
    *, organisations: Organisations, start: date, end: date
) -> list[DeadlineRow]:
    """Certificate.expires_on of the subcontractors' certificates (HDS EXI 06, 14)."""
    return _certificate_rows(
        DeadlineKind.SUBCONTRACTOR_CERTIFICATE,
        lambda c: reverse(
            "scopes:subcontractor-detail", args=[c.organisation.slug, c.subcontractor_id]
        ),
        Certificate.objects.filter(subcontractor__isnull=False),
        organisations=organisations,
        start=start,
        end=end,
    )


def decision_rows(*, organisations: Organisations, start: date, end: date) -> list[DeadlineRow]:
    """Decision.expires_on (3 years after the decision unless the certificate prints another
    date), for a decision that holds none of the host's certificates: a decision records each
    certificate it grants among them (Decision.certificates), and then each of those is the
    deadline, once."""
    linked = Decision.certificates.through.objects.filter(decision=OuterRef("pk"))
    decisions = (
        Decision.objects.filter(
            audit__cycle__organisation__in=organisations, expires_on__range=(start, end)
        )
        .exclude(Exists(linked))
        .select_related("audit__cycle__organisation")
    )
    return [
        DeadlineRow(
            DeadlineKind.DECISION,
            decision.pk,
            decision.expires_on,
            decision.audit.cycle.organisation,
            decision.certificate_number,
            _audit_url(decision.audit.cycle.organisation, decision.audit_id),
        )
        for decision in decisions
        if decision.expires_on is not None  # a refusal has no expiry (and is not in the range)
    ]


def evidence_rows(*, organisations: Organisations, start: date, end: date) -> list[DeadlineRow]:
    """EvidenceItem.review_due_on (its review or expiry date) of the items still in use."""
    items = EvidenceItem.objects.filter(
        organisation__in=organisations,
        status=EvidenceStatus.ACTIVE,
        review_due_on__range=(start, end),
    ).select_related("organisation")
    return [
        DeadlineRow(
            DeadlineKind.EVIDENCE,
            item.pk,
            item.review_due_on,
            item.organisation,
            item.title,
            reverse("evidence:item-detail", args=[item.organisation.slug, item.pk]),
        )
        for item in items
        if item.review_due_on is not None  # excluded by the filter; narrows the type
    ]


def auditor_access_rows(
    *, organisations: Organisations, start: date, end: date
) -> list[DeadlineRow]:
    """The last day of an auditor's access not revoked: the Paris date of the instant just
    before AuditorAccess.valid_until, when the access ends by itself."""
    accesses = AuditorAccess.objects.filter(
        audit__cycle__organisation__in=organisations,
        revoked_at__isnull=True,
        # Its last day within [start, end].
        valid_until__gt=deadlines.end_of_day(day=start - timedelta(days=1)),
        valid_until__lte=deadlines.end_of_day(day=end),
    ).select_related("audit__cycle__organisation", "user")
    return [
        DeadlineRow(
            DeadlineKind.AUDITOR_ACCESS,
            access.pk,
            deadlines.paris_date(now=access.valid_until - timedelta(microseconds=1)),
            access.audit.cycle.organisation,
            access.email,
            _audit_url(access.audit.cycle.organisation, access.audit_id),
            person=access.user if access.user is not None and access.user.is_active else None,
        )
        for access in accesses
    ]


def contract_end_rows(*, organisations: Organisations, start: date, end: date) -> list[DeadlineRow]:
    """Contract.end_on (its last day in force) of the client contracts, never of a template:
    the host renews the contract, or organises the reversibility it promised (HDS v2 EXI 27:
    return of the data, destruction, formats). A contract that starts after its end date is
    impossible (a database constraint), so a row ends a contract that was or is in force."""
    contracts = Contract.objects.filter(
        organisation__in=organisations, is_template=False, end_on__range=(start, end)
    ).select_related("organisation", "client")
    return [
        DeadlineRow(
            DeadlineKind.CONTRACT_END,
            contract.pk,
            contract.end_on,
            contract.organisation,
            str(contract),
            reverse("contracts:contract-detail", args=[contract.organisation.slug, contract.pk]),
        )
        for contract in contracts
        if contract.end_on is not None  # excluded by the filter; narrows the type
    ]


_CERTIFICATE_EXPIRES = _("The certificate %(label)s expires on %(day)s: %(left)s.")
_CERTIFICATE_EXPIRED = _("The certificate %(label)s expired on %(day)s.")

DEADLINE_KINDS: dict[DeadlineKind, DeadlineKindEntry] = {
    entry.kind: entry
    for entry in (
        DeadlineKindEntry(
            DeadlineKind.CORRECTION,
            correction_rows,
            _(
                "Correction deadline of %(label)s: %(left)s (until %(day)s). Past it, a "
                "non-conformity left without a correction means the on-site audit is redone."
            ),
            _(
                "The correction deadline of %(label)s passed on %(day)s: see on the audit "
                "whether corrections await verification or the on-site audit is to be redone."
            ),
            # Contributors write the corrections.
            also_reminds=(Role.CONTRIBUTOR,),
        ),
        DeadlineKindEntry(
            DeadlineKind.AUDIT_DUE,
            audit_due_rows,
            _("%(label)s is due by %(day)s: %(left)s."),
            _("%(label)s was due by %(day)s and has not taken place."),
        ),
        DeadlineKindEntry(
            DeadlineKind.HDS_CERTIFICATE,
            hds_certificate_rows,
            _CERTIFICATE_EXPIRES,
            _CERTIFICATE_EXPIRED,
            key_prefix="certificate",
        ),
        DeadlineKindEntry(
            DeadlineKind.ISO_CERTIFICATE,
            iso_certificate_rows,
            _CERTIFICATE_EXPIRES,
            _CERTIFICATE_EXPIRED,
            key_prefix="certificate",
        ),
        DeadlineKindEntry(
            DeadlineKind.SUBCONTRACTOR_CERTIFICATE,
            subcontractor_certificate_rows,
            _CERTIFICATE_EXPIRES,
            _CERTIFICATE_EXPIRED,
            key_prefix="certificate",
        ),
        DeadlineKindEntry(
            DeadlineKind.DECISION,
            decision_rows,
            _("The HDS certificate %(label)s expires on %(day)s: %(left)s."),
            _("The HDS certificate %(label)s expired on %(day)s."),
        ),
        DeadlineKindEntry(
            DeadlineKind.EVIDENCE,
            evidence_rows,
            _("The evidence “%(label)s” is to be reviewed by %(day)s: %(left)s."),
            _("The review of the evidence “%(label)s” was due on %(day)s."),
        ),
        DeadlineKindEntry(
            DeadlineKind.AUDITOR_ACCESS,
            auditor_access_rows,
            _("The auditor access of %(label)s ends on %(day)s: %(left)s."),
            None,
            reminds_person=True,
        ),
        DeadlineKindEntry(
            DeadlineKind.CONTRACT_END,
            contract_end_rows,
            _("The client contract %(label)s ends on %(day)s: %(left)s."),
            # Once it has ended there is nothing left to remind: it is in the register as ended.
            None,
        ),
    )
}


def deadline_rows(
    *,
    organisations: Organisations,
    start: date,
    end: date,
    kinds: Sequence[DeadlineKind] | None = None,
) -> list[DeadlineRow]:
    """The deadlines of every kind (or of `kinds`) from `start` to `end`, both included, by
    date: one query per kind, whatever the number of rows."""
    order = {kind: position for position, kind in enumerate(DEADLINE_KINDS)}
    found = [
        row
        for entry in DEADLINE_KINDS.values()
        if kinds is None or entry.kind in kinds
        for row in entry.rows(organisations=organisations, start=start, end=end)
    ]
    return sorted(found, key=lambda row: (row.day, order[row.kind], row.pk))
