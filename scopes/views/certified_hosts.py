"""The ANS list of certified hosts: the current list and each subcontractor's check for every
member; the import (upload, column mapping with a preview, confirmation) for the officer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.certified_hosts import SubcontractorFacts, explanation
from scopes.certified_hosts_file import ListFileError, read_table
from scopes.certified_hosts_rows import PREVIEW_ROWS, CellError, convert_rows, propose_mapping
from scopes.forms import HostListMappingForm, HostListUploadForm
from scopes.models import Subcontractor
from scopes.selectors import (
    host_checks_of,
    host_list_imports,
    host_list_upload_of,
    host_mappings_remembered,
)
from scopes.services.certified_hosts import HostListError, host_list_import, host_list_upload

verified = otp_required(login_url="hdsready:login")
MAX_ERRORS_SHOWN = 50


def host_checks_context(
    organisation: Organisation, *, subcontractor: Subcontractor | None = None
) -> dict[str, Any]:
    """The current list and each subcontractor's check with its explanation, for the pages that
    show them (this one, the chain, a subcontractor)."""
    today = timezone.localdate()
    host_list, checks = host_checks_of(
        organisation=organisation, on=today, subcontractor=subcontractor
    )
    rows = []
    for holder, check in checks:
        facts = SubcontractorFacts(name=holder.name, siren=holder.siren, activities=frozenset())
        rows.append(
            {"subcontractor": holder, "check": check, "why": explanation(check, facts, on=today)}
        )
    return {"host_list": host_list, "host_checks": rows}


def _list_page(
    request: AuthedHttpRequest, organisation: Organisation, form: HostListUploadForm | None = None
) -> HttpResponse:
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    return render(
        request,
        "scopes/host_list.html",
        {
            "organisation": organisation,
            "imports": host_list_imports(organisation=organisation),
            "form": (form or HostListUploadForm()) if can_manage else None,
            "pending": host_list_upload_of(organisation=organisation, user=request.user)
            if can_manage
            else None,
            **host_checks_context(organisation),
        },
    )


@require_GET
@verified
def host_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    return _list_page(request, organisation)


@require_POST
@verified
def host_list_upload_view(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    form = HostListUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            host_list_upload(
                organisation=organisation,
                filename=upload.name,
                content=upload.read(),
                actor=request.user,
            )
        except HostListError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("scopes:host-list-import", slug=slug)
    return _list_page(request, organisation, form)


@require_http_methods(["GET", "POST"])
@verified
def host_list_import_view(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """Step 2: map the file's columns to our fields, see the first rows, import all or none."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    upload = host_list_upload_of(organisation=organisation, user=request.user)
    if upload is None:
        messages.info(request, _("Upload a list file first."))
        return redirect("scopes:host-list", slug=slug)
    try:
        table = read_table(bytes(upload.content), filename=upload.filename)
    except ListFileError as exc:
        messages.error(request, str(exc))
        return redirect("scopes:host-list", slug=slug)
    exact, remembered = host_mappings_remembered(organisation=organisation, headers_key=table.key)
    proposal = propose_mapping(table.headers, remembered, exact=exact)
    initial = {field.value: "" if at is None else str(at) for field, at in proposal.items()}
    # The columns are chosen by position: a mapping sent for another upload (the officer
    # uploaded a new file in another tab) is shown again, unbound, for the file now pending.
    sent_for_this_file = request.POST.get("sha256") == upload.sha256
    if request.method == "POST" and not sent_for_this_file:
        messages.warning(request, _("The file changed since the columns were chosen: check them."))
    form = HostListMappingForm(
        request.POST if request.method == "POST" and sent_for_this_file else None,
        initial=initial,
        headers=table.headers,
    )
    mapping = proposal
    errors: list[CellError] = []
    mapping_ok = not form.is_bound or form.is_valid()
    if form.is_bound and mapping_ok:
        mapping = form.mapping()
        if request.POST.get("action") == "confirm":
            try:
                imported = host_list_import(
                    organisation=organisation, upload=upload, mapping=mapping, actor=request.user
                )
            except HostListError as exc:
                form.add_error(None, str(exc))
                errors = exc.errors
            else:
                messages.success(
                    request,
                    ngettext(
                        "List imported: %(rows)s row from %(file)s.",
                        "List imported: %(rows)s rows from %(file)s.",
                        imported.row_count,
                    )
                    % {"rows": imported.row_count, "file": imported.filename},
                )
                return redirect("scopes:host-list", slug=slug)
    # The first rows under the mapping, also after a refused import: they help find the cause.
    preview, preview_errors = (
        convert_rows(table, mapping, limit=PREVIEW_ROWS) if mapping_ok else ([], [])
    )
    return render(
        request,
        "scopes/host_list_import.html",
        {
            "organisation": organisation,
            "upload": upload,
            "table": table,
            "form": form,
            "preview": preview,
            "preview_errors": preview_errors,
            "raw_rows": table.rows[:PREVIEW_ROWS],
            "errors": errors[:MAX_ERRORS_SHOWN],
            "error_count": len(errors),
        },
    )
