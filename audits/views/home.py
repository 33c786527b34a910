"""The organisation home's fragments owned by the audits app, loaded into the home page by
its [data-fragment] blocks (static/js/evidence-upload.js): readiness progress per framework,
and the certification cycle with its non-conformities and upcoming deadlines.

Every member (VIEW) sees both: the manager reads them as the progress report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_otp.decorators import otp_required

from audits import deadlines
from audits.models import Finding
from audits.selectors import (
    current_cycle_audits,
    deadlines_of_organisation,
    open_nonconformities_of,
    reviews_to_answer_of,
)
from audits.timeline import countdown, cycle_timeline
from evidence.selectors import evidence_items_of, evidence_review_due
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.selectors import organisation_get_for_user
from scopes.models import ReadinessStatus
from scopes.readiness import Score, readiness_score
from scopes.selectors import (
    HDS_CODE,
    ISO_CODE,
    builtin_framework,
    imported_frameworks_assessed,
    readiness_assigned_to,
    readiness_rows,
)

verified = otp_required(login_url="hdsready:login")

UPCOMING_DAYS = 90
# Each list of the certification card shows this many, then how many there are in all.
HOME_LIST_LIMIT = 8


@dataclass(frozen=True)
class FrameworkProgress:
    code: str
    name: str
    score: Score


@require_GET
@verified
def home_progress(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """Readiness score per built-in framework and the number of evidence items."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    frameworks = [
        (builtin_framework(code=HDS_CODE), _("HDS")),
        (builtin_framework(code=ISO_CODE), _("ISO 27001")),
        *(
            (framework, framework.name)
            for framework in imported_frameworks_assessed(organisation=organisation)
        ),
    ]
    progress = []
    for framework, name in frameworks:
        code = framework.code
        rows = readiness_rows(organisation=organisation, framework=framework)
        score = readiness_score(
            entry.status if entry else ReadinessStatus.NOT_ASSESSED
            for _requirement, entry, applies in rows
            if applies
        )
        progress.append(FrameworkProgress(code, name, score))
    return render(
        request,
        "audits/home_progress.html",
        {
            "organisation": organisation,
            "progress": progress,
            "evidence_count": evidence_items_of(organisation=organisation).count(),
        },
    )


@dataclass(frozen=True)
class UpcomingDeadline:
    day: date
    kind: str
    label: str
    subject: str
    url: str
    days_left: int


@require_GET
@verified
def home_certification(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """The current cycle's timeline, open non-conformities with their countdown, and the
    deadlines of every kind (audits/deadline_kinds.py) of the next UPCOMING_DAYS days."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    now = timezone.now()
    today = deadlines.paris_date(now=now)
    open_ones = open_nonconformities_of(organisation=organisation)
    nonconformities: list[tuple[Finding, dict[str, object] | None]] = [
        (finding, countdown(finding.audit.correction_deadline, now=now))
        for finding in open_ones[:HOME_LIST_LIMIT]
    ]
    upcoming = [
        UpcomingDeadline(
            day=deadline.day,
            kind=deadline.kind.value,
            label=deadline.label,
            subject=deadline.subject,
            url=deadline.url,
            days_left=deadlines.days_left(deadline=deadline.day, now=now),
        )
        for deadline in deadlines_of_organisation(
            organisation=organisation, start=today, end=today + timedelta(days=UPCOMING_DAYS)
        )
    ]
    return render(
        request,
        "audits/home_certification.html",
        {
            "organisation": organisation,
            "timeline": cycle_timeline(
                current_cycle_audits(organisation=organisation), today=today
            ),
            "nonconformities": nonconformities,
            "nonconformity_count": open_ones.count(),
            "upcoming": upcoming[:HOME_LIST_LIMIT],
            "upcoming_count": len(upcoming),
            "upcoming_days": UPCOMING_DAYS,
        },
    )


MY_WORK_LIMIT = 5


@require_GET
@verified
def home_my_work(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """What this member has to do, each list bounded to one screen with a link to the whole:
    the requirements they own not met yet, their evidence to renew, the auditor's reviews
    waiting for a response."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    today = deadlines.paris_date(now=timezone.now())
    assigned = readiness_assigned_to(organisation=organisation, user=request.user)
    renew = evidence_review_due(organisation=organisation, today=today).filter(owner=request.user)
    reviews = reviews_to_answer_of(organisation=organisation)
    return render(
        request,
        "audits/home_my_work.html",
        {
            "organisation": organisation,
            "today": today,
            "assigned": list(assigned[:MY_WORK_LIMIT]),
            "assigned_count": assigned.count(),
            "renew": list(renew[:MY_WORK_LIMIT]),
            "renew_count": renew.count(),
            "reviews": list(reviews[:MY_WORK_LIMIT]),
            "reviews_count": reviews.count(),
            "hds_code": HDS_CODE,
            "iso_code": ISO_CODE,
        },
    )
