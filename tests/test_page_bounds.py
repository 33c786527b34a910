"""Every key page costs one screen, not the data: on a small dataset and on the same grown ten
times (evidence items with a version each, findings on the audits, evidence reviews, audit-trail
rows, versions of one item), each page runs the same number of queries and answers the same bytes.

The small dataset already fills every bounded list of every page (a page of evidence, of
findings, of the trail, the versions shown per requirement), and the rows added to grow it sort
after the ones shown, so both datasets show the same rows. What may still differ is the digits of
ids, counts, dates and hashes: "page 1 of 2" becomes "page 1 of 11", an id 980 becomes 1004. So
each response is compared once every run of letters and digits holding a digit (an id, a count, a
date, a hash, a CSRF token) is written as one character: those must be equal to the byte; and the
raw sizes may differ by at most RAW_SLACK bytes, what a digit more in each id of one screen adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accessreviews.models import Campaign, CampaignItem, SubjectKind
from accessreviews.services import campaign_open
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    CarryOverCheck,
    CarryOverOutcome,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from audits.services.cycle import audit_schedule_stage2
from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audit's people)
from tests.audits.workflow_helpers import Cast, audit_in, invite, requirement
from tests.conftest import verified_client_for
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)

pytestmark = pytest.mark.django_db

# The small dataset; the large one is ten times each.
ITEMS = 60  # more than a page of the evidence list (50)
FINDINGS = 60  # more than a page of findings (20), and of the API's actions (50)
REVIEWS = 60  # more than a page of the API's reviews (50)
TRAIL_ROWS = 60  # more than a page of the trail (50)
ITEM_VERSIONS = 60  # more than a page of the API's versions (50)
DELTA_ROWS = 30  # more than a page of the delta (25)
REVIEW_LINES = 60  # more than a page of an access review's lines (50)
REVIEW_CAMPAIGNS = 30  # more than a page of access reviews (20)
# Growth items are linked to these requirements of the first HDS chapter, so the review pages
# show a full set of versions for them in both datasets.
LINKED = ("EXI 05", "EXI 06")
RAW_SLACK = 600


@dataclass
class World:
    cast: Cast
    corrections: Audit  # the officer answers findings: a correction form on each
    review: Audit  # the auditor reviews evidence and raises findings
    item: EvidenceItem  # the item whose own versions grow
    # its delta since the initial decision grows; the initial audit's observations carried
    # over to it, checked
    surveillance: Audit
    access_review: Campaign  # the open access review whose lines grow


def _items(organisation: Organisation, user: User, start: int, count: int) -> None:
    """`count` active evidence items with one version each, linked to LINKED, in bulk."""
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(
            organisation=organisation,
            title=f"Evidence {n:05d}",
            description="Generated for the page bounds",
            owner=user,
            created_by=user,
        )
        for n in range(start, start + count)
    )
    links = EvidenceItem.requirements.through
    linked = [requirement(ref) for ref in LINKED]
    links.objects.bulk_create(
        links(evidenceitem=item, requirement=req) for item in items for req in linked
    )
    EvidenceVersion.objects.bulk_create(_version(item, 1, user) for item in items)


def _version(item: EvidenceItem, number: int, user: User) -> EvidenceVersion:
    return EvidenceVersion(
        item=item,
        number=number,
        file=f"evidence/generated/{item.pk}-{number}.pdf",
        original_name=f"generated-{number:05d}.pdf",
        size=1000,
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=user,
    )


def _findings(audit: Audit, people: Cast, start: int, count: int) -> None:
    later = timezone.now() + timedelta(minutes=1)
    cited = requirement("EXI 10")
    Finding.objects.bulk_create(
        Finding(
            audit=audit,
            kind=FindingKind.MINOR if n % 3 else FindingKind.OBSERVATION,
            requirement=cited,
            description=f"Generated finding {n:05d}",
            raised_by=people.auditor,
            raised_at=later + timedelta(seconds=n),
            status=FindingStatus.OPEN,
        )
        for n in range(start, start + count)
    )


def _carried(world: World, start: int, count: int) -> None:
    """Observations of the decided initial audit whose plans run past it, each kept open once
    at the surveillance audit: they carry over, with their history."""
    initial = Audit.objects.filter(cycle=world.surveillance.cycle, kind="initial").get()
    later = timezone.now() + timedelta(minutes=1)
    carried = Finding.objects.bulk_create(
        Finding(
            audit=initial,
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 10"),
            description=f"Generated observation {n:05d}",
            raised_by=world.cast.auditor,
            raised_at=later + timedelta(seconds=n),
            status=FindingStatus.NOTED,
            action_plan="Generated plan",
            action_plan_due_on=timezone.localdate() + timedelta(days=90),
        )
        for n in range(start, start + count)
    )
    CarryOverCheck.objects.bulk_create(
        CarryOverCheck(
            finding=finding,
            audit=world.surveillance,
            outcome=CarryOverOutcome.KEPT_OPEN,
            comment="Generated check",
            checked_by=world.cast.auditor,
        )
        for finding in carried
    )


def _reviews(audit: Audit, people: Cast, start: int, count: int) -> None:
    versions = list(
        EvidenceVersion.objects.filter(item__title__startswith="Evidence ").order_by("item__title")[
            start : start + count
        ]
    )
    reviewed = requirement(LINKED[0])
    pins = PinnedVersion.objects.bulk_create(
        PinnedVersion(audit=audit, stage=Stage.DOCUMENTARY, requirement=reviewed, version=v)
        for v in versions
    )
    # Every other one asks for a revision: the host's page of reviews to answer fills too.
    EvidenceReview.objects.bulk_create(
        EvidenceReview(
            audit=audit,
            pinned=pin,
            decision=ReviewDecision.NEEDS_REVISION if n % 2 else ReviewDecision.ACCEPTED,
            comment="Generated review",
            reviewer=people.auditor,
        )
        for n, pin in enumerate(pins, start=start)
    )


def _trail(organisation: Organisation, user: User, count: int) -> None:
    for n in range(count):
        trail_record(kind="test.bounds", actor=user, organisation=organisation, data={"n": n})


def _delta_rows(organisation: Organisation, user: User, count: int) -> None:
    """SoA changes after the decision: rows of the surveillance audit's delta."""
    for n in range(count):
        trail_record(
            kind="soa.updated",
            actor=user,
            organisation=organisation,
            data={"control": "A.5.1", "changes": {"notes": [f"{n}", f"{n + 1}"]}},
        )


