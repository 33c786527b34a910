"""Dossier PDFs: ask for one, watch it being laid out, download it, retry it if it failed.

Everything here needs PRINT_DOSSIER on the organisation (officers and managers); anyone else,
member or not, gets a 404. A manager can do nothing else in the audits app."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from dossiers.forms import DossierRequestForm
from dossiers.models import Dossier, DossierStatus
from dossiers.selectors import (
    dossier_get_in_organisation,
    dossier_progress,
    dossier_target_objects,
    dossier_targets,
    dossiers_of_organisation,
)
from dossiers.services import DossierError, DossierIntegrityError
from dossiers.services.request import DossierTarget, dossier_open, dossier_request, dossier_retry
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user

verified = otp_required(login_url="hdsready:login")
RECENT = 50


def _printable(request: AuthedHttpRequest, slug: str) -> Organisation:
    return organisation_get_for_user(user=request.user, slug=slug, perm=roles.PRINT_DOSSIER)


@require_http_methods(["GET", "POST"])
@verified
def dossier_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = _printable(request, slug)
    targets = dossier_targets(organisation=organisation)
    form = DossierRequestForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        audit, cycle = dossier_target_objects(
            organisation=organisation, key=form.cleaned_data["target"]
        )
        try:
            dossier = dossier_request(
                organisation=organisation,
                target=DossierTarget(kind=form.cleaned_data["kind"], audit=audit, cycle=cycle),
                language=form.cleaned_data["language"],
                actor=request.user,
            )
        except DossierError as exc:
            form.add_error(None, str(exc))
        else:
            if dossier.reused_from_id:
                messages.success(
                    request, _("The same content was printed already: here is that file.")
                )
            return redirect("dossiers:dossier-detail", organisation.slug, dossier.pk)
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "organisation": organisation,
            "form": form,
            "dossiers": dossiers_of_organisation(organisation=organisation)[:RECENT],
        },
    )


def _status(organisation: Organisation, dossier: Dossier) -> dict[str, object]:
    done, total = dossier_progress(dossier=dossier)
    return {
        "status": dossier.status,
        "label": dossier.get_status_display(),
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "finished": dossier.is_finished,
        "download": (
            reverse("dossiers:dossier-download", args=[organisation.slug, dossier.pk])
            if dossier.status == DossierStatus.READY
            else None
        ),
    }


@require_GET
@verified
def dossier_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _printable(request, slug)
    dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "organisation": organisation,
            "dossier": dossier,
            "progress": _status(organisation, dossier),
        },
    )


@require_GET
@verified
def dossier_status(request: AuthedHttpRequest, slug: str, pk: int) -> JsonResponse:
    """What the progress bar polls."""
    organisation = _printable(request, slug)
    dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
    response = JsonResponse(_status(organisation, dossier))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@verified
def dossier_download(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The stored PDF, served only if its bytes still have the SHA-256 recorded at creation."""
    organisation = _printable(request, slug)
    dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
    try:
        content = dossier_open(dossier=dossier, actor=request.user)
    except DossierIntegrityError:
        return render(
            request,
            "dossiers/dossier_integrity_error.html",
            {"organisation": organisation, "dossier": dossier},
            status=409,
        )
    except DossierError as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:dossier-detail", organisation.slug, dossier.pk)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{dossier.get_kind_display()} - {organisation.name} - {dossier.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = dossier.sha256
    return response


@require_POST
@verified
def dossier_retry_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _printable(request, slug)
    dossier = dossier_get_in_organisation(organisation=organisation, pk=pk)
    try:
        dossier_retry(dossier=dossier, actor=request.user)
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The dossier is being laid out again."))
    return redirect("dossiers:dossier-detail", organisation.slug, dossier.pk)
