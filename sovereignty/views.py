"""The sovereignty register (HDS v2 EXI 28-30): one page with its three sections, and the forms
that add, change and delete a line (editors only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can
from sovereignty.countries import (
    ADEQUACY_AS_OF,
    ADEQUACY_SOURCE,
    EEA_AS_OF,
    EU_SOURCE,
    country_name,
)
from sovereignty.forms import LawExposureForm, RemoteAccessForm, StorageLocationForm
from sovereignty.selectors import (
    access_flagged,
    exposure_flagged,
    law_exposure_get,
    law_exposures_of,
    profile_mismatches_of,
    register_counts_of,
    remote_access_get,
    remote_accesses_of,
    storage_flagged,
    storage_location_get,
    storage_locations_of,
)
from sovereignty.services import (
    SovereigntyError,
    law_exposure_delete,
    law_exposure_facts,
    law_exposure_save,
    remote_access_delete,
    remote_access_facts,
    remote_access_save,
    storage_location_delete,
    storage_location_facts,
    storage_location_save,
)

# Lines per section and page: a register has tens of lines; past this it pages.
PAGE_SIZE = 50

verified = otp_required(login_url="hdsready:login")


def _can_edit(request: AuthedHttpRequest, organisation: Organisation) -> bool:
    # Contributors and officers edit the register; managers read it.
    return user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)


def _section(
    request: AuthedHttpRequest,
    key: str,
    rows: QuerySet[Any],
    *,
    flagged: Callable[[Any], bool],
    country: Callable[[Any], str],
) -> dict[str, Any]:
    """One section of the register, paged on its own (`<key>_page`, the other sections' pages
    kept in its links), each line with its flag and its country's name in the reader's
    language."""
    paged = numbered_page(rows, request=request, size=PAGE_SIZE, param=f"{key}_page")
    lines = [
        (row, flagged(row), country_name(country(row)) if country(row) else "")
        for row in paged.rows
    ]
    return {"paged": paged, "lines": lines}


@require_GET
@verified
def register(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    sections = {
        "storage": _section(
            request,
            "storage",
            storage_locations_of(organisation=organisation),
            flagged=storage_flagged,
            country=lambda row: row.country,
        ),
        "access": _section(
            request,
            "access",
            remote_accesses_of(organisation=organisation),
            flagged=access_flagged,
            country=lambda row: row.country,
        ),
        "laws": _section(
            request,
            "laws",
            law_exposures_of(organisation=organisation),
            flagged=exposure_flagged,
            country=lambda row: row.jurisdiction,
        ),
    }
    counts = register_counts_of(organisation=organisation)
    return render(
        request,
        "sovereignty/register.html",
        {
            "organisation": organisation,
            "sections": sections,
            "counts": counts,
            "mismatches": profile_mismatches_of(organisation=organisation, counts=counts),
            "can_edit": _can_edit(request, organisation),
            "sources": {
                "eea": EU_SOURCE,
                "eea_as_of": EEA_AS_OF,
                "adequacy": ADEQUACY_SOURCE,
                "adequacy_as_of": ADEQUACY_AS_OF,
            },
        },
    )


def _edit(
    request: AuthedHttpRequest,
    organisation: Organisation,
    *,
    form_class: type[StorageLocationForm | RemoteAccessForm | LawExposureForm],
    save: Callable[..., Model],
    keyword: str,
    row: Model | None,
    facts: Callable[[Any], dict[str, object]],
    title: str,
    anchor: str,
) -> HttpResponse:
    initial: dict[str, object] = {}
    if row is not None:
        initial = facts(row)
        for name in ("provider", "subcontractor"):
            if name in initial:
                initial[name] = getattr(row, f"{name}_id")
    form = form_class(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            save(
                organisation=organisation,
                data=form.to_data(),
                actor=request.user,
                **{keyword: row},
            )
        except SovereigntyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Register saved."))
            url = reverse("sovereignty:register", args=[organisation.slug])
            return redirect(f"{url}#{anchor}")
    return render(
        request,
        "sovereignty/line_form.html",
        {"organisation": organisation, "form": form, "row": row, "title": title, "anchor": anchor},
    )


def _organisation_for_edit(request: AuthedHttpRequest, slug: str) -> Organisation:
    return organisation_get_for_user(user=request.user, slug=slug, perm=roles.EDIT_READINESS)


@dataclass(frozen=True)
class Section:
    """What a section's add, change and delete pages need: one row per section, so the three
    sections share their views (the URL configuration names the section)."""

    form_class: type[StorageLocationForm | RemoteAccessForm | LawExposureForm]
    get: Callable[..., Any]
    save: Callable[..., Model]
    delete: Callable[..., None]
    facts: Callable[[Any], dict[str, object]]
    keyword: str  # the services' name for a line of the section
    add_title: StrPromise
    edit_title: StrPromise
    deleted: StrPromise


SECTIONS: dict[str, Section] = {
    "storage": Section(
        form_class=StorageLocationForm,
        get=storage_location_get,
        save=storage_location_save,
        delete=storage_location_delete,
        facts=storage_location_facts,
        keyword="location",
        add_title=gettext_lazy("Add a storage location"),
        edit_title=gettext_lazy("Storage location"),
        deleted=gettext_lazy("Storage location deleted."),
    ),
    "access": Section(
        form_class=RemoteAccessForm,
        get=remote_access_get,
        save=remote_access_save,
        delete=remote_access_delete,
        facts=remote_access_facts,
        keyword="access",
        add_title=gettext_lazy("Add a remote access"),
        edit_title=gettext_lazy("Remote access"),
        deleted=gettext_lazy("Remote access deleted."),
    ),
    "laws": Section(
        form_class=LawExposureForm,
        get=law_exposure_get,
        save=law_exposure_save,
        delete=law_exposure_delete,
        facts=law_exposure_facts,
        keyword="exposure",
        add_title=gettext_lazy("Add an exposure to a non-EU law"),
        edit_title=gettext_lazy("Exposure to a non-EU law"),
        deleted=gettext_lazy("Exposure deleted."),
    ),
}


@require_http_methods(["GET", "POST"])
@verified
def line_create(request: AuthedHttpRequest, slug: str, section: str) -> HttpResponse:
    spec = SECTIONS[section]
    return _edit(
        request,
        _organisation_for_edit(request, slug),
        form_class=spec.form_class,
        save=spec.save,
        keyword=spec.keyword,
        row=None,
        facts=spec.facts,
        title=str(spec.add_title),
        anchor=section,
    )


@require_http_methods(["GET", "POST"])
@verified
def line_edit(request: AuthedHttpRequest, slug: str, pk: int, section: str) -> HttpResponse:
    spec = SECTIONS[section]
    organisation = _organisation_for_edit(request, slug)
    return _edit(
        request,
        organisation,
        form_class=spec.form_class,
        save=spec.save,
        keyword=spec.keyword,
        row=spec.get(organisation=organisation, pk=pk),
        facts=spec.facts,
        title=str(spec.edit_title),
        anchor=section,
    )


@require_POST
@verified
def line_remove(request: AuthedHttpRequest, slug: str, pk: int, section: str) -> HttpResponse:
    spec = SECTIONS[section]
    organisation = _organisation_for_edit(request, slug)
    row = spec.get(organisation=organisation, pk=pk)
    spec.delete(**{spec.keyword: row}, actor=request.user)
    messages.success(request, str(spec.deleted))
    return redirect("sovereignty:register", slug=slug)
