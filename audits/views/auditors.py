"""Auditor pages: the officer invites and revokes; the auditor accepts, then sees one audit
while the access window is open, and nothing of the organisation besides."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from audits.forms import AuditorInviteForm, CarryOverCheckForm
from audits.models import Audit, AuditorAccess
from audits.selectors import (
    audit_get_for_auditor,
    audit_get_for_member,
    audit_get_in_organisation,
    auditor_access_get_in_audit,
    audits_for_auditor,
    findings_of_audit,
    left_to_review_by_auditor,
)
from audits.selectors.carryover import carried_over_finding_get
from audits.selectors.delta import delta_of
from audits.selectors.review import ITEMS_SHOWN, auditor_requirement_rows
from audits.services import AuditError
from audits.services.auditors import AUDITOR_INVITATIONS, auditor_access_revoke, auditor_invite
from audits.views.carryover import carried_over_context, page_query, take_check
from audits.views.officer import audit_page
from audits.workflow import EVIDENCE_REVIEW, Actor, allowed
from hdsready import roles
from hdsready.dates import date_format
from hdsready.http import AuthedHttpRequest
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user
from hdsready.views.invitations import InvitationPage, invitation_accept_page
from scopes.activities import ACTIVITIES_BY_NUMBER

verified = otp_required(login_url="hdsready:login")
AUDITOR_ACTORS: frozenset[Actor] = frozenset({Actor.AUDITOR})


def _back_to_audit(audit: Audit) -> HttpResponse:
    # The officer's audit page is written alongside; until it exists, the organisation's home.
    slug = audit.cycle.organisation.slug
    try:
        return redirect(reverse("audits:audit-detail", args=[slug, audit.pk]))
    except NoReverseMatch:
        return redirect("hdsready:organisation-home", slug=slug)


@require_POST
@verified
def auditor_invite_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    form = AuditorInviteForm(request.POST)
    if form.is_valid():
        try:
            auditor_invite(audit=audit, actor=request.user, **form.cleaned_data)
        except AuditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Auditor invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return _back_to_audit(audit)
    return audit_page(request, organisation=organisation, audit=audit, invite_form=form)


@require_POST
@verified
def auditor_revoke_view(
    request: AuthedHttpRequest, slug: str, pk: int, access_pk: int
) -> HttpResponse:
    audit = audit_get_for_member(user=request.user, slug=slug, pk=pk, perm=roles.MANAGE)
    access = auditor_access_get_in_audit(audit=audit, pk=access_pk)
    try:
        auditor_access_revoke(access=access, actor=request.user)
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Access of %(email)s revoked.") % {"email": access.email})
    return _back_to_audit(audit)


def _auditor_describe(access: AuditorAccess) -> tuple[str, list[str]]:
    audit = access.audit
    return (
        _("Audit of %(name)s") % {"name": audit.cycle.organisation.name},
        [
            _("This invitation is for %(email)s, as auditor of the %(kind)s.")
            % {"email": access.email, "kind": audit.get_kind_display()},
            _("Your access is open from %(start)s until %(end)s.")
            % {
                "start": date_format(timezone.localtime(access.valid_from), "DATETIME_FORMAT"),
                "end": date_format(timezone.localtime(access.valid_until), "DATETIME_FORMAT"),
            },
        ],
    )


def _auditor_accepted(access: AuditorAccess) -> tuple[str, str]:
    if access.is_open(now=timezone.now()):
        return _("Your auditor access is open."), reverse(
            "audits:auditor-audit", args=[access.audit_id]
        )
    return _("Your auditor access is open."), reverse("audits:auditor-home")


def _auditor_welcome(access: AuditorAccess) -> str:
    return _("Welcome! Now set up your second factor to reach the audit.")


@require_http_methods(["GET", "POST"])
def auditor_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The core's invitation page; accepting grants the permission on the one audit."""
    page = InvitationPage(
        title=_("Auditor invitation"),
        describe=_auditor_describe,
        accepted=_auditor_accepted,
        welcome=_auditor_welcome,
    )
    return invitation_accept_page(request, token=token, flow=AUDITOR_INVITATIONS, page=page)


@require_GET
@verified
def auditor_home(request: AuthedHttpRequest) -> HttpResponse:
    accesses = audits_for_auditor(user=request.user, now=timezone.now())
    # Only audits where evidence is reviewed now have evidence left to review.
    reviewing = [
        access.audit
        for access in accesses
        if allowed(EVIDENCE_REVIEW, audit=access.audit, actors={Actor.AUDITOR})
    ]
    left = left_to_review_by_auditor(user=request.user, audits=reviewing)
    rows = [(access, left.get(access.audit_id, 0)) for access in accesses]
    return render(request, "audits/auditor_home.html", {"accesses": accesses, "rows": rows})


# The audit's findings on one page of the auditor's audit page.
FINDINGS_PAGE_SIZE = 20


@require_GET
@verified
def auditor_audit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The audit as its auditor sees it: one screen whatever the evidence (a few items per
    requirement, the rest on the review page) and the findings a page at a time."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    return _auditor_audit_page(request, audit=audit)


@require_POST
@verified
def auditor_carryover_check(request: AuthedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """The auditor's check of a finding carried over to this audit: closed, or kept open."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    finding = carried_over_finding_get(audit=audit, pk=finding_pk)
    refused = take_check(request, audit=audit, finding=finding, actors=AUDITOR_ACTORS)
    if refused is not None:
        return _auditor_audit_page(request, audit=audit, carried_bound=refused)
    return redirect(
        reverse("audits:auditor-audit", args=[audit.pk]) + page_query(request) + "#carried-over"
    )


def _auditor_audit_page(
    request: AuthedHttpRequest, *, audit: Audit, carried_bound: CarryOverCheckForm | None = None
) -> HttpResponse:
    findings_page = numbered_page(
        findings_of_audit(audit=audit), request=request, size=FINDINGS_PAGE_SIZE
    )
    return render(
        request,
        "audits/auditor_audit.html",
        {
            "audit": audit,
            "audit_organisation": audit.cycle.organisation,
            "activities": [
                ACTIVITIES_BY_NUMBER[number]
                for number in audit.cycle.activities
                if number in ACTIVITIES_BY_NUMBER
            ],
            "rows": auditor_requirement_rows(audit=audit),
            "items_shown": ITEMS_SHOWN,
            "findings": findings_page.rows,
            "findings_page": findings_page,
            "has_delta": delta_of(audit=audit, for_auditor=True) is not None,
            **carried_over_context(
                request,
                audit=audit,
                actors=AUDITOR_ACTORS,
                bound=carried_bound,
                check_url=lambda finding: reverse(
                    "audits:auditor-carryover-check", args=[audit.pk, finding.pk]
                ),
            ),
        },
    )
