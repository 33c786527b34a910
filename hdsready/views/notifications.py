"""The user's notifications (reminders and other announcements of every app)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from hdsready.http import AuthedHttpRequest
from hdsready.selectors import notifications_for_user
from hdsready.services.notifications import notifications_mark_read

verified = otp_required(login_url="hdsready:login")
NOTIFICATIONS_SHOWN = 100


@require_GET
@verified
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    notifications = notifications_for_user(user=request.user).select_related("organisation")
    return render(
        request,
        "hdsready/notification_list.html",
        {"notifications": notifications[:NOTIFICATIONS_SHOWN]},
    )


@require_POST
@verified
def notification_read(request: AuthedHttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user, now=timezone.now())
    return redirect("hdsready:notification-list")
