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
)
from audits.timeline import countdown, cycle_timeline
from evidence.selectors import evidence_items_of
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
    readiness_rows,
)

verified = otp_required(login_url="hdsready:login")

UPCOMING_DAYS = 90


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
    nonconformities: list[tuple[Finding, dict[str, object] | None]] = [
        (finding, countdown(finding.audit.correction_deadline, now=now))
        for finding in open_nonconformities_of(organisation=organisation)
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
            "upcoming": upcoming,
            "upcoming_days": UPCOMING_DAYS,
        },
    )