def _access_reviews(campaign: Campaign, user: User, factor: int) -> None:
    """Lines that sort after the campaign's own (unflagged members named "zz…"), and closed
    campaigns opened long before it."""
    start = campaign.items.filter(label__startswith="zz").count()
    CampaignItem.objects.bulk_create(
        CampaignItem(
            campaign=campaign,
            subject_kind=SubjectKind.MEMBERSHIP,
            subject_id=10_000_000 + n,
            label=f"zz-{n:05d}@example.org",
            detail="Contributor",
        )
        for n in range(start, start + REVIEW_LINES * factor)
    )
    done = Campaign.objects.filter(organisation=campaign.organisation, closed_at__isnull=False)
    first = done.count()
    long_ago = campaign.opened_at - timedelta(days=1000)
    Campaign.objects.bulk_create(
        Campaign(
            organisation=campaign.organisation,
            period_start=(long_ago - timedelta(days=n + 1)).date(),
            period_end=(long_ago - timedelta(days=n)).date(),
            opened_by=user,
            opened_at=long_ago - timedelta(days=n),
            due_on=(long_ago - timedelta(days=n)).date(),
            closed_by=user,
            closed_at=long_ago - timedelta(days=n),
        )
        for n in range(first, first + REVIEW_CAMPAIGNS * factor)
    )


