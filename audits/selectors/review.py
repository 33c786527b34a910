"""Reads of the invited auditor's pages, each bounded by one screen whatever the evidence: the
HDS requirements grouped by chapter, a few items or versions per requirement with how many
there are, and one requirement's whole list a page at a time. Counts and rows come from the
database in a fixed number of queries (window functions), never by reading every version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber

from audits.models import Audit, EvidenceReview, PinnedVersion, Stage
from audits.selectors import review_stage1_frozen
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from scopes.models import Requirement
from scopes.selectors import HDS_CODE, builtin_framework, framework_nodes

# What one requirement shows on a chapter's page before "all N ...".
VERSIONS_SHOWN = 5
REVIEWS_SHOWN = 3
ITEMS_SHOWN = 5


@dataclass(frozen=True)
class Chapter:
    node: Requirement
    requirements: list[Requirement]


def hds_chapters() -> list[Chapter]:
    """The assessable HDS requirements grouped under their top-level chapter, in order."""
    nodes = framework_nodes(framework=builtin_framework(code=HDS_CODE))
    by_pk = {node.pk: node for node in nodes}
    chapters: dict[int, Chapter] = {}
    for node in nodes:
        if not node.assessable:
            continue
        top = node
        while top.parent_id is not None and top.parent_id in by_pk:
            top = by_pk[top.parent_id]
        chapters.setdefault(top.pk, Chapter(top, [])).requirements.append(node)
    return list(chapters.values())


def _latest_version() -> Any:
    newer = EvidenceVersion.objects.filter(item=OuterRef("item"), number__gt=OuterRef("number"))
    return ~Exists(newer)


def _review_targets(*, audit: Audit) -> QuerySet[Any]:
    """The (requirement, version) pairs the auditor reviews, each row with `requirement_key`,
    `title_key` and `number_key`: the stage 1 set pinned at submission while it is frozen
    (PinnedVersion rows), otherwise the current version of every active item linked to a
    requirement (EvidenceVersion rows, one per linked requirement)."""
    if review_stage1_frozen(audit=audit):
        return (
            PinnedVersion.objects.filter(audit=audit, stage=Stage.DOCUMENTARY)
            .select_related("version__item")
            .annotate(
                requirement_key=F("requirement_id"),
                title_key=F("version__item__title"),
                number_key=F("version__number"),
            )
        )
    return (
        EvidenceVersion.objects.filter(
            item__organisation=audit.cycle.organisation, item__status=EvidenceStatus.ACTIVE
        )
        .filter(_latest_version())
        .select_related("item")
        .annotate(
            requirement_key=F("item__requirements"),
            title_key=F("item__title"),
            number_key=F("number"),
        )
    )


def version_of(row: Any) -> EvidenceVersion:
    """The version a review target (_review_targets) stands for."""
    return row.version if isinstance(row, PinnedVersion) else row


def _counts(rows: QuerySet[Any], key: str) -> dict[int, int]:
    return dict(rows.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


@dataclass(frozen=True)
class ReviewRow:
    requirement: Requirement
    versions: list[EvidenceVersion]
    version_count: int
    reviews: list[EvidenceReview]
    review_count: int


def review_counts(*, audit: Audit) -> dict[int, int]:
    """How many versions each requirement has to review (one query): the chapters' figures."""
    return _counts(_review_targets(audit=audit), "requirement_key")


def review_rows(
    *, audit: Audit, requirements: list[Requirement], version_counts: dict[int, int]
) -> list[ReviewRow]:
    """Per requirement: its first VERSIONS_SHOWN versions to review, its latest REVIEWS_SHOWN
    reviews, and how many of each there are (`version_counts`: review_counts). Three queries
    for any number of versions."""
    ids = [requirement.pk for requirement in requirements]
    targets = _review_targets(audit=audit).filter(requirement_key__in=ids)
    shown: dict[int, list[EvidenceVersion]] = {}
    for row in (
        targets.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("requirement_key")],
                order_by=[F("title_key").asc(), F("number_key").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=VERSIONS_SHOWN)
        .order_by("requirement_key", "rank")
    ):
        shown.setdefault(row.requirement_key, []).append(version_of(row))
    reviews = EvidenceReview.objects.filter(audit=audit, pinned__requirement_id__in=ids)
    latest: dict[int, list[EvidenceReview]] = {}
    for review in (
        reviews.select_related("pinned__version__item", "answered_with")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("pinned__requirement_id")],
                order_by=[F("reviewed_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=REVIEWS_SHOWN)
        .order_by("pinned__requirement_id", "rank")
    ):
        latest.setdefault(review.pinned.requirement_id, []).append(review)
    review_counts = _counts(reviews, "pinned__requirement_id")
    return [
        ReviewRow(
            requirement=requirement,
            versions=shown.get(requirement.pk, []),
            version_count=version_counts.get(requirement.pk, 0),
            reviews=latest.get(requirement.pk, []),
            review_count=review_counts.get(requirement.pk, 0),
        )
        for requirement in requirements
    ]


def review_targets_of(*, audit: Audit, requirement: Requirement) -> QuerySet[Any]:
    """Every version to review for one requirement, in the page's order (for a paginator;
    version_of gives each row's version)."""
    return (
        _review_targets(audit=audit)
        .filter(requirement_key=requirement.pk)
        .order_by("title_key", "number_key", "pk")
    )


def reviews_of_requirement(
    *, audit: Audit, requirement: Requirement, versions: list[EvidenceVersion]
) -> list[EvidenceReview]:
    """The reviews of these versions (one page of a requirement) for the requirement."""
    return list(
        EvidenceReview.objects.filter(
            audit=audit, pinned__requirement=requirement, pinned__version__in=versions
        )
        .select_related("pinned__version__item", "answered_with")
        .order_by("-reviewed_at", "-pk")
    )


@dataclass(frozen=True)
class RequirementEvidence:
    requirement: Requirement
    evidence: list[tuple[EvidenceItem, EvidenceVersion | None]]
    count: int


def auditor_requirement_rows(*, audit: Audit) -> list[RequirementEvidence]:
    """The assessable HDS requirements, each with its first ITEMS_SHOWN active evidence items
    (by title) and their current version, and how many items it has: what the auditor's audit
    page shows. Three queries for any number of items."""
    requirements = [
        requirement for chapter in hds_chapters() for requirement in chapter.requirements
    ]
    links = EvidenceItem.requirements.through.objects.filter(
        evidenceitem__organisation=audit.cycle.organisation,
        evidenceitem__status=EvidenceStatus.ACTIVE,
        requirement__in=[requirement.pk for requirement in requirements],
    )
    by_requirement: dict[int, list[EvidenceItem]] = {}
    # django-stubs does not see the window's annotation on the link table.
    for link in (
        links.select_related("evidenceitem")  # type: ignore[misc]
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("requirement_id")],
                order_by=[F("evidenceitem__title").asc(), F("evidenceitem_id").asc()],
            )
        )
        .filter(rank__lte=ITEMS_SHOWN)
        .order_by("requirement_id", "rank")
    ):
        by_requirement.setdefault(link.requirement_id, []).append(link.evidenceitem)
    shown = {item.pk for items in by_requirement.values() for item in items}
    current = {
        version.item_id: version
        for version in EvidenceVersion.objects.filter(item__in=shown).filter(_latest_version())
    }
    counts = _counts(links, "requirement_id")
    return [
        RequirementEvidence(
            requirement=requirement,
            evidence=[
                (item, current.get(item.pk)) for item in by_requirement.get(requirement.pk, [])
            ],
            count=counts.get(requirement.pk, 0),
        )
        for requirement in requirements
    ]
