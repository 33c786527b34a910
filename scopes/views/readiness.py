"""Readiness per framework and chapter: filters, bulk edit, scores drawn as an SVG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, trail_events_for_object, user_can
from scopes.forms import BulkReadinessForm, ReadinessFilterForm, ReadinessForm
from scopes.models import Framework, ReadinessEntry, ReadinessStatus, Requirement
from scopes.readiness import Score, readiness_score
from scopes.readiness_figures import ComputedFigure, readiness_figures_of
from scopes.selectors import (
    HDS_CODE,
    members_of,
    readiness_framework,
    readiness_rows,
    requirement_get,
)
from scopes.services import ScopeError
from scopes.services.assessment import readiness_bulk_update, readiness_update

verified = otp_required(login_url="hdsready:login")


@dataclass(frozen=True)
class ChapterScore:
    node: Requirement | None
    score: Score


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int
    y: int
    width: int


BAR_HEIGHT = 26
BAR_SCALE = 4  # pixels per percent: a full bar is 400 px wide


def chart_bars(overall: Score, chapters: list[ChapterScore], overall_label: str) -> list[Bar]:
    """Geometry of the score chart (an inline SVG drawn by the template)."""
    labelled = [(overall_label, overall)] + [
        (c.node.name[:46] if c.node else "—", c.score) for c in chapters
    ]
    return [
        Bar(label, score.percent, index * BAR_HEIGHT, score.percent * BAR_SCALE)
        for index, (label, score) in enumerate(labelled)
    ]


def _figures(
    organisation: Organisation, framework: Framework, today: date
) -> dict[str, list[ComputedFigure]]:
    """The figures the registers compute for the built-in HDS requirements (EXI 11, 17-27...),
    shown beside the manual status, never instead of it."""
    if framework.code != HDS_CODE or framework.organisation_id is not None:
        return {}
    return readiness_figures_of(organisation=organisation, on=today)


def _status_of(entry: ReadinessEntry | None) -> str:
    return entry.status if entry else ReadinessStatus.NOT_ASSESSED


@require_GET
@verified
def readiness_list(request: AuthedHttpRequest, slug: str, code: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    framework = readiness_framework(organisation=organisation, code=code)
    return _readiness_page(
        request, organisation=organisation, framework=framework, query=request.GET
    )


def _readiness_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    framework: Framework,
    query: QueryDict,
    bulk_form: BulkReadinessForm | None = None,
) -> HttpResponse:
    """The readiness list filtered by `query`; a bulk change sent back with errors shows with
    its selection, its input and its errors."""
    rows = readiness_rows(organisation=organisation, framework=framework)
    today = timezone.localdate()

    chapters: dict[int | None, list[str]] = {}
    nodes: dict[int | None, Requirement | None] = {}
    for requirement, entry, applies in rows:
        nodes[requirement.parent_id] = requirement.parent
        if applies:
            chapters.setdefault(requirement.parent_id, []).append(_status_of(entry))
    chapter_scores = [
        ChapterScore(nodes[key], readiness_score(statuses)) for key, statuses in chapters.items()
    ]
    overall = readiness_score(_status_of(entry) for _requirement, entry, applies in rows if applies)

    form = ReadinessFilterForm(query or None)
    filters = form.cleaned_data if form.is_valid() else {}
    figures = _figures(organisation, framework, today)
    shown = []
    for requirement, entry, applies in rows:
        if filters.get("chapter") and str(requirement.parent_id) != filters["chapter"]:
            continue
        if filters.get("status") and _status_of(entry) != filters["status"]:
            continue
        owner = filters.get("owner")
        if owner == "none" and entry and entry.owner_id:
            continue
        if owner and owner != "none" and (not entry or str(entry.owner_id) != owner):
            continue
        if filters.get("overdue") and not (entry and entry.is_overdue(today=today)):
            continue
        shown.append(
            (
                requirement,
                entry,
                applies,
                entry.is_overdue(today=today) if entry else False,
                figures.get(requirement.ref_id, []),
            )
        )
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    return render(
        request,
        "scopes/readiness_list.html",
        {
            "organisation": organisation,
            "framework": framework,
            "rows": shown,
            "total": len(rows),
            "chapter_scores": chapter_scores,
            "overall": overall,
            "bars": chart_bars(overall, chapter_scores, _("Overall")),
            "chart_height": (len(chapter_scores) + 1) * BAR_HEIGHT,
            "chapters": [node for node in nodes.values() if node is not None],
            "members": members_of(organisation=organisation),
            "form": form,
            "can_edit": can_edit,
            "bulk_form": (
                bulk_form
                or BulkReadinessForm(
                    organisation=organisation, framework=framework, auto_id="bulk_%s"
                )
                if can_edit
                else None
            ),
            "selected": request.POST.getlist("requirements") if bulk_form else [],
            "back": query.urlencode(),
        },
    )


@require_POST
@verified
def readiness_bulk(request: AuthedHttpRequest, slug: str, code: str) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    framework = readiness_framework(organisation=organisation, code=code)
    form = BulkReadinessForm(
        request.POST, organisation=organisation, framework=framework, auto_id="bulk_%s"
    )
    back = request.POST.get("back", "")
    if form.is_valid():
        try:
            entries = readiness_bulk_update(
                organisation=organisation,
                requirements=list(form.cleaned_data["requirements"]),
                data=form.to_data(),
                keep=form.kept_fields(),
                actor=request.user,
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s requirement updated.",
                    "%(count)s requirements updated.",
                    len(entries),
                )
                % {"count": len(entries)},
            )
            url = reverse("scopes:readiness-list", args=[slug, code])
            return redirect(f"{url}?{back}" if back else url)
    return _readiness_page(
        request,
        organisation=organisation,
        framework=framework,
        query=QueryDict(back),
        bulk_form=form,
    )


@require_http_methods(["GET", "POST"])
@verified
def readiness_edit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    requirement = requirement_get(organisation=organisation, pk=pk)
    if not requirement.assessable:
        raise Http404
    entry = ReadinessEntry.objects.filter(
        organisation=organisation, requirement=requirement
    ).first()
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    if request.method == "POST" and not can_edit:
        raise Http404
    initial = (
        {
            "status": entry.status,
            "owner": entry.owner_id,
            "target_date": entry.target_date,
            "justification": entry.justification,
            "notes": entry.notes,
        }
        if entry
        else {"status": ReadinessStatus.NOT_ASSESSED}
    )
    form = ReadinessForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            readiness_update(
                organisation=organisation,
                requirement=requirement,
                data=form.to_data(),
                actor=request.user,
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Readiness saved."))
            return redirect("scopes:readiness-list", slug=slug, code=requirement.framework.code)
    history = trail_events_for_object(organisation=organisation, target=entry) if entry else []
    return render(
        request,
        "scopes/readiness_edit.html",
        {
            "organisation": organisation,
            "requirement": requirement,
            "entry": entry,
            "form": form,
            "can_edit": can_edit,
            "history": history,
            "figures": _figures(organisation, requirement.framework, timezone.localdate()).get(
                requirement.ref_id, []
            ),
        },
    )