def _grow(world: World, factor: int) -> None:
    """Add `factor` times the small dataset (1: the small one; 9 more: ten times it)."""
    people = world.cast
    done = EvidenceItem.objects.filter(title__startswith="Evidence ").count()
    _items(people.organisation, people.officer, done, ITEMS * factor)
    for audit in (world.corrections, world.review):
        start = Finding.objects.filter(audit=audit, description__startswith="Generated").count()
        _findings(audit, people, start, FINDINGS * factor)
    _carried(
        world,
        Finding.objects.filter(description__startswith="Generated obs").count(),
        FINDINGS * factor,
    )
    reviewed = EvidenceReview.objects.filter(audit=world.review).count()
    _reviews(world.review, people, reviewed, REVIEWS * factor)
    # Before the trail's rows: the trail page shows the newest, the same in both datasets.
    _delta_rows(people.organisation, people.officer, DELTA_ROWS * factor)
    _trail(people.organisation, people.officer, TRAIL_ROWS * factor)
    _access_reviews(world.access_review, people.officer, factor)
    number = world.item.versions.count()
    EvidenceVersion.objects.bulk_create(
        _version(world.item, number + n + 1, people.officer) for n in range(ITEM_VERSIONS * factor)
    )


@pytest.fixture
def world(cast: Cast) -> World:  # noqa: F811 (the fixture imported above)
    corrections = audit_in(AuditStatus.CORRECTIONS, cast)
    review = audit_in(AuditStatus.STAGE2_PLANNED, cast)
    # The growing item's first version sent back for a revision before its newer versions: the
    # answer's choice of version stays one screen whatever the item's history.
    EvidenceReview.objects.create(
        audit=review,
        pinned=PinnedVersion.objects.create(
            audit=review,
            stage=Stage.DOCUMENTARY,
            requirement=requirement("EXI 10"),
            version=cast.version,
        ),
        decision=ReviewDecision.NEEDS_REVISION,
        comment="Send the signed copy",
        reviewer=cast.auditor,
        reviewed_at=timezone.now() - timedelta(days=1),
    )
    decided = audit_in(AuditStatus.DECIDED, cast)
    surveillance = Audit.objects.filter(cycle=decided.cycle, kind=AuditKind.SURVEILLANCE).first()
    assert surveillance is not None
    today = timezone.localdate()
    audit_schedule_stage2(
        audit=surveillance, start=today, end=today, sites="Paris", actor=cast.officer
    )
    invite(surveillance, cast.officer, cast.auditor)
    access_review = campaign_open(
        organisation=cast.organisation,
        due_on=timezone.localdate() + timedelta(days=30),
        actor=cast.officer,
    )
    return World(
        cast=cast,
        corrections=corrections,
        review=review,
        item=cast.version.item,
        surveillance=surveillance,
        access_review=access_review,
    )


