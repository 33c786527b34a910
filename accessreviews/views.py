"""The access review pages: officers open, decide and close campaigns and set the interval;
managers read them (they follow progress); anybody else gets 404."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from accessreviews import rules, services
from accessreviews.forms import CampaignOpenForm, ItemDecideForm, ReviewPolicyForm
from accessreviews.models import Campaign
from accessreviews.selectors import (
    campaign_get,
    campaigns_of,
    interval_months_of,
    item_get,
    items_of,
    last_campaign_opened_on,
    open_campaign_of,
    own_membership_pk,
)
from accessreviews.services import AccessReviewError
from audits import deadlines
from hdsready import roles
from hdsready.http import AuthedHttpRequest, query_pk
from hdsready.models import Organisation
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can

# Officers review; managers follow progress and print dossiers, so they read the reviews too.
REVIEW = roles.MANAGE
READ = roles.PRINT_DOSSIER
CAMPAIGNS_PAGE_SIZE = 20
LINES_PAGE_SIZE = 50
DEFAULT_CAMPAIGN_DAYS = 30

verified = otp_required(login_url="hdsready:login")


def _reader(request: AuthedHttpRequest, slug: str) -> Organisation:
    return organisation_get_for_user(user=request.user, slug=slug, perm=READ)


def _reviewer(request: AuthedHttpRequest, slug: str) -> Organisation:
    return organisation_get_for_user(user=request.user, slug=slug, perm=REVIEW)


@require_GET
@verified
def campaign_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = _reader(request, slug)
    interval = interval_months_of(organisation=organisation)
    today = deadlines.paris_date(now=timezone.now())
    next_due = rules.next_review_due(
        last_opened_on=last_campaign_opened_on(organisation=organisation),
        since=deadlines.paris_date(now=organisation.created_at),
        interval_months=interval,
    )
    open_campaign = open_campaign_of(organisation=organisation)
    return render(
        request,
        "accessreviews/campaign_list.html",
        {
            "organisation": organisation,
            "paged": numbered_page(
                campaigns_of(organisation=organisation), request=request, size=CAMPAIGNS_PAGE_SIZE
            ),
            "interval": rules.Interval(interval).label,
            "next_due": next_due,
            "review_overdue": open_campaign is None
            and rules.review_overdue(due_on=next_due, today=today),
            "open_campaign": open_campaign,
            "today": today,
            "can_review": user_can(user=request.user, organisation=organisation, perm=REVIEW),
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def campaign_open(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = _reviewer(request, slug)
    today = deadlines.paris_date(now=timezone.now())
    open_campaign = open_campaign_of(organisation=organisation)
    if open_campaign is not None:
        messages.info(request, _("An access review is already open: close it first."))
        return redirect("accessreviews:campaign-detail", slug=slug, pk=open_campaign.pk)
    form = CampaignOpenForm(
        request.POST or None, initial={"due_on": today + timedelta(days=DEFAULT_CAMPAIGN_DAYS)}
    )
    if request.method == "POST" and form.is_valid():
        due_on = form.cleaned_data["due_on"]
        if error := services.campaign_due_error(due_on=due_on, today=today):
            form.add_error("due_on", error)
        else:
            try:
                campaign = services.campaign_open(
                    organisation=organisation, due_on=due_on, actor=request.user
                )
            except AccessReviewError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Access review opened."))
                return redirect("accessreviews:campaign-detail", slug=slug, pk=campaign.pk)
    return render(
        request,
        "accessreviews/campaign_open.html",
        {"organisation": organisation, "form": form},
    )


@require_http_methods(["GET", "POST"])
@verified
def policy_edit(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = _reviewer(request, slug)
    form = ReviewPolicyForm(
        request.POST or None,
        initial={"interval_months": interval_months_of(organisation=organisation)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_policy_set(
                organisation=organisation,
                interval_months=form.cleaned_data["interval_months"],
                actor=request.user,
            )
        except AccessReviewError as exc:
            form.add_error("interval_months", str(exc))
        else:
            messages.success(request, _("Review interval saved."))
            return redirect("accessreviews:campaign-list", slug=slug)
    return render(
        request,
        "accessreviews/policy_form.html",
        {"organisation": organisation, "form": form},
    )


def _lines_query(request: AuthedHttpRequest) -> QueryDict:
    """The campaign page's own parameters (its page of lines, its filter), nothing else: the
    decide forms post to an address that keeps them, to come back to the same lines."""
    query = QueryDict(mutable=True)
    if (number := query_pk(request.GET.get("page"))) is not None:
        query["page"] = str(number)
    if request.GET.get("flagged") == "1":
        query["flagged"] = "1"
    return query


def _campaign_page(
    request: AuthedHttpRequest,
    organisation: Organisation,
    campaign: Campaign,
    *,
    refused: tuple[int, ItemDecideForm, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    flagged_only = _lines_query(request).get("flagged") == "1"
    can_decide = campaign.is_open and user_can(
        user=request.user, organisation=organisation, perm=REVIEW
    )
    paged = numbered_page(
        items_of(campaign=campaign, flagged_only=flagged_only),
        request=request,
        size=LINES_PAGE_SIZE,
    )
    return render(
        request,
        "accessreviews/campaign_detail.html",
        {
            "organisation": organisation,
            "campaign": campaign,
            "paged": paged,
            "flagged_only": flagged_only,
            "can_decide": can_decide,
            "own_membership_pk": (
                own_membership_pk(organisation=organisation, user_id=request.user.pk)
                if can_decide
                else None
            ),
            # campaigns_of annotates the count of lines still to decide.
            "can_close": can_decide and getattr(campaign, "undecided_count", 1) == 0,
            "overdue": campaign.is_overdue(today=deadlines.paris_date(now=timezone.now())),
            "lines_query": _lines_query(request).urlencode(),
            # The line whose decision was refused: its reason as typed, and why.
            "refused_pk": refused[0] if refused else None,
            "refused_reason": refused[1].data.get("reason", "") if refused else "",
            "refused_error": refused[2] if refused else "",
        },
        status=status,
    )


@require_GET
@verified
def campaign_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _reader(request, slug)
    return _campaign_page(request, organisation, campaign_get(organisation=organisation, pk=pk))


def _back_to_line(request: AuthedHttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    url = reverse("accessreviews:campaign-detail", args=[slug, pk])
    query = _lines_query(request).urlencode()
    return redirect(f"{url}?{query}#line-{item_pk}" if query else f"{url}#line-{item_pk}")


@require_POST
@verified
def item_decide(request: AuthedHttpRequest, slug: str, pk: int, item_pk: int) -> HttpResponse:
    organisation = _reviewer(request, slug)
    campaign = campaign_get(organisation=organisation, pk=pk)
    item = item_get(campaign=campaign, pk=item_pk)
    form = ItemDecideForm(request.POST)
    if form.is_valid():
        try:
            services.item_decide(
                item=item,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except AccessReviewError as exc:
            error = str(exc)
            item.refresh_from_db()
            campaign.refresh_from_db()
            if item.is_decided or not campaign.is_open:
                # Decided meanwhile (a second tab, a double click): no form to show it beside.
                messages.error(request, error)
                return _back_to_line(request, slug, pk, item.pk)
        else:
            messages.success(request, _("%(who)s: decision recorded.") % {"who": item.label})
            return _back_to_line(request, slug, pk, item.pk)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    # Refused: the page again, the reason as typed and why beside the line.
    return _campaign_page(request, organisation, campaign, refused=(item.pk, form, error))


@require_POST
@verified
def campaign_close(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _reviewer(request, slug)
    campaign = campaign_get(organisation=organisation, pk=pk)
    try:
        services.campaign_close(campaign=campaign, actor=request.user)
    except AccessReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Access review closed: its PDF and XLSX exports are kept as evidence.")
        )
    return redirect("accessreviews:campaign-detail", slug=slug, pk=pk)
