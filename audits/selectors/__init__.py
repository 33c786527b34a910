"""Permission-scoped reads of the audits app: notifications, deadlines, audits, findings,
reviews and dossiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse

from audits.deadline_kinds import DeadlineKind, DeadlineRow, deadline_rows
from audits.models import (
    NEEDS_ANSWER,
    Audit,
    AuditorAccess,
    AuditStatus,
    CalendarToken,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
)
from audits.workflow import STAGE_OF_STATE, Actor
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from hdsready import roles
from hdsready.models import Organisation, User, hash_token
from hdsready.selectors import (
    object_perm_held,
    organisation_get_for_user,
    organisations_for_user,
    user_can,
)
from scopes.models import Framework, Requirement
from scopes.selectors import HDS_CODE, builtin_framework


def calendar_token_user(*, raw: str) -> User | None:
    """The active user a calendar feed address belongs to, if it is neither revoked nor unknown."""
    token = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    return token.user if token else None


def calendar_token_exists(*, user: User) -> bool:
    return CalendarToken.objects.filter(user=user).exists()


def deadlines_for_user(*, user: User, start: date, end: date) -> list[DeadlineRow]:
    """The deadlines of every kind (audits/deadline_kinds.py) of the organisations the user is a
    member of, from `start` to `end` (both included), by date."""
    return deadline_rows(organisations=organisations_for_user(user=user), start=start, end=end)


def deadlines_of_organisation(
    *,
    organisation: Organisation,
    start: date,
    end: date,
    kinds: Sequence[DeadlineKind] | None = None,
) -> list[DeadlineRow]:
    """The organisation's deadlines of every kind (or of `kinds`) from `start` to `end` (both
    included), by date."""
    return deadline_rows(organisations=[organisation], start=start, end=end, kinds=kinds)


# Auditors: a certification body's auditor is not a member of the organisation. They see one
# audit, through the object permission "audits.audit_as_auditor" AND an access whose window is
# open now: the window is checked on every request, before the beat task removes the permission.

AUDITOR_PERM = "audits.audit_as_auditor"


def member_actors(*, user: User, organisation: Organisation) -> frozenset[Actor]:
    """Who a member is on the organisation's audits (audits/workflow.py Actor): an officer
    manages the cycle and records what the certification body did; whoever edits readiness
    answers findings."""
    held: set[Actor] = set()
    if user_can(user=user, organisation=organisation, perm=roles.MANAGE):
        held |= {Actor.OFFICER, Actor.BODY}
    if user_can(user=user, organisation=organisation, perm=roles.EDIT_READINESS):
        held.add(Actor.HOST)
    return frozenset(held)


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


def auditor_landing(user: User, now: datetime) -> str | None:
    """Where an invited auditor with no membership lands (hdsready.homes): straight on the audit
    when one is open to them, on their audits otherwise (several, or one whose access window is
    still to come); None for someone who was never invited."""
    accesses = AuditorAccess.objects.filter(
        user=user, accepted_at__isnull=False, revoked_at__isnull=True, valid_until__gt=now
    )
    audits = list(accesses.values_list("audit_id", "valid_from")[:2])
    if not audits:
        return None
    if len(audits) == 1 and audits[0][1] <= now:
        return reverse("audits:auditor-audit", args=[audits[0][0]])
    return reverse("audits:auditor-home")


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


def findings_of_audit(*, audit: Audit) -> QuerySet[Finding]:
    return numbered(
        Finding.objects.filter(audit=audit)
        .select_related("requirement")
        .order_by("raised_at", "pk")
    )


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
    return numbered(
        Finding.objects.filter(audit=audit)
        .select_related("requirement", "owner", "correction_evidence__item")
        .order_by("raised_at", "pk")
    )


def numbered(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Each finding with `sheet_rank`, its rank among the audit's non-conformities or among its
    observations in the order raised (models.sheet_number), computed by the database over the
    whole audit: a page of findings is numbered without reading the others."""
    nonconformity = Case(
        When(kind__in=(FindingKind.MAJOR, FindingKind.MINOR), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return findings.annotate(
        sheet_rank=Window(
            RowNumber(),
            partition_by=[F("audit_id"), nonconformity],
            order_by=[F("raised_at").asc(), F("pk").asc()],
        )
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


def evidence_versions_citable(*, audit: Audit, auditor: bool) -> QuerySet[EvidenceVersion]:
    """The versions a person may cite on the audit's forms (a finding, a correction, the body's
    letter): the invited auditor what the audit shows them, a member the organisation's. Lazy:
    a page offers a search, and a form checks one id, without reading the whole set."""
    if auditor:
        return evidence_versions_for_auditor(audit=audit)
    return evidence_versions_of_organisation(organisation=audit.cycle.organisation)


EVIDENCE_SEARCH_LIMIT = 20
EVIDENCE_SEARCH_MAX_LENGTH = 100


def evidence_versions_search(
    *, versions: QuerySet[EvidenceVersion], query: str, limit: int = EVIDENCE_SEARCH_LIMIT
) -> tuple[list[EvidenceVersion], bool]:
    """At most `limit` of `versions` matching `query` (every word in the item's title or the
    file's name; "#12" or "12" is also the version of that number of the picker), and whether
    there are more. One query, whatever the number of versions."""
    words = query.split()
    found = versions
    for word in words:
        number = word.removeprefix("#")
        match = Q(item__title__icontains=word) | Q(original_name__icontains=word)
        if number.isascii() and number.isdigit() and len(number) <= 18:
            match |= Q(pk=int(number))
        found = found.filter(match)
    rows = list(found[: limit + 1])
    return rows[:limit], len(rows) > limit


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
    """The stage an auditor reviews evidence for (audits/workflow.py STAGE_OF_STATE)."""
    return STAGE_OF_STATE[audit.status]


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


def review_stage1_frozen(*, audit: Audit) -> bool:
    return audit.stage1_submitted_at is not None and audit.status in (
        AuditStatus.STAGE1_PLANNED,
        AuditStatus.STAGE1_DONE,
    )


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


def evidence_versions_for_auditor(*, audit: Audit) -> QuerySet[EvidenceVersion]:
    """What the auditor of `audit` sees and may cite, everywhere (pages, forms, API): versions
    of the audited organisation pinned to the audit, or of evidence linked to an HDS
    requirement. Internal evidence linked to nothing the audit covers stays out of sight."""
    pinned = PinnedVersion.objects.filter(audit=audit).values("version")
    # The built-in HDS framework as a subquery: one query for the whole set.
    hds = Framework.objects.filter(organisation__isnull=True, code=HDS_CODE).order_by("-version")
    linked = EvidenceVersion.objects.filter(
        item__requirements__framework=Subquery(hds.values("pk")[:1])
    ).values("pk")
    return (
        EvidenceVersion.objects.filter(item__organisation=audit.cycle.organisation)
        .filter(Q(pk__in=pinned) | Q(pk__in=linked))
        .select_related("item__organisation")
        .order_by("item__title", "-number")
    )


def version_get_for_auditor(*, audit: Audit, pk: int) -> EvidenceVersion:
    """A version the auditor of `audit` may open (evidence_versions_for_auditor); anything else
    is a 404."""
    version = evidence_versions_for_auditor(audit=audit).filter(pk=pk).first()
    if version is None:
        raise Http404
    return version


def finding_get_in_audit(*, audit: Audit, pk: int) -> Finding:
    finding = Finding.objects.select_related("audit").filter(audit=audit, pk=pk).first()
    if finding is None:
        raise Http404
    return finding


# How many newer versions an answer may choose from: the newest ones (the answer is almost always
# the version just uploaded), so a review's form stays one screen whatever the item's history.
ANSWER_VERSION_CHOICES = 10


def reviews_awaiting_answer(*, audit: Audit) -> QuerySet[EvidenceReview]:
    """The reviews of an audit asking for a revision not answered yet, the oldest first."""
    return (
        EvidenceReview.objects.filter(
            audit=audit, decision__in=NEEDS_ANSWER, answered_with__isnull=True
        )
        .select_related("pinned__version__item", "pinned__requirement")
        .order_by("reviewed_at", "pk")
    )


def answer_versions_of(
    reviews: Sequence[EvidenceReview],
) -> list[tuple[EvidenceReview, list[EvidenceVersion]]]:
    """Each review with the newer versions of the reviewed item (uploaded after the review)
    that may answer it, the newest first and at most ANSWER_VERSION_CHOICES: one query for the
    whole page of reviews."""
    if not reviews:
        return []
    newer: dict[int, list[EvidenceVersion]] = {}
    candidates = Q()
    for review in reviews:
        candidates |= Q(
            item_id=review.pinned.version.item_id,
            number__gt=review.pinned.version.number,
            uploaded_at__gt=review.reviewed_at,
        )
    ranked = (
        EvidenceVersion.objects.filter(candidates)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("item_id")], order_by=F("number").desc())
        )
        .filter(rank__lte=ANSWER_VERSION_CHOICES)
        .order_by("item_id", "-number")
    )
    for version in ranked:
        newer.setdefault(version.item_id, []).append(version)
    return [
        (
            review,
            [
                version
                for version in newer.get(review.pinned.version.item_id, [])
                if version.number > review.pinned.version.number
                and version.uploaded_at > review.reviewed_at
            ][:ANSWER_VERSION_CHOICES],
        )
        for review in reviews
    ]


def reviews_to_answer_of(*, organisation: Organisation) -> QuerySet[EvidenceReview]:
    """The reviews of the organisation's audits that ask for a revision or reject evidence and
    are not answered yet, the oldest first (the "needs a response" list of the home)."""
    return (
        EvidenceReview.objects.filter(
            audit__cycle__organisation=organisation,
            decision__in=NEEDS_ANSWER,
            answered_with__isnull=True,
        )
        .select_related("pinned__requirement", "pinned__version__item")
        .order_by("reviewed_at", "pk")
    )


def reviews_of_item(*, item: EvidenceItem, limit: int) -> list[EvidenceReview]:
    """The auditor's latest decisions on the versions of one evidence item."""
    return list(
        EvidenceReview.objects.filter(pinned__version__item=item)
        .select_related("pinned__requirement", "pinned__version", "answered_with", "audit")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


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
