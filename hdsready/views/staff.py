"""Pages for the staff who operate the install (is_staff, second factor verified)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp.decorators import otp_required

from hdsready.forms import OrganisationOpenForm
from hdsready.http import AuthedHttpRequest
from hdsready.mail import site_link
from hdsready.services import CoreError
from hdsready.services.onboarding import organisation_open

verified = otp_required(login_url="hdsready:login")


@require_http_methods(["GET", "POST"])
@verified
def organisation_open_view(request: AuthedHttpRequest) -> HttpResponse:
    # Not staff: the page does not exist for them (404, like every page they may not see).
    if not request.user.is_staff:
        raise Http404
    form = OrganisationOpenForm(request.POST or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            organisation, invitation, raw_token = organisation_open(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                officer_email=form.cleaned_data["officer_email"],
                actor=request.user,
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
        else:
            context = {
                "organisation": organisation,
                "invitation": invitation,
                "link": site_link(reverse("hdsready:invitation-accept", args=[raw_token])),
            }
    return render(request, "hdsready/organisation_open.html", context)
