"""Permission-scoped reads of the access reviews. The organisation is checked by the core's
selectors; every campaign and line is looked up inside it, so an id from elsewhere is a 404.
Every read runs in a fixed number of queries, whatever the number of people and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404

from accessreviews.models import Campaign, CampaignItem, ReviewPolicy
from accessreviews.rules import DEFAULT_INTERVAL_MONTHS
from audits.models import AuditorAccess
from hdsready.models import ApiToken, Membership, Organisation


def interval_months_of(*, organisation: Organisation) -> int:
    policy = ReviewPolicy.objects.filter(organisation=organisation).first()
    return policy.interval_months if policy else DEFAULT_INTERVAL_MONTHS


def campaigns_of(*, organisation: Organisation) -> QuerySet[Campaign]:
    """Newest first, each with its number of lines and of lines still to decide."""
    return (
        Campaign.objects.filter(organisation=organisation)
        .select_related("opened_by", "closed_by")
        .annotate(
            item_count=Count("items"),
            undecided_count=Count("items", filter=Q(items__decision="")),
            flagged_count=Count("items", filter=Q(items__flagged=True)),
        )
        .order_by("-opened_at", "-pk")
    )


def campaign_get(*, organisation: Organisation, pk: int) -> Campaign:
    campaign = (
        campaigns_of(organisation=organisation)
        .select_related("pdf_version__item", "xlsx_version__item")
        .filter(pk=pk)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


def open_campaign_of(*, organisation: Organisation) -> Campaign | None:
    return Campaign.objects.filter(organisation=organisation, closed_at__isnull=True).first()


def last_campaign_opened_on(*, organisation: Organisation) -> date | None:
    last = (
        Campaign.objects.filter(organisation=organisation)
        .order_by("-opened_at")
        .values_list("period_end", flat=True)
        .first()
    )
    return last


def items_of(*, campaign: Campaign, flagged_only: bool = False) -> QuerySet[CampaignItem]:
    """Flagged lines first, then by kind and name."""
    items = CampaignItem.objects.filter(campaign=campaign).select_related("decided_by")
    if flagged_only:
        items = items.filter(flagged=True)
    return items.order_by("-flagged", "subject_kind", "label", "pk")


def own_membership_pk(*, organisation: Organisation, user_id: int) -> int | None:
    """The reviewer's own membership: its line is the one they may not revoke (services)."""
    return (
        Membership.objects.filter(organisation=organisation, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )


def item_get(*, campaign: Campaign, pk: int) -> CampaignItem:
    item = CampaignItem.objects.filter(campaign=campaign, pk=pk).select_related("campaign").first()
    if item is None:
        raise Http404
    return item


# What a campaign reviews, read when it opens ----------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    memberships: list[Membership]
    auditor_accesses: list[AuditorAccess]
    tokens: list[ApiToken]


def subjects_of(*, organisation: Organisation, since: datetime) -> Subjects:
    """Every access right to review: the members, the auditor accesses not revoked that were
    live at some point since `since` (the start of the period; an ended window is flagged, not
    dropped), and the API tokens not revoked of those members and auditors. Three queries."""
    memberships = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )
    accesses = list(
        AuditorAccess.objects.filter(
            audit__cycle__organisation=organisation,
            revoked_at__isnull=True,
            valid_until__gt=since,
        )
        .select_related("audit__cycle", "user")
        .order_by("email", "pk")
    )
    holders = {m.user_id for m in memberships} | {a.user_id for a in accesses if a.user_id}
    tokens = list(
        ApiToken.objects.filter(user_id__in=holders, revoked_at__isnull=True)
        .select_related("user")
        .order_by("user__email", "pk")
    )
    return Subjects(memberships=memberships, auditor_accesses=accesses, tokens=tokens)


def organisations_for_review_reminders() -> QuerySet[Organisation]:
    """Every organisation with what the reminder sweep needs, in one query: its policy, the day
    its last campaign opened, and the due date and id of its open campaign (at most one)."""
    still_open = Q(access_review_campaigns__closed_at__isnull=True)
    return (
        Organisation.objects.select_related("access_review_policy")
        .annotate(
            last_opened_on=Max("access_review_campaigns__period_end"),
            open_due_on=Min("access_review_campaigns__due_on", filter=still_open),
            open_pk=Min("access_review_campaigns__pk", filter=still_open),
        )
        .order_by("pk")
    )
