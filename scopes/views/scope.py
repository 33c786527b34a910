"""The host's scope: activities and certificate types, situations, subcontractors and their
certificates, the hosting chain, the ISO 27001 prerequisite."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest, query_pk
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.activities import certificate_types_for
from scopes.chain import chain_is_complete
from scopes.forms import (
    CertificateForm,
    ChainDayForm,
    HostProfileForm,
    ScopeActivitiesForm,
    SubcontractorForm,
)
from scopes.iso_standards import IsoStandard
from scopes.models import CertificateKind
from scopes.selectors import (
    certificate_get,
    host_profile_of,
    hosting_chain_of,
    iso_check_of,
    own_certificates,
    scope_of,
    subcontractor_get,
    subcontractors_of,
)
from scopes.services import ScopeError
from scopes.services.scope import (
    ActivityChoice,
    certificate_delete,
    certificate_save,
    host_profile_update,
    scope_set_activities,
    subcontractor_save,
)
from scopes.views.certified_hosts import host_checks_context

verified = otp_required(login_url="hdsready:login")


@require_http_methods(["GET", "POST"])
@verified
def scope_edit(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    return _scope_page(request, slug=slug)


def _scope_page(
    request: AuthedHttpRequest, *, slug: str, profile_form: HostProfileForm | None = None
) -> HttpResponse:
    """The scope page and its activities form; the situation form sent back with errors shows
    with its input and errors."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    subcontractors = list(subcontractors_of(organisation=organisation))
    rows = scope_of(organisation=organisation)
    initial = {}
    for row in rows:
        initial[f"mode_{row.activity}"] = row.mode
        initial[f"subcontractor_{row.activity}"] = str(row.subcontractor_id or "")
    form = ScopeActivitiesForm(
        request.POST if profile_form is None and request.method == "POST" else None,
        initial=initial,
        subcontractors=subcontractors,
    )
    if profile_form is None and request.method == "POST":
        if not can_manage:
            return render(request, "404.html", status=404)
        if form.is_valid():
            try:
                scope_set_activities(
                    organisation=organisation,
                    choices={
                        number: ActivityChoice(mode=mode, subcontractor=subcontractor)
                        for number, (mode, subcontractor) in form.choices().items()
                    },
                    actor=request.user,
                )
            except ScopeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Scope saved."))
                return redirect("scopes:scope-edit", slug=slug)
    types = certificate_types_for(row.activity for row in rows)
    return render(
        request,
        "scopes/scope_edit.html",
        {
            "organisation": organisation,
            "form": form,
            "certificate_types": types,
            "profile_form": profile_form
            or HostProfileForm(instance=host_profile_of(organisation=organisation)),
            "can_manage": can_manage,
        },
    )


