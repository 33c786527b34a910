"""The Statement of Applicability (déclaration d'applicabilité): the 93 Annex A controls, a
page per line, a printable French version for the auditors (HDS v2 EXI 08), and an XLSX round
trip for the people who prefer a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation, User
from hdsready.selectors import organisation_get_for_user, trail_events_for_object, user_can
from scopes.forms import SoAForm, SoAImportForm
from scopes.models import ImplementationStatus, Requirement, SoAEntry
from scopes.selectors import soa_control_get, soa_controls
from scopes.services import ScopeError
from scopes.services.assessment import soa_update
from scopes.services.soa import SoAImportError, soa_import, soa_import_errors
from scopes.soa_xlsx import (
    XLSX_CONTENT_TYPE,
    ExportRow,
    RowError,
    WorkbookError,
    build_workbook,
)
from scopes.soa_xlsx import parse_workbook as parse_soa_workbook

verified = otp_required(login_url="hdsready:login")


@dataclass(frozen=True)
class SoALine:
    """A control and its SoA line; a control without an entry is applicable, not started."""

    control: Requirement
    entry: SoAEntry | None

    @property
    def applicable(self) -> bool:
        return self.entry.applicable if self.entry else True

    @property
    def implementation(self) -> str:
        return self.entry.implementation if self.entry else ImplementationStatus.NOT_STARTED

    @property
    def implementation_label(self) -> str:
        return str(ImplementationStatus(self.implementation).label)

    @property
    def justification(self) -> str:
        return self.entry.justification if self.entry else ""

    @property
    def owner(self) -> User | None:
        return self.entry.owner if self.entry else None

    @property
    def notes(self) -> str:
        return self.entry.notes if self.entry else ""


@dataclass(frozen=True)
class SoASummary:
    total: int
    applicable: int
    not_applicable: int
    implemented: int


def soa_lines(organisation: Organisation) -> list[SoALine]:
    return [SoALine(control, entry) for control, entry in soa_controls(organisation=organisation)]


def soa_summary(lines: list[SoALine]) -> SoASummary:
    applicable = [line for line in lines if line.applicable]
    return SoASummary(
        total=len(lines),
        applicable=len(applicable),
        not_applicable=len(lines) - len(applicable),
        implemented=sum(
            1 for line in applicable if line.implementation == ImplementationStatus.IMPLEMENTED
        ),
    )


@require_GET
@verified
def soa_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    lines = soa_lines(organisation)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    return render(
        request,
        "scopes/soa_list.html",
        {
            "organisation": organisation,
            "lines": lines,
            "summary": soa_summary(lines),
            "can_edit": can_edit,
            "import_form": SoAImportForm() if can_edit else None,
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def soa_edit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    control = soa_control_get(pk=pk)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    if request.method == "POST" and not can_edit:
        raise Http404
    entry = (
        SoAEntry.objects.select_related("owner")
        .filter(organisation=organisation, control=control)
        .first()
    )
    line = SoALine(control, entry)
    form = SoAForm(
        request.POST or None,
        initial={
            "applicable": "yes" if line.applicable else "no",
            "justification": line.justification,
            "implementation": line.implementation,
            "owner": entry.owner_id if entry else None,
            "notes": line.notes,
        },
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            soa_update(
                organisation=organisation, control=control, data=form.to_data(), actor=request.user
            )
        except ScopeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("SoA line saved."))
            return redirect("scopes:soa-list", slug=slug)
    history = trail_events_for_object(organisation=organisation, target=entry) if entry else []
    return render(
        request,
        "scopes/soa_edit.html",
        {
            "organisation": organisation,
            "control": control,
            "line": line,
            "form": form,
            "can_edit": can_edit,
            "history": history,
        },
    )


@require_GET
@verified
def soa_print(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """The SoA in French whatever the interface language: auditors read this one (EXI 08)."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    lines = soa_lines(organisation)
    with translation.override("fr"):
        response = render(
            request,
            "scopes/soa_print.html",
            {
                "organisation": organisation,
                "lines": lines,
                "summary": soa_summary(lines),
                "today": timezone.localdate(),
            },
        )
    response["Content-Language"] = "fr"
    return response


@require_GET
@verified
def soa_export(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    content = build_workbook(
        ExportRow(
            ref=line.control.ref_id,
            title=line.control.name_fr or line.control.name_en,
            applicable=line.applicable,
            justification=line.justification,
            implementation=line.implementation,
            owner_email=line.owner.email if line.owner else "",
            notes=line.notes,
        )
        for line in soa_lines(organisation)
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"dda-{organisation.slug}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@verified
def soa_import_upload(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """All or nothing: any wrong row and the page lists every error, by row, with no change."""
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    form = SoAImportForm(request.POST, request.FILES)
    errors: list[RowError] = []
    if form.is_valid():
        try:
            rows, errors = parse_soa_workbook(form.cleaned_data["file"].read())
            if errors:
                # Show the database checks too, so one round of corrections is enough.
                raise SoAImportError(
                    [*errors, *soa_import_errors(organisation=organisation, rows=rows)]
                )
            result = soa_import(organisation=organisation, rows=rows, actor=request.user)
        except WorkbookError as exc:
            form.add_error("file", str(exc))
        except SoAImportError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("SoA imported: %(changed)s lines changed, %(unchanged)s unchanged.")
                % {"changed": len(result.changed), "unchanged": result.unchanged},
            )
            return redirect("scopes:soa-list", slug=slug)
    return render(
        request,
        "scopes/soa_import.html",
        {"organisation": organisation, "form": form, "errors": errors},
    )