def _pages(world: World) -> dict[str, tuple[User, str]]:
    """Every key page: who reads it, and where."""
    people = world.cast
    slug = people.organisation.slug
    o = people.officer
    a = people.auditor
    return {
        "officer home": (o, reverse("hdsready:organisation-home", args=[slug])),
        "home progress": (o, reverse("audits:home-progress", args=[slug])),
        "home certification": (o, reverse("audits:home-certification", args=[slug])),
        "home my work": (o, reverse("audits:home-my-work", args=[slug])),
        "evidence to review": (o, reverse("evidence:review-due", args=[slug])),
        "readiness HDS": (o, reverse("scopes:readiness-list", args=[slug, "hds"])),
        "readiness ISO": (o, reverse("scopes:readiness-list", args=[slug, "iso27001"])),
        "ISO prerequisite": (o, reverse("scopes:iso-view", args=[slug])),
        "evidence list": (o, reverse("evidence:item-list", args=[slug])),
        "evidence item": (o, reverse("evidence:item-detail", args=[slug, world.item.pk])),
        "audit page (officer)": (
            o,
            reverse("audits:audit-detail", args=[slug, world.corrections.pk]),
        ),
        "audit page (contributor)": (
            people.contributor,
            reverse("audits:audit-detail", args=[slug, world.corrections.pk]),
        ),
        "audit page (auditor)": (a, reverse("audits:auditor-audit", args=[world.review.pk])),
        "carried over (officer)": (
            o,
            reverse("audits:audit-detail", args=[slug, world.surveillance.pk]),
        ),
        "carried over (auditor)": (
            a,
            reverse("audits:auditor-audit", args=[world.surveillance.pk]),
        ),
        "review page": (a, reverse("audits:auditor-review", args=[world.review.pk])),
        "reviews to answer": (o, reverse("audits:audit-reviews", args=[slug, world.review.pk])),
        "trail": (o, reverse("hdsready:trail-list", args=[slug])),
        "delta": (o, reverse("audits:audit-delta", args=[slug, world.surveillance.pk])),
        "single sign-on settings": (o, reverse("hdsready:identity-provider-edit", args=[slug])),
        "chain": (o, reverse("scopes:chain-view", args=[slug])),
        "SoA": (o, reverse("scopes:soa-list", args=[slug])),
        "access reviews": (o, reverse("accessreviews:campaign-list", args=[slug])),
        "access review": (
            o,
            reverse("accessreviews:campaign-detail", args=[slug, world.access_review.pk]),
        ),
        "API evidence": (o, f"/api/o/{slug}/evidence/"),
        "API evidence versions": (o, f"/api/o/{slug}/evidence/{world.item.pk}/versions/"),
        "API findings": (o, f"/api/o/{slug}/findings/"),
        "API audits": (o, f"/api/o/{slug}/audits/"),
        "API audit actions": (o, f"/api/o/{slug}/audits/{world.corrections.pk}/actions/"),
        "API reviews": (o, f"/api/o/{slug}/audits/{world.review.pk}/reviews/"),
        "API auditor actions": (a, f"/api/auditor/audits/{world.review.pk}/actions/"),
    }


# A CSRF token, a hash, an id, a count, a date: any run of letters and digits holding a digit.
_DIGITS = re.compile(rb"[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*")


def _shape(content: bytes) -> bytes:
    return _DIGITS.sub(b"0", content)


@dataclass(frozen=True)
class Measure:
    queries: int
    size: int
    shape: bytes


def _measure(clients: dict[int, Client], user: User, url: str) -> Measure:
    client = clients.setdefault(user.pk, verified_client_for(user))
    client.get(url)  # the first request fills per-process caches (content types, catalogs)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return Measure(len(queries.captured_queries), len(response.content), _shape(response.content))


def test_every_key_page_costs_one_screen_whatever_the_data(world: World) -> None:
    _grow(world, 1)
    clients: dict[int, Client] = {}
    pages = _pages(world)
    small = {name: _measure(clients, *where) for name, where in pages.items()}
    items = EvidenceItem.objects.filter(title__startswith="Evidence ")
    generated = Finding.objects.filter(audit=world.corrections, description__startswith="Gen")
    assert (items.count(), generated.count()) == (ITEMS, FINDINGS)
    _grow(world, 9)
    # The measure is only as good as the growth: ten times the rows.
    assert (items.count(), generated.count()) == (10 * ITEMS, 10 * FINDINGS)
    assert world.item.versions.count() == 1 + 10 * ITEM_VERSIONS
    assert world.surveillance.carryover_checks.count() == 10 * FINDINGS
    large = {name: _measure(clients, *where) for name, where in pages.items()}
    report = [
        f"{name}: {small[name].queries} -> {large[name].queries} queries, "
        f"{small[name].size} -> {large[name].size} bytes"
        for name in pages
        if small[name].queries != large[name].queries
        or small[name].shape != large[name].shape
        or abs(small[name].size - large[name].size) > RAW_SLACK
    ]
    assert not report, "pages that grow with the data:\n" + "\n".join(report)