@require_POST
@verified
def profile_edit(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    form = HostProfileForm(request.POST)
    if not form.is_valid():
        return _scope_page(request, slug=slug, profile_form=form)
    host_profile_update(organisation=organisation, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Situation saved."))
    return redirect("scopes:scope-edit", slug=slug)


@require_http_methods(["GET", "POST"])
@verified
def subcontractor_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    form = SubcontractorForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            return render(request, "404.html", status=404)
        if form.is_valid():
            try:
                subcontractor = subcontractor_save(
                    organisation=organisation, actor=request.user, **form.cleaned_data
                )
            except ScopeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Subcontractor added."))
                return redirect("scopes:subcontractor-detail", slug=slug, pk=subcontractor.pk)
    return render(
        request,
        "scopes/subcontractor_list.html",
        {
            "organisation": organisation,
            "subcontractors": subcontractors_of(organisation=organisation),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def subcontractor_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    subcontractor = subcontractor_get(organisation=organisation, pk=pk)
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    form = SubcontractorForm(
        request.POST or None,
        initial={
            "name": subcontractor.name,
            "siren": subcontractor.siren,
            "contact": subcontractor.contact,
            "notes": subcontractor.notes,
            "part_of_service": subcontractor.part_of_service,
        },
    )
    if request.method == "POST":
        if not can_manage:
            return render(request, "404.html", status=404)
        if form.is_valid():
            try:
                subcontractor_save(
                    organisation=organisation,
                    subcontractor=subcontractor,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except ScopeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Subcontractor saved."))
                return redirect("scopes:subcontractor-detail", slug=slug, pk=pk)
    return render(
        request,
        "scopes/subcontractor_detail.html",
        {
            "organisation": organisation,
            "subcontractor": subcontractor,
            "form": form,
            "can_manage": can_manage,
            "today": timezone.localdate(),
            **host_checks_context(organisation, subcontractor=subcontractor),
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def certificate_create(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """A certificate of a subcontractor (?subcontractor=pk) or of the host itself."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    holder_pk = query_pk(request.GET.get("subcontractor") or request.POST.get("subcontractor"))
    subcontractor = (
        subcontractor_get(organisation=organisation, pk=holder_pk) if holder_pk else None
    )
    kind = request.GET.get("kind", CertificateKind.HDS)
    form = CertificateForm(
        request.POST or None,
        initial={
            "kind": kind,
            "standard_version": "" if kind == CertificateKind.ISO27001 else "HDS v2",
            "iso_standard": IsoStandard.ISO_27001_2022 if kind == CertificateKind.ISO27001 else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            certificate_save(
                organisation=organisation,
                subcontractor=subcontractor,
                data=form.to_data(),
                actor=request.user,
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Certificate recorded."))
            if subcontractor:
                return redirect("scopes:subcontractor-detail", slug=slug, pk=subcontractor.pk)
            return redirect("scopes:iso-view", slug=slug)
    return render(
        request,
        "scopes/certificate_form.html",
        {"organisation": organisation, "subcontractor": subcontractor, "form": form},
    )


@require_http_methods(["GET", "POST"])
@verified
def certificate_edit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    certificate = certificate_get(organisation=organisation, pk=pk)
    initial = {field: getattr(certificate, field) for field in CertificateForm.base_fields}
    if certificate.kind == CertificateKind.ISO27001:
        initial["standard_version"] = ""  # derived from the ISO standard chosen
    form = CertificateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_save(
                organisation=organisation,
                subcontractor=certificate.subcontractor,
                certificate=certificate,
                data=form.to_data(),
                actor=request.user,
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Certificate saved."))
            return _back_to_holder(slug, certificate.subcontractor_id)
    return render(
        request,
        "scopes/certificate_form.html",
        {
            "organisation": organisation,
            "subcontractor": certificate.subcontractor,
            "certificate": certificate,
            "form": form,
        },
    )


@require_POST
@verified
def certificate_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    certificate = certificate_get(organisation=organisation, pk=pk)
    holder = certificate.subcontractor_id
    certificate_delete(certificate=certificate, actor=request.user)
    messages.success(request, _("Certificate deleted."))
    return _back_to_holder(slug, holder)


def _back_to_holder(slug: str, subcontractor_id: int | None) -> HttpResponse:
    if subcontractor_id:
        return redirect("scopes:subcontractor-detail", slug=slug, pk=subcontractor_id)
    return redirect("scopes:iso-view", slug=slug)


@require_GET
@verified
def chain_view(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    today = timezone.localdate()
    form = ChainDayForm(request.GET or None, auto_id="%s", initial={"on": today})
    on: date = (form.cleaned_data.get("on") if form.is_valid() else None) or today
    lines = hosting_chain_of(organisation=organisation, on=on)
    return render(
        request,
        "scopes/chain.html",
        {
            "organisation": organisation,
            "lines": lines,
            "form": form,
            "on": on,
            "today": today,
            "complete": chain_is_complete(lines),
            "in_a_year": today + timedelta(days=365),
            **host_checks_context(organisation),
        },
    )


@require_GET
@verified
def iso_view(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    iso, check = iso_check_of(organisation=organisation, today=timezone.localdate())
    return render(
        request,
        "scopes/iso.html",
        {
            "organisation": organisation,
            "iso": iso,
            "check": check,
            "own_hds": own_certificates(organisation=organisation, kind=CertificateKind.HDS),
            "profile": host_profile_of(organisation=organisation),
            "today": timezone.localdate(),
            "can_manage": user_can(user=request.user, organisation=organisation, perm=roles.MANAGE),
        },
    )
