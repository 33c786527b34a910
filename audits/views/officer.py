"""The compliance officer's pages: certification cycles, an audit with its stages, findings,
correction deadline and timeline, and the forms of exactly the actions of audits/workflow.py
this member may take now (one view takes any of them).

Reading needs VIEW; which actions a member may take follows from their role (member_actors). An
action this member may never take is a 404, like an outsider, as in the rest of the app."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from audits import deadlines
from audits.forms import ActionForm, AuditorInviteForm, AuditPlanForm, CarryOverCheckForm, CycleForm
from audits.models import Audit, AuditKind, FindingStatus, ranked_numbers
from audits.selectors import (
    audit_get_in_organisation,
    auditor_accesses_of_audit,
    audits_of_cycle,
    cycle_get_in_organisation,
    cycles_of_organisation,
    evidence_versions_citable,
    finding_get_in_organisation,
    findings_with_corrections,
    member_actors,
)
from audits.selectors.carryover import carried_over_finding_get
from audits.selectors.delta import delta_of
from audits.services import AuditError
from audits.services.cycle import audit_plan, cycle_create
from audits.timeline import countdown as countdown_of
from audits.timeline import cycle_timeline
from audits.views.actions import (
    evidence_search,
    offered_forms,
    picker_needed,
    say_unplaced_errors,
    take_action,
)
from audits.views.carryover import carried_over_context, page_query, take_check
from audits.workflow import (
    AUDITOR_INVITE,
    CORRECTION_WINDOW_STATUSES,
    Actor,
    allowed,
    waiting_for,
)
from hdsready import roles
from hdsready.http import AuthedHttpRequest, query_pk
from hdsready.models import Organisation
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can

verified = otp_required(login_url="hdsready:login")
PENDING_FINDING_STATUSES = (FindingStatus.OPEN, FindingStatus.CORRECTION_SUBMITTED)
# Findings on one page of an audit (a large audit has a hundred): each may carry its forms.
FINDINGS_PAGE_SIZE = 20


def _cycle_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    can_manage: bool,
    form: CycleForm | None = None,
    plan_form: AuditPlanForm | None = None,
    plan_cycle: int | None = None,
) -> HttpResponse:
    """The cycles page; a form sent back with errors shows with its input and its errors (the
    audit plan form under the cycle it was sent for)."""
    return render(
        request,
        "audits/cycle_list.html",
        {
            "organisation": organisation,
            "cycles": cycles_of_organisation(organisation=organisation),
            "form": form or CycleForm(),
            "plan_form": AuditPlanForm(),
            "bound_plan_form": plan_form,
            "plan_cycle": plan_cycle,
            "can_manage": can_manage,
        },
    )


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
    return _cycle_page(request, organisation=organisation, can_manage=can_manage, form=form)


@require_POST
@verified
def audit_plan_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    cycle = cycle_get_in_organisation(organisation=organisation, pk=pk)
    form = AuditPlanForm(request.POST)
    if form.is_valid():
        try:
            audit = audit_plan(cycle=cycle, actor=request.user, **form.cleaned_data)
        except AuditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Audit planned."))
            return redirect("audits:audit-detail", slug=slug, pk=audit.pk)
    return _cycle_page(
        request, organisation=organisation, can_manage=True, plan_form=form, plan_cycle=cycle.pk
    )


def audit_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    audit: Audit,
    bound: ActionForm | None = None,
    invite_form: AuditorInviteForm | None = None,
    carried_bound: CarryOverCheckForm | None = None,
) -> HttpResponse:
    """The audit page; a form sent back with errors (an action's, the auditor invitation, or a
    carried-over finding's check) shows in its place with its input and its errors."""
    actors = member_actors(user=request.user, organisation=organisation)
    can_manage = Actor.OFFICER in actors
    findings_page = numbered_page(
        findings_with_corrections(audit=audit), request=request, size=FINDINGS_PAGE_SIZE
    )
    findings = list(findings_page.rows)
    numbers = ranked_numbers(findings)
    on_audit, on_findings = offered_forms(
        audit=audit, actors=actors, findings=findings, bound=bound
    )
    say_unplaced_errors(request, bound, on_audit, on_findings)
    # The deadline counts down only while the correction window counts.
    countdown = (
        countdown_of(audit.correction_deadline, now=timezone.now())
        if audit.status in CORRECTION_WINDOW_STATUSES
        else None
    )
    rows = [
        {
            "finding": finding,
            "number": numbers[finding.pk],
            "countdown": countdown if finding.status in PENDING_FINDING_STATUSES else None,
            "actions": on_findings.get(finding.pk, []),
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
            "findings_page": findings_page,
            # A finding's form sends the page it is on, to come back to it.
            "page_query": _page_query(findings_page.page.number),
            "picker_url": reverse(
                "audits:audit-evidence-search", args=[organisation.slug, audit.pk]
            )
            if picker_needed(on_audit, on_findings)
            else None,
            "countdown": countdown,
            "timeline": cycle_timeline(cycle_audits, today=timezone.localdate()),
            "renewal_too_late": renewal_too_late(audit=audit, audits=cycle_audits),
            "has_delta": delta_of(audit=audit) is not None,
            "can_manage": can_manage,
            "can_invite": can_manage and allowed(AUDITOR_INVITE, audit=audit, actors=actors),
            "auditor_accesses": auditor_accesses_of_audit(audit=audit) if can_manage else (),
            "auditor_invite_form": (invite_form or AuditorInviteForm()) if can_manage else None,
            "now": timezone.now(),
            "actions": on_audit,
            "waiting": waiting_for(audit=audit, actors=actors),
            **carried_over_context(
                request,
                audit=audit,
                actors=actors,
                bound=carried_bound,
                check_url=lambda finding: reverse(
                    "audits:carryover-check", args=[organisation.slug, audit.pk, finding.pk]
                ),
            ),
        },
    )


@require_GET
@verified
def audit_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    return audit_page(request, organisation=organisation, audit=audit)


@require_POST
@verified
def audit_action(request: AuthedHttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """Take one action of the workflow on the audit, from its form on the audit page."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    refused = take_action(
        request,
        audit=audit,
        name=action,
        actors=member_actors(user=request.user, organisation=organisation),
    )
    if refused is not None:
        return audit_page(request, organisation=organisation, audit=audit, bound=refused)
    return redirect("audits:audit-detail", slug=slug, pk=audit.pk)


@require_POST
@verified
def finding_action(request: AuthedHttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """Take one action of the workflow on a finding (submit its correction, record the body's
    verification of it), from the audit page."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    finding = finding_get_in_organisation(organisation=organisation, pk=pk)
    audit = finding.audit
    refused = take_action(
        request,
        audit=audit,
        name=action,
        actors=member_actors(user=request.user, organisation=organisation),
        finding=finding,
    )
    if refused is not None:
        return audit_page(request, organisation=organisation, audit=audit, bound=refused)
    page = query_pk(request.GET.get("page"))
    return redirect(reverse("audits:audit-detail", args=[slug, audit.pk]) + _page_query(page or 1))


@require_POST
@verified
def carryover_check_view(
    request: AuthedHttpRequest, slug: str, pk: int, finding_pk: int
) -> HttpResponse:
    """Record, for the certification body, its check of a finding carried over to this audit."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    actors = member_actors(user=request.user, organisation=organisation)
    finding = carried_over_finding_get(audit=audit, pk=finding_pk)
    refused = take_check(request, audit=audit, finding=finding, actors=actors)
    if refused is not None:
        return audit_page(request, organisation=organisation, audit=audit, carried_bound=refused)
    return redirect(
        reverse("audits:audit-detail", args=[slug, audit.pk])
        + page_query(request)
        + "#carried-over"
    )


def _page_query(page: int) -> str:
    return f"?page={page}" if page > 1 else ""


@require_GET
@verified
def audit_evidence_search(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The evidence picker of the audit page: the organisation's versions matching a search,
    for a member who answers findings or records the body's letters."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    if not member_actors(user=request.user, organisation=organisation):
        raise Http404
    return evidence_search(request, versions=evidence_versions_citable(audit=audit, auditor=False))


def renewal_too_late(*, audit: Audit, audits: list[Audit]) -> bool:
    """A renewal audit planned so late that its correction window ends after the certificate
    it renews: the decision could come after the certificate has expired."""
    end = audit.stage2_ended_on or audit.stage2_end or audit.due_on
    if audit.kind != AuditKind.RENEWAL or end is None:
        return False
    expiries = [
        decision.expires_on
        for other in audits
        if (decision := getattr(other, "decision", None)) is not None and decision.expires_on
    ]
    if not expiries:
        return False
    return deadlines.renewal_too_late(onsite_audit_end=end, certificate_expires_on=max(expiries))
