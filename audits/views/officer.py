"""The compliance officer's pages: certification cycles, an audit with its stages, findings,
correction deadline and timeline, and the forms of the transitions that make sense next.

Reading needs VIEW; every transition needs MANAGE, a correction EDIT_READINESS. A member
without the right gets a 404, like an outsider, as in the rest of the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from audits.forms import (
    AuditorInviteForm,
    AuditPlanForm,
    CancelForm,
    CycleForm,
    DecisionForm,
    FindingCorrectionForm,
    FindingRaiseForm,
    OutcomeForm,
    Stage2Form,
    StageDatesForm,
)
from audits.models import Audit, AuditKind, AuditStatus, FindingStatus
from audits.selectors import (
    audit_get_in_organisation,
    auditor_accesses_of_audit,
    audits_of_cycle,
    cycle_get_in_organisation,
    cycles_of_organisation,
    evidence_versions_of_organisation,
    finding_get_in_organisation,
    findings_with_corrections,
    hds_requirements_for_findings,
)
from audits.services import AuditError
from audits.services.cycle import (
    audit_cancel,
    audit_close,
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    cycle_create,
    decision_record,
)
from audits.services.findings import RAISING_STATES, finding_raise, finding_submit_correction
from audits.timeline import countdown as countdown_of
from audits.timeline import cycle_timeline
from audits.views import apply_change, form_error_message
from evidence.models import EvidenceVersion
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation, User
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.selectors import members_of

verified = otp_required(login_url="hdsready:login")


def _managed_audit(request: AuthedHttpRequest, slug: str, pk: int) -> Audit:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    return audit_get_in_organisation(organisation=organisation, pk=pk)


@require_http_methods(["GET", "POST"])
@verified
def cycle_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                cycle_create(organisation=organisation, actor=request.user, **form.cleaned_data)
            except AuditError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Certification cycle opened."))
                return redirect("audits:cycle-list", slug=slug)
    return render(
        request,
        "audits/cycle_list.html",
        {
            "organisation": organisation,
            "cycles": cycles_of_organisation(organisation=organisation),
            "form": form,
            "plan_form": AuditPlanForm(),
            "can_manage": can_manage,
        },
    )


@require_POST
@verified
def audit_plan_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    cycle = cycle_get_in_organisation(organisation=organisation, pk=pk)
    form = AuditPlanForm(request.POST)
    if not form.is_valid():
        form_error_message(request, form)
        return redirect("audits:cycle-list", slug=slug)
    try:
        audit = audit_plan(cycle=cycle, actor=request.user, **form.cleaned_data)
    except AuditError as exc:
        messages.error(request, str(exc))
        return redirect("audits:cycle-list", slug=slug)
    messages.success(request, _("Audit planned."))
    return redirect("audits:audit-detail", slug=slug, pk=audit.pk)


def _officer_forms(audit: Audit, organisation: Organisation) -> dict[str, Form]:
    """The forms of the transitions that make sense from the audit's current status."""
    forms: dict[str, Form] = {}
    status = audit.status
    if status == AuditStatus.DRAFT:
        forms["stage1_form"] = StageDatesForm(prefix="stage1")
    if status == AuditStatus.STAGE1_PLANNED:
        forms["stage1_complete_form"] = OutcomeForm(prefix="stage1")
    if status in (AuditStatus.STAGE1_DONE, AuditStatus.ONSITE_REDO) or (
        status == AuditStatus.DRAFT and audit.kind == AuditKind.SURVEILLANCE
    ):
        forms["stage2_form"] = Stage2Form(prefix="stage2")
    if status == AuditStatus.STAGE2_PLANNED:
        forms["stage2_complete_form"] = OutcomeForm(prefix="stage2")
    if audit.kind != AuditKind.SURVEILLANCE and status in (
        AuditStatus.STAGE2_DONE,
        AuditStatus.CORRECTIONS_VERIFIED,
    ):
        forms["decision_form"] = DecisionForm(
            initial={"activities": audit.cycle.activities, "decided_on": timezone.localdate()}
        )
    if audit.can_move_to(AuditStatus.CANCELLED):
        forms["cancel_form"] = CancelForm()
    # Only a surveillance audit closes without a decision (see audit_close).
    if audit.can_move_to(AuditStatus.CLOSED) and (
        status == AuditStatus.DECIDED or audit.kind == AuditKind.SURVEILLANCE
    ):
        forms["close_form"] = Form()
    if status in RAISING_STATES:
        forms["raise_form"] = FindingRaiseForm(requirements=list(hds_requirements_for_findings()))
    return forms


