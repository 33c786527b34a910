"""The private iCalendar feed of deadlines."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from audits.deadlines import paris_date
from audits.ical import AllDayEvent, calendar_render
from audits.selectors import (
    calendar_token_exists,
    calendar_token_user,
    deadlines_for_user,
)
from audits.services import AuditError
from audits.services.calendar import calendar_token_create, calendar_token_revoke
from hdsready.http import AuthedHttpRequest
from hdsready.mail import site_link

verified = otp_required(login_url="hdsready:login")
# The feed's window: calendar applications keep no event the feed drops, so the past year stays;
# ahead, a certificate's 3-year validity and the renewal audit before its end fit in 5 years.
CALENDAR_PAST_DAYS = 366
CALENDAR_AHEAD_DAYS = 5 * 366


@require_http_methods(["GET", "POST"])
@never_cache
@verified
def calendar_token(request: AuthedHttpRequest) -> HttpResponse:
    feed_url = None
    if request.method == "POST":
        try:
            raw = calendar_token_create(user=request.user, actor=request.user)
        except AuditError as exc:
            messages.error(request, str(exc))
        else:
            # Rendered, not redirected: only the hash is stored, so this is its only showing.
            feed_url = site_link(reverse("audits:calendar-feed", args=[raw]))
    return render(
        request,
        "audits/calendar_token.html",
        {"feed_url": feed_url, "has_token": calendar_token_exists(user=request.user)},
    )


@require_POST
@verified
def calendar_revoke(request: AuthedHttpRequest) -> HttpResponse:
    try:
        calendar_token_revoke(user=request.user, actor=request.user)
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The calendar address is revoked."))
    return redirect("audits:calendar-token")


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No session here: calendar applications fetch it, the address's token is the credential."""
    user = calendar_token_user(raw=token)
    if user is None:
        raise Http404
    now = timezone.now()
    today = paris_date(now=now)
    events = [
        AllDayEvent(
            uid=f"{deadline.uid}@hdsready",
            day=deadline.day,
            summary=f"{deadline.organisation.name}: {deadline.subject}",
            description="\n".join(
                [deadline.label, *([deadline.programme.summary()] if deadline.programme else [])]
            ),
            url=site_link(deadline.url),
        )
        for deadline in deadlines_for_user(
            user=user,
            start=today - timedelta(days=CALENDAR_PAST_DAYS),
            end=today + timedelta(days=CALENDAR_AHEAD_DAYS),
        )
    ]
    body = calendar_render(name="hdsready", events=events, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hdsready.ics"'
    return response
