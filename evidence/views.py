"""Evidence pages: list, item with versions and access history, uploads (one file per request
from the drag-and-drop page, JSON for it), inline preview and download, requirement fragment."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from evidence.filetypes import is_inline
from evidence.forms import FilterForm, ItemForm, VersionForm
from evidence.models import EvidenceKind, EvidenceStatus, EvidenceVersion
from evidence.selectors import (
    REVIEW_SOON_DAYS,
    evidence_access_history,
    evidence_item_get,
    evidence_items_of,
    evidence_review_due,
    evidence_version_get,
    evidence_versions_of,
)
from evidence.services import (
    EvidenceError,
    EvidenceIntegrityError,
    certificate_file_add,
    evidence_files_add,
    evidence_item_create,
    evidence_item_set_status,
    evidence_item_update,
    evidence_version_add,
    evidence_version_open,
)
from evidence.serving import file_response, too_large_message
from evidence.uploads import HashedUploadedFile
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.selectors import certificate_get, requirement_get

# The evidence list shows this many items a page: its time and size stay those of one screen.
ITEMS_PAGE_SIZE = 50
# An item's page: its versions a page at a time, and its latest accesses (the rest in the trail).
VERSIONS_PAGE_SIZE = 20
HISTORY_SHOWN = 50

verified = otp_required(login_url="hdsready:login")


def _wants_json(request: AuthedHttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _version_json(version: EvidenceVersion) -> dict[str, object]:
    return {
        "item": version.item_id,
        "title": version.item.title,
        "version": version.number,
        "file": version.original_name,
        "size": version.size,
        "type": version.content_type,
        "sha256": version.sha256,
        "url": reverse(
            "evidence:item-detail", args=[version.item.organisation.slug, version.item_id]
        ),
    }


def _upload_error(request: AuthedHttpRequest, message: str, back: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=400)
    messages.error(request, message)
    return redirect(back)


def _the_upload(request: AuthedHttpRequest, back: str) -> HashedUploadedFile | HttpResponse:
    """The one file of an upload form, or the answer saying why there is none."""
    too_large = too_large_message(request)
    if too_large:
        return _upload_error(request, too_large, back)
    upload = request.FILES.get("file")
    if not isinstance(upload, HashedUploadedFile):
        return _upload_error(request, _("Choose a file to upload."), back)
    return upload


@require_http_methods(["GET", "POST"])
@verified
def item_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    form = ItemForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            data = form.to_data()
            try:
                item = evidence_item_create(
                    organisation=organisation,
                    data=data,
                    kind=EvidenceKind.LINK if data.url else EvidenceKind.FILE,
                    actor=request.user,
                )
            except EvidenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Evidence created."))
                return redirect("evidence:item-detail", slug=slug, pk=item.pk)
    filters = FilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {"status": "active"}
    today = timezone.localdate()
    items = evidence_items_of(
        organisation=organisation,
        status=chosen.get("status", "active"),
        review_due_by=today + timedelta(days=REVIEW_SOON_DAYS) if chosen.get("review") else None,
        search=chosen.get("q") or "",
    )
    # A page of items (a large host has thousands); the filters stay in the pager's links.
    paged = numbered_page(items, request=request, size=ITEMS_PAGE_SIZE)
    return render(
        request,
        "evidence/item_list.html",
        {
            "organisation": organisation,
            "items": paged.rows,
            "page": paged.page,
            "query": paged.query,
            "form": form,
            "filters": filters,
            "can_edit": can_edit,
            "today": today,
            "review_soon_on": today + timedelta(days=REVIEW_SOON_DAYS),
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def item_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    item = evidence_item_get(organisation=organisation, pk=pk)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    initial = {
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "owner": item.owner_id,
        "requirements": list(item.requirements.values_list("pk", flat=True)),
        "effective_on": item.effective_on,
        "review_due_on": item.review_due_on,
    }
    form = ItemForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                evidence_item_update(item=item, data=form.to_data(), actor=request.user)
            except EvidenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Evidence saved."))
                return redirect("evidence:item-detail", slug=slug, pk=pk)
    paged = numbered_page(
        evidence_versions_of(item=item), request=request, size=VERSIONS_PAGE_SIZE, param="versions"
    )
    versions = list(paged.rows)
    current = (
        (versions[0] if versions else None)
        if paged.page.number == 1
        else evidence_versions_of(item=item).first()
    )
    is_officer = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    return render(
        request,
        "evidence/item_detail.html",
        {
            "organisation": organisation,
            "item": item,
            "versions": versions,
            "versions_page": paged,
            "current": current,
            "preview": current is not None and is_inline(current.content_type),
            "requirements": item.requirements.select_related("framework").order_by("order"),
            "form": form,
            "version_form": VersionForm(),
            "can_edit": can_edit and item.status == EvidenceStatus.ACTIVE,
            "can_change_status": can_edit,
            "history": evidence_access_history(item=item, limit=HISTORY_SHOWN)
            if is_officer
            else None,
        },
    )


@require_POST
@verified
def version_upload(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    item = evidence_item_get(organisation=organisation, pk=pk)
    back = reverse("evidence:item-detail", args=[slug, pk])
    upload = _the_upload(request, back)
    if isinstance(upload, HttpResponse):
        return upload
    try:
        version = evidence_version_add(
            item=item,
            upload=upload,
            comment=request.POST.get("comment", "")[:500],
            actor=request.user,
        )
    except EvidenceError as exc:
        return _upload_error(request, str(exc), back)
    if _wants_json(request):
        return JsonResponse({"ok": True, **_version_json(version)})
    messages.success(request, _("Version %(number)s uploaded.") % {"number": version.number})
    return redirect("evidence:item-detail", slug=slug, pk=pk)


@require_POST
@verified
def certificate_file_upload(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A certificate's file (HDS v2 EXI 12), from the certificate's page in the scope."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    certificate = certificate_get(organisation=organisation, pk=pk)
    back = reverse("scopes:certificate-detail", args=[slug, pk])
    upload = _the_upload(request, back)
    if isinstance(upload, HttpResponse):
        return upload
    try:
        version = certificate_file_add(certificate=certificate, upload=upload, actor=request.user)
    except EvidenceError as exc:
        return _upload_error(request, str(exc), back)
    messages.success(
        request, _("Certificate file stored (version %(number)s).") % {"number": version.number}
    )
    return redirect(back)


@require_POST
@verified
def item_status(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    item = evidence_item_get(organisation=organisation, pk=pk)
    try:
        evidence_item_set_status(
            item=item, status=request.POST.get("status", ""), actor=request.user
        )
    except EvidenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status changed."))
    return redirect("evidence:item-detail", slug=slug, pk=pk)


def _serve(
    request: AuthedHttpRequest, slug: str, pk: int, number: int, *, inline: bool
) -> HttpResponseBase:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    version = evidence_version_get(organisation=organisation, pk=pk, number=number)
    inline = inline and is_inline(version.content_type)
    try:
        handle = evidence_version_open(
            version=version, actor=request.user, purpose="viewed" if inline else "downloaded"
        )
    except EvidenceIntegrityError as exc:
        return render(
            request,
            "evidence/integrity_error.html",
            {"organisation": organisation, "version": version, "message": str(exc)},
            status=409,
        )
    return file_response(version, handle, inline=inline)


@require_GET
@verified
@xframe_options_sameorigin
def version_view(request: AuthedHttpRequest, slug: str, pk: int, number: int) -> HttpResponseBase:
    return _serve(request, slug, pk, number, inline=True)


@require_GET
@verified
def version_download(
    request: AuthedHttpRequest, slug: str, pk: int, number: int
) -> HttpResponseBase:
    return _serve(request, slug, pk, number, inline=False)


@require_http_methods(["GET", "POST"])
@verified
def requirement_evidence(request: AuthedHttpRequest, slug: str, rpk: int) -> HttpResponse:
    """A requirement's evidence, and files dropped on it (one new item per file)."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    requirement = requirement_get(organisation=organisation, pk=rpk)
    if not requirement.assessable:
        raise Http404
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        back = request.path
        too_large = too_large_message(request)
        if too_large:
            return _upload_error(request, too_large, back)
        uploads = [f for f in request.FILES.getlist("file") if isinstance(f, HashedUploadedFile)]
        if not uploads:
            return _upload_error(request, _("Choose a file to upload."), back)
        try:
            versions = evidence_files_add(
                organisation=organisation,
                uploads=uploads,
                requirements=[requirement],
                actor=request.user,
            )
        except EvidenceError as exc:
            return _upload_error(request, str(exc), back)
        if _wants_json(request):
            return JsonResponse({"ok": True, "versions": [_version_json(v) for v in versions]})
        messages.success(
            request,
            ngettext("%(count)s file added.", "%(count)s files added.", len(versions))
            % {"count": len(versions)},
        )
        return redirect(back)
    # The readiness page loads the list and drop zone in place: the page's partial alone.
    fragment = "#requirement-evidence" if "fragment" in request.GET else ""
    return render(
        request,
        f"evidence/requirement_evidence.html{fragment}",
        {
            "organisation": organisation,
            "requirement": requirement,
            "items": evidence_items_of(organisation=organisation, requirement=requirement),
            "can_edit": can_edit,
        },
    )


@require_GET
@verified
def review_due(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """Evidence whose review date is past or near: a fragment of the organisation home page."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    today = timezone.localdate()
    return render(
        request,
        "evidence/review_due.html",
        {
            "organisation": organisation,
            "items": evidence_review_due(organisation=organisation, today=today)[:20],
            "today": today,
            "soon_days": REVIEW_SOON_DAYS,
        },
    )
