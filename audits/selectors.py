"""Permission-scoped reads of the audits app: notifications and the deadlines of a calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    AuditStatus,
    CalendarToken,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    Notification,
    PinnedVersion,
    ReviewDecision,
    Stage,
    token_digest,
)
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from evidence.selectors import evidence_items_of
from hdsready.models import Organisation, User
from hdsready.selectors import object_perm_held, organisation_get_for_user, organisations_for_user
from scopes.models import Certificate, Requirement
from scopes.selectors import HDS_CODE, builtin_framework, framework_nodes


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def calendar_token_user(*, raw: str) -> User | None:
    """The active user a calendar feed address belongs to, if it is neither revoked nor unknown."""
    token = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=token_digest(raw), user__is_active=True)
        .first()
    )
    return token.user if token else None


def calendar_token_exists(*, user: User) -> bool:
    return CalendarToken.objects.filter(user=user).exists()


@dataclass(frozen=True)
class Deadline:
    uid: str
    day: date
    kind: str
    label: str
    organisation: Organisation


def deadlines_for_user(*, user: User) -> list[Deadline]:
    """The deadlines of the organisations the user is a member of: correction windows, planned
    audits, certificate expiries (own, subcontractors', decisions) and evidence reviews."""
    return _deadlines_of(organisations=organisations_for_user(user=user))


def deadlines_of_organisation(
    *, organisation: Organisation, start: date, end: date
) -> list[Deadline]:
    """The organisation's deadlines from `start` to `end` (both included), by date."""
    return [
        deadline
        for deadline in _deadlines_of(organisations=[organisation])
        if start <= deadline.day <= end
    ]


def _deadlines_of(*, organisations: QuerySet[Organisation] | list[Organisation]) -> list[Deadline]:
    found: list[Deadline] = []
    audits = Audit.objects.filter(cycle__organisation__in=organisations).select_related(
        "cycle__organisation"
    )
    for audit in audits.filter(status=AuditStatus.CORRECTIONS, correction_deadline__isnull=False):
        if audit.correction_deadline is None:  # excluded by the filter; narrows the type
            continue
        found.append(
            Deadline(
                f"correction-{audit.pk}",
                audit.correction_deadline,
                "correction",
                str(audit),
                audit.cycle.organisation,
            )
        )
    for audit in audits.filter(
        status=AuditStatus.DRAFT,
        kind__in=(AuditKind.SURVEILLANCE, AuditKind.RENEWAL),
        due_on__isnull=False,
    ):
        if audit.due_on is None:  # excluded by the filter; narrows the type
            continue
        found.append(
            Deadline(
                f"audit-{audit.pk}", audit.due_on, "audit_due", str(audit), audit.cycle.organisation
            )
        )
    for certificate in Certificate.objects.filter(organisation__in=organisations).select_related(
        "organisation", "subcontractor"
    ):
        label = str(certificate)
        if certificate.subcontractor:
            label = f"{label} ({certificate.subcontractor})"
        found.append(
            Deadline(
                f"certificate-{certificate.pk}",
                certificate.expires_on,
                "certificate",
                label,
                certificate.organisation,
            )
        )
    for item in EvidenceItem.objects.filter(
        organisation__in=organisations, status=EvidenceStatus.ACTIVE, review_due_on__isnull=False
    ).select_related("organisation"):
        if item.review_due_on is None:  # excluded by the filter; narrows the type
            continue
        found.append(
            Deadline(
                f"evidence-{item.pk}", item.review_due_on, "evidence", item.title, item.organisation
            )
        )
    return sorted(found, key=lambda deadline: (deadline.day, deadline.uid))


# Auditors: a certification body's auditor is not a member of the organisation. They see one
# audit, through the object permission "audits.audit_as_auditor" AND an access whose window is
# open now: the window is checked on every request, before the beat task removes the permission.

AUDITOR_PERM = "audits.audit_as_auditor"


def audit_get_for_auditor(*, user: User, pk: int, now: datetime) -> Audit:
    audit = Audit.objects.select_related("cycle__organisation").filter(pk=pk).first()
    if audit is None or not object_perm_held(user=user, obj=audit, perm=AUDITOR_PERM):
        raise Http404
    accesses = AuditorAccess.objects.filter(audit=audit, user=user, accepted_at__isnull=False)
    if not any(access.is_open(now=now) for access in accesses):
        raise Http404
    return audit


def audits_for_auditor(*, user: User, now: datetime) -> list[AuditorAccess]:
    """The user's accepted auditor accesses open at `now`, with their audits."""
    accesses = (
        AuditorAccess.objects.filter(
            user=user,
            accepted_at__isnull=False,
            revoked_at__isnull=True,
            valid_from__lte=now,
            valid_until__gt=now,
        )
        .select_related("audit__cycle__organisation")
        .order_by("valid_until", "pk")
    )
    return [access for access in accesses if access.is_open(now=now)]


def auditor_access_by_token(*, raw_token: str, now: datetime) -> AuditorAccess | None:
    """The pending access a link designates, while it may still be accepted."""
    access = (
        AuditorAccess.objects.select_related("audit__cycle__organisation", "invited_by")
        .filter(
            token_hash=token_digest(raw_token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            valid_until__gt=now,
        )
        .first()
    )
    return access


def audit_get_for_member(*, user: User, slug: str, pk: int, perm: str) -> Audit:
    """An audit of an organisation the user holds `perm` on; anything else is a 404."""
    organisation = organisation_get_for_user(user=user, slug=slug, perm=perm)
    audit = (
        Audit.objects.select_related("cycle__organisation")
        .filter(cycle__organisation=organisation, pk=pk)
        .first()
    )
    if audit is None:
        raise Http404
    return audit


def auditor_accesses_of_audit(*, audit: Audit) -> QuerySet[AuditorAccess]:
    return (
        AuditorAccess.objects.filter(audit=audit)
        .select_related("user", "invited_by")
        .order_by("-invited_at")
    )


def auditor_access_get_in_audit(*, audit: Audit, pk: int) -> AuditorAccess:
    access = (
        AuditorAccess.objects.select_related("audit__cycle__organisation", "user")
        .filter(audit=audit, pk=pk)
        .first()
    )
    if access is None:
        raise Http404
    return access


@dataclass(frozen=True)
class AuditorRequirementRow:
    requirement: Requirement
    evidence: list[tuple[EvidenceItem, EvidenceVersion | None]]


def auditor_requirement_rows(*, audit: Audit) -> list[AuditorRequirementRow]:
    """The assessable HDS requirements with the organisation's active evidence items linked to
    each and their current (latest) version: what the auditor reviews."""
    organisation = audit.cycle.organisation
    framework = builtin_framework(code=HDS_CODE)
    requirements = [node for node in framework_nodes(framework=framework) if node.assessable]
    items = list(evidence_items_of(organisation=organisation))
    current: dict[int, EvidenceVersion] = {}
    for version in EvidenceVersion.objects.filter(item__in=[item.pk for item in items]).order_by(
        "item_id", "number"
    ):
        current[version.item_id] = version
    by_requirement: dict[int, list[tuple[EvidenceItem, EvidenceVersion | None]]] = {}
    for item in items:
        for linked in item.requirements.all():
            by_requirement.setdefault(linked.pk, []).append((item, current.get(item.pk)))
    return [
        AuditorRequirementRow(requirement, by_requirement.get(requirement.pk, []))
        for requirement in requirements
    ]


def findings_of_audit(*, audit: Audit) -> QuerySet[Finding]:
    return Finding.objects.filter(audit=audit).select_related("requirement").order_by("raised_at")


# The compliance officer's pages (audits/views/officer.py): every object is looked up inside an
# organisation the user may see (checked by the core selectors), so an id from elsewhere is a 404.


def cycles_of_organisation(*, organisation: Organisation) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("audits", queryset=Audit.objects.select_related("decision").order_by("created_at"))
    )


def cycle_get_in_organisation(*, organisation: Organisation, pk: int) -> Cycle:
    cycle = Cycle.objects.filter(organisation=organisation, pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def audit_get_in_organisation(*, organisation: Organisation, pk: int) -> Audit:
    audit = (
        Audit.objects.select_related("cycle__organisation", "decision")
        .filter(cycle__organisation=organisation, pk=pk)
        .first()
    )
    if audit is None:
        raise Http404
    return audit


def audits_of_cycle(*, cycle: Cycle) -> QuerySet[Audit]:
    return Audit.objects.filter(cycle=cycle).select_related("decision").order_by("created_at")


def findings_with_corrections(*, audit: Audit) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(audit=audit)
        .select_related("requirement", "owner", "correction_evidence__item")
        .order_by("raised_at", "pk")
    )


def finding_get_in_organisation(*, organisation: Organisation, pk: int) -> Finding:
    finding = (
        Finding.objects.select_related("audit__cycle__organisation")
        .filter(audit__cycle__organisation=organisation, pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    return finding


def hds_requirements_for_findings() -> QuerySet[Requirement]:
    """The assessable HDS requirements a finding can be raised against."""
    return Requirement.objects.filter(
        framework=builtin_framework(code=HDS_CODE), assessable=True
    ).order_by("order")


def evidence_versions_of_organisation(*, organisation: Organisation) -> QuerySet[EvidenceVersion]:
    return (
        EvidenceVersion.objects.filter(item__organisation=organisation)
        .select_related("item")
        .order_by("item__title", "-number")
    )


# The organisation home's fragments (audits/views/home.py).


def current_cycle_audits(*, organisation: Organisation) -> list[Audit]:
    """The audits of the latest certification cycle, with their decisions; none without one."""
    cycle = Cycle.objects.filter(organisation=organisation).order_by("-created_at", "-pk").first()
    if cycle is None:
        return []
    return list(audits_of_cycle(cycle=cycle))


def open_nonconformities_of(*, organisation: Organisation) -> QuerySet[Finding]:
    """Non-conformities whose correction is not verified yet, with their audit's deadline."""
    return (
        Finding.objects.filter(
            audit__cycle__organisation=organisation,
            kind__in=(FindingKind.MAJOR, FindingKind.MINOR),
            status__in=(FindingStatus.OPEN, FindingStatus.CORRECTION_SUBMITTED),
        )
        .select_related("audit", "requirement")
        .order_by("audit__correction_deadline", "raised_at", "pk")
    )


def current_stage(*, audit: Audit) -> str:
    """The stage an auditor reviews evidence for: documentary until stage 2 is planned, then
    on-site (as the review service pins versions, audits/services/reviews.py REVIEW_STAGES)."""
    if audit.status in (AuditStatus.DRAFT, AuditStatus.STAGE1_PLANNED, AuditStatus.STAGE1_DONE):
        return Stage.DOCUMENTARY
    return Stage.ONSITE


def left_to_review_by_auditor(*, user: User, audits: list[Audit]) -> dict[int, int]:
    """Per audit: the HDS requirements with active evidence that this auditor has not reviewed
    yet in the audit's current stage. Three queries whatever the number of audits."""
    if not audits:
        return {}
    framework = builtin_framework(code=HDS_CODE)
    links = EvidenceItem.requirements.through.objects.filter(
        evidenceitem__organisation__in={audit.cycle.organisation_id for audit in audits},
        evidenceitem__status=EvidenceStatus.ACTIVE,
        requirement__framework=framework,
        requirement__assessable=True,
    ).values_list("evidenceitem__organisation_id", "requirement_id")
    with_evidence: dict[int, set[int]] = {}
    for organisation_id, requirement_id in links:
        with_evidence.setdefault(organisation_id, set()).add(requirement_id)
    reviewed: dict[tuple[int, str], set[int]] = {}
    for audit_id, stage, requirement_id in EvidenceReview.objects.filter(
        audit__in=audits, reviewer=user
    ).values_list("audit_id", "pinned__stage", "pinned__requirement_id"):
        reviewed.setdefault((audit_id, stage), set()).add(requirement_id)
    return {
        audit.pk: len(
            with_evidence.get(audit.cycle.organisation_id, set())
            - reviewed.get((audit.pk, current_stage(audit=audit)), set())
        )
        for audit in audits
    }


# Evidence reviews (audits/views/review.py): the auditor reviews the versions linked to each
# requirement; once stage 1 documents are submitted, stage 1 reviews the frozen set only.


@dataclass(frozen=True)
class ReviewRow:
    requirement: Requirement
    versions: list[EvidenceVersion]
    reviews: list[EvidenceReview]


def review_stage1_frozen(*, audit: Audit) -> bool:
    return audit.stage1_submitted_at is not None and audit.status in (
        AuditStatus.STAGE1_PLANNED,
        AuditStatus.STAGE1_DONE,
    )


def review_rows_for_auditor(*, audit: Audit) -> list[ReviewRow]:
    """Per assessable HDS requirement: the versions to review (the pinned stage 1 set after
    submission, else the current versions) and the reviews already recorded."""
    reviews: dict[int, list[EvidenceReview]] = {}
    for review in (
        EvidenceReview.objects.filter(audit=audit)
        .select_related("pinned__version__item", "answered_with", "reviewer")
        .order_by("reviewed_at", "pk")
    ):
        reviews.setdefault(review.pinned.requirement_id, []).append(review)
    if review_stage1_frozen(audit=audit):
        framework = builtin_framework(code=HDS_CODE)
        requirements = [node for node in framework_nodes(framework=framework) if node.assessable]
        pinned: dict[int, list[EvidenceVersion]] = {}
        for pin in (
            PinnedVersion.objects.filter(audit=audit, stage=Stage.DOCUMENTARY)
            .select_related("version__item")
            .order_by("version__item__title", "version__number")
        ):
            pinned.setdefault(pin.requirement_id, []).append(pin.version)
        return [
            ReviewRow(req, pinned.get(req.pk, []), reviews.get(req.pk, [])) for req in requirements
        ]
    rows = []
    for row in auditor_requirement_rows(audit=audit):
        versions = []
        for item, version in row.evidence:
            if version is not None:
                version.item = item  # already loaded: no query per version in the page
                versions.append(version)
        rows.append(ReviewRow(row.requirement, versions, reviews.get(row.requirement.pk, [])))
    return rows


def review_target_get(
    *, audit: Audit, requirement_pk: int, version_pk: int
) -> tuple[Requirement, EvidenceVersion]:
    """An assessable HDS requirement and a version of the audited organisation; else a 404."""
    requirement = hds_requirements_for_findings().filter(pk=requirement_pk).first()
    version = (
        EvidenceVersion.objects.select_related("item")
        .filter(pk=version_pk, item__organisation=audit.cycle.organisation)
        .first()
    )
    if requirement is None or version is None:
        raise Http404
    return requirement, version


def version_get_for_auditor(*, audit: Audit, pk: int) -> EvidenceVersion:
    """A version the auditor of `audit` may open: of the audited organisation, and linked to an
    HDS requirement or pinned to the audit. Anything else is a 404."""
    version = (
        EvidenceVersion.objects.select_related("item__organisation")
        .filter(pk=pk, item__organisation=audit.cycle.organisation)
        .first()
    )
    if version is None:
        raise Http404
    linked = version.item.requirements.filter(framework=builtin_framework(code=HDS_CODE)).exists()
    if not linked and not PinnedVersion.objects.filter(audit=audit, version=version).exists():
        raise Http404
    return version


def finding_get_in_audit(*, audit: Audit, pk: int) -> Finding:
    finding = Finding.objects.select_related("audit").filter(audit=audit, pk=pk).first()
    if finding is None:
        raise Http404
    return finding


def reviews_awaiting_answer(*, audit: Audit) -> list[tuple[EvidenceReview, list[EvidenceVersion]]]:
    """The reviews asking for a revision not answered yet, each with the newer versions of the
    reviewed item (uploaded after the review) that may answer it."""
    reviews = list(
        EvidenceReview.objects.filter(
            audit=audit, decision=ReviewDecision.NEEDS_REVISION, answered_with__isnull=True
        )
        .select_related("pinned__version__item", "pinned__requirement")
        .order_by("reviewed_at", "pk")
    )
    if not reviews:
        return []
    newer: dict[int, list[EvidenceVersion]] = {}
    for version in EvidenceVersion.objects.filter(
        item__in={review.pinned.version.item_id for review in reviews}
    ).order_by("-number"):
        newer.setdefault(version.item_id, []).append(version)
    return [
        (
            review,
            [
                version
                for version in newer.get(review.pinned.version.item_id, [])
                if version.number > review.pinned.version.number
                and version.uploaded_at > review.reviewed_at
            ],
        )
        for review in reviews
    ]


def review_get_in_organisation(*, organisation: Organisation, pk: int) -> EvidenceReview:
    review = (
        EvidenceReview.objects.select_related("audit__cycle__organisation", "pinned__version")
        .filter(audit__cycle__organisation=organisation, pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    return review


# Reads of the REST API.


def audits_of_organisation(*, organisation: Organisation) -> QuerySet[Audit]:
    return (
        Audit.objects.filter(cycle__organisation=organisation)
        .select_related("decision")
        .order_by("cycle__created_at", "created_at", "pk")
    )


def findings_of_organisation(*, organisation: Organisation) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(audit__cycle__organisation=organisation)
        .select_related("requirement", "raised_by", "owner")
        .order_by("audit_id", "raised_at", "pk")
    )


def reviews_of_audit(*, audit: Audit) -> QuerySet[EvidenceReview]:
    return (
        EvidenceReview.objects.filter(audit=audit)
        .select_related("pinned__requirement", "pinned__version", "reviewer")
        .order_by("-reviewed_at", "-pk")
    )