@require_GET
@verified
def audit_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    can_correct = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    findings = list(findings_with_corrections(audit=audit))
    correcting = audit.status == AuditStatus.CORRECTIONS and can_correct
    members: list[User] = []
    versions: list[EvidenceVersion] = []
    if correcting and any(f.status == FindingStatus.OPEN for f in findings):
        members = list(members_of(organisation=organisation))
        versions = list(evidence_versions_of_organisation(organisation=organisation))
    countdown = countdown_of(audit.correction_deadline, now=timezone.now())
    rows = [
        {
            "finding": finding,
            "countdown": countdown if finding.is_nonconformity else None,
            "form": FindingCorrectionForm(
                members=members, versions=versions, prefix=f"finding{finding.pk}"
            )
            if correcting and finding.status == FindingStatus.OPEN
            else None,
        }
        for finding in findings
    ]
    cycle_audits = list(audits_of_cycle(cycle=audit.cycle))
    return render(
        request,
        "audits/audit_detail.html",
        {
            "organisation": organisation,
            "audit": audit,
            "decision": getattr(audit, "decision", None),
            "rows": rows,
            "countdown": countdown,
            "timeline": cycle_timeline(cycle_audits, today=timezone.localdate()),
            "can_manage": can_manage,
            "auditor_accesses": auditor_accesses_of_audit(audit=audit) if can_manage else (),
            "auditor_invite_form": AuditorInviteForm() if can_manage else None,
            "now": timezone.now(),
            **(_officer_forms(audit, organisation) if can_manage else {}),
        },
    )


def _apply(
    request: AuthedHttpRequest,
    audit: Audit,
    form: Form,
    change: Callable[[dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """apply_change, back to the audit page."""
    back = reverse("audits:audit-detail", args=[audit.cycle.organisation.slug, audit.pk])
    return apply_change(request, form, change, success, back)


@require_POST
@verified
def audit_stage1(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        StageDatesForm(request.POST, prefix="stage1"),
        lambda data: audit_schedule_stage1(audit=audit, actor=request.user, **data),
        _("Documentary audit scheduled."),
    )


@require_POST
@verified
def audit_stage1_submit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    try:
        count = audit_submit_stage1_documents(audit=audit, actor=request.user)
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Documents submitted: %(count)s evidence versions frozen for the documentary audit.")
            % {"count": count},
        )
    return redirect("audits:audit-detail", slug=slug, pk=audit.pk)


@require_POST
@verified
def audit_stage1_complete(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        OutcomeForm(request.POST, prefix="stage1"),
        lambda data: audit_complete_stage1(audit=audit, actor=request.user, **data),
        _("Documentary audit completed."),
    )


@require_POST
@verified
def audit_stage2(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        Stage2Form(request.POST, prefix="stage2"),
        lambda data: audit_schedule_stage2(audit=audit, actor=request.user, **data),
        _("On-site audit scheduled."),
    )


@require_POST
@verified
def audit_stage2_complete(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        OutcomeForm(request.POST, prefix="stage2"),
        lambda data: audit_complete_stage2(audit=audit, actor=request.user, **data),
        _("On-site audit completed."),
    )


@require_POST
@verified
def audit_decision(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        DecisionForm(request.POST),
        lambda data: decision_record(audit=audit, actor=request.user, **data),
        _("Certification decision recorded."),
    )


@require_POST
@verified
def audit_cancel_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        CancelForm(request.POST),
        lambda data: audit_cancel(audit=audit, actor=request.user, **data),
        _("Audit cancelled."),
    )


@require_POST
@verified
def audit_close_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    audit = _managed_audit(request, slug, pk)
    return _apply(
        request,
        audit,
        Form(request.POST),
        lambda data: audit_close(audit=audit, actor=request.user),
        _("Audit closed."),
    )


@require_POST
@verified
def finding_raise_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A finding the certification body reported, recorded by the officer."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    return _apply(
        request,
        audit,
        FindingRaiseForm(request.POST, requirements=list(hds_requirements_for_findings())),
        lambda data: finding_raise(audit=audit, actor=request.user, **data),
        _("Finding recorded."),
    )


@require_POST
@verified
def finding_correction(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    finding = finding_get_in_organisation(organisation=organisation, pk=pk)
    audit = finding.audit
    form = FindingCorrectionForm(
        request.POST,
        members=list(members_of(organisation=organisation)),
        versions=list(evidence_versions_of_organisation(organisation=organisation)),
        prefix=f"finding{finding.pk}",
    )
    return _apply(
        request,
        audit,
        form,
        lambda data: finding_submit_correction(finding=finding, actor=request.user, **data),
        _("Correction submitted."),
    )
