"""The audit programme of a certification cycle: the coverage grid (requirement x audit, one
chapter at a time) with its warnings, the proposed rotation, a requirement placed in the
surveillance audits, an audit's programme marked as the body's plan; and, for the auditor
invited to an audit, that audit's programme.

Reading needs VIEW (managers read); changing needs EDIT_READINESS (officers and contributors),
otherwise a 404, as in the rest of the app."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from audits.forms import BodyPlanForm, ProgrammePlaceForm
from audits.models import Audit, Cycle
from audits.programme import MANDATORY_TOPICS, topics_of
from audits.selectors import audit_get_for_auditor, cycle_get_in_organisation
from audits.selectors.programme import (
    FULL_KINDS,
    Programme,
    chapters_of,
    is_editable,
    key_of,
    programme_line_get,
    programme_of,
    proposal_for,
)
from audits.services import AuditError
from audits.services.programme import (
    programme_body_plan_mark,
    programme_propose,
    programme_requirement_place,
)
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, user_can

verified = otp_required(login_url="hdsready:login")
# Requirements named in a warning before "and N more": the grid's chapters show the others.
WARNING_NAMES = 12


def _warn_never(request: AuthedHttpRequest, programme: Programme) -> None:
    never = [requirement for gaps in programme.gaps for requirement in gaps.never]
    if never:
        messages.warning(
            request,
            ngettext(
                "%(count)d requirement would never be audited before the renewal audit: %(refs)s.",
                "%(count)d requirements would never be audited before the renewal audit: %(refs)s.",
                len(never),
            )
            % {"count": len(never), "refs": ", ".join(r.ref_id for r in never[:WARNING_NAMES])},
        )


def _programme_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    cycle: Cycle,
    body_form: BodyPlanForm | None = None,
) -> HttpResponse:
    programme = programme_of(cycle=cycle)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    chapters = chapters_of(programme.applicable)
    chosen = request.GET.get("chapter", "")
    chapter = next((c for c in chapters if c.slug == chosen), chapters[0] if chapters else None)
    editable = [audit for audit in programme.audits if is_editable(audit)]
    never = {requirement.pk for gaps in programme.gaps for requirement in gaps.never}
    rows = []
    for requirement in programme.applicable:
        if chapter is None or (requirement.framework.code, requirement.group) != (
            chapter.framework,
            chapter.group,
        ):
            continue
        cells = []
        for audit in programme.audits:
            line = programme.lines.get((audit.pk, requirement.pk))
            cells.append({"audit": audit, "full": audit.kind in FULL_KINDS, "line": line})
        rows.append(
            {
                "requirement": requirement,
                "cells": cells,
                "topics": topics_of(key_of(requirement)),
                "never": requirement.pk in never,
            }
        )
    marked = [a for a in editable if any(k[0] == a.pk for k in programme.lines)]
    drafts, _rotation, _by_key = proposal_for(programme=programme)
    return render(
        request,
        "audits/cycle_programme.html",
        {
            "organisation": organisation,
            "cycle": cycle,
            "programme": programme,
            "chapters": chapters,
            "chapter": chapter,
            "rows": rows,
            "can_edit": can_edit,
            "can_propose": can_edit and bool(drafts),
            "can_place": can_edit and bool(editable),
            "body_form": body_form
            or (BodyPlanForm(audits=marked) if can_edit and marked else None),
            "topics": MANDATORY_TOPICS,
        },
    )


@require_GET
@verified
def cycle_programme(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    cycle = cycle_get_in_organisation(organisation=organisation, pk=pk)
    return _programme_page(request, organisation=organisation, cycle=cycle)


def _editor(request: AuthedHttpRequest, slug: str, pk: int) -> tuple[Organisation, Cycle]:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    return organisation, cycle_get_in_organisation(organisation=organisation, pk=pk)


@require_POST
@verified
def programme_propose_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _organisation, cycle = _editor(request, slug, pk)
    try:
        written = programme_propose(cycle=cycle, actor=request.user)
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "Rotation proposed: %(count)d requirement placed.",
                "Rotation proposed: %(count)d requirements placed.",
                written,
            )
            % {"count": written},
        )
        _warn_never(request, programme_of(cycle=cycle))
    return redirect("audits:cycle-programme", slug=slug, pk=pk)


@require_POST
@verified
def programme_body_plan_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, cycle = _editor(request, slug, pk)
    programme = programme_of(cycle=cycle)
    editable = [audit for audit in programme.audits if is_editable(audit)]
    form = BodyPlanForm(request.POST, audits=editable)
    if form.is_valid():
        try:
            marked = programme_body_plan_mark(
                audit=form.chosen(), reference=form.cleaned_data["reference"], actor=request.user
            )
        except AuditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d requirement marked as in the body's plan.",
                    "%(count)d requirements marked as in the body's plan.",
                    marked,
                )
                % {"count": marked},
            )
            return redirect("audits:cycle-programme", slug=slug, pk=pk)
    return _programme_page(request, organisation=organisation, cycle=cycle, body_form=form)


@require_http_methods(["GET", "POST"])
@verified
def programme_requirement(request: AuthedHttpRequest, slug: str, pk: int, rpk: int) -> HttpResponse:
    organisation, cycle = _editor(request, slug, pk)
    requirement = programme_line_get(cycle=cycle, requirement_pk=rpk)
    programme = programme_of(cycle=cycle)
    editable = [audit for audit in programme.audits if is_editable(audit)]
    covering = [a.pk for a in editable if (a.pk, requirement.pk) in programme.lines]
    # Every box unchecked sends no field: the POST is still an answer.
    data = request.POST if request.method == "POST" else None
    form = ProgrammePlaceForm(data, audits=editable, initial={"audits": covering})
    if request.method == "POST" and form.is_valid():
        try:
            changed = programme_requirement_place(
                cycle=cycle, requirement=requirement, audits=form.chosen(), actor=request.user
            )
        except AuditError as exc:
            form.add_error("audits", str(exc))
        else:
            if changed:
                messages.success(request, _("The programme is updated."))
                _warn_never(request, programme_of(cycle=cycle))
            chapter = chapters_of([requirement])[0].slug
            url = reverse("audits:cycle-programme", args=[slug, pk])
            return redirect(f"{url}?{urlencode({'chapter': chapter})}")
    return render(
        request,
        "audits/programme_requirement.html",
        {
            "organisation": organisation,
            "cycle": cycle,
            "requirement": requirement,
            "topics": topics_of(key_of(requirement)),
            "started": [
                audit
                for audit in programme.audits
                if audit.kind not in FULL_KINDS
                and not is_editable(audit)
                and (audit.pk, requirement.pk) in programme.lines
            ],
            "form": form,
        },
    )


@require_GET
@verified
def auditor_programme(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The programme of the audit the auditor is invited to, and nothing of the others."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    return render(request, "audits/auditor_programme.html", _audit_programme(audit))


def _audit_programme(audit: Audit) -> dict[str, object]:
    programme = programme_of(cycle=audit.cycle)
    full = audit.kind in FULL_KINDS
    covered = [
        requirement
        for requirement in programme.applicable
        if full or (audit.pk, requirement.pk) in programme.lines
    ]
    return {
        "audit": audit,
        "full": full,
        "requirements": [(r, topics_of(key_of(r))) for r in covered],
        "topics": MANDATORY_TOPICS,
    }
