"""A certificate's page: its status (the certification body's suspension or withdrawal), its
file (kept by the evidence app, read through scopes.certificate_files) and its EXI 14
procedure with the tasks checked done."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.certificate_files import certificate_files_of, certificate_upload_url
from scopes.forms import CertificateStatusForm
from scopes.models import CERTIFICATE_STATUS_TRANSITIONS, Certificate
from scopes.selectors import certificate_get, certificate_procedure_of, procedure_task_get
from scopes.services import ScopeError
from scopes.services.certificates import certificate_procedure_task_done, certificate_status_set

verified = otp_required(login_url="hdsready:login")


def _page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    certificate: Certificate,
    form: CertificateStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    today = timezone.localdate()
    may_change = bool(CERTIFICATE_STATUS_TRANSITIONS.get(certificate.status))
    return render(
        request,
        "scopes/certificate_detail.html",
        {
            "organisation": organisation,
            "certificate": certificate,
            "status_today": certificate.status_on(today),
            "today": today,
            "file": certificate_files_of(organisation=organisation, pks=[certificate.pk]).get(
                certificate.pk
            ),
            "upload_url": certificate_upload_url(organisation=organisation, pk=certificate.pk)
            if can_manage
            else None,
            "procedure": certificate_procedure_of(certificate=certificate),
            "form": (form or CertificateStatusForm(certificate=certificate))
            if can_manage and may_change
            else None,
            "can_manage": can_manage,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_GET
@verified
def certificate_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    certificate = certificate_get(organisation=organisation, pk=pk)
    return _page(request, organisation=organisation, certificate=certificate)


@require_POST
@verified
def certificate_status(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    certificate = certificate_get(organisation=organisation, pk=pk)
    form = CertificateStatusForm(request.POST, certificate=certificate)
    if form.is_valid():
        try:
            certificate_status_set(
                certificate=certificate,
                status=form.cleaned_data["status"],
                status_from=form.cleaned_data["status_from"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=timezone.now(),
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Certificate status saved."))
            return redirect("scopes:certificate-detail", slug=slug, pk=pk)
    return _page(request, organisation=organisation, certificate=certificate, form=form)


@require_POST
@verified
def procedure_task_done(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    task = procedure_task_get(organisation=organisation, pk=pk)
    try:
        certificate_procedure_task_done(task=task, actor=request.user, now=timezone.now())
    except ScopeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Task checked done."))
    return redirect("scopes:certificate-detail", slug=slug, pk=task.procedure.certificate_id)
