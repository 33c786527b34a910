"""Evidence review and findings, in the browser: the auditor walks the requirements, previews
each version, records a decision, raises and verifies findings; the host answers a review that
asks for a revision with a new version."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from audits.forms import (
    AuditorFindingForm,
    EvidenceReviewForm,
    FindingVerifyForm,
    ReviewAnswerForm,
)
from audits.models import Audit, AuditStatus, FindingStatus
from audits.selectors import (
    audit_get_for_auditor,
    audit_get_in_organisation,
    evidence_versions_of_organisation,
    finding_get_in_audit,
    findings_of_audit,
    hds_requirements_for_findings,
    review_get_in_organisation,
    review_rows_for_auditor,
    review_stage1_frozen,
    review_target_get,
    reviews_awaiting_answer,
    version_get_for_auditor,
)
from audits.services import AuditError
from audits.services.findings import finding_raise, finding_verify
from audits.services.reviews import evidence_review_record, review_answer
from audits.views import apply_change, form_error_message
from evidence.services import EvidenceIntegrityError, evidence_version_open
from evidence.serving import file_response
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.selectors import organisation_get_for_user

verified = otp_required(login_url="hdsready:login")


def _back(audit: Audit) -> HttpResponse:
    return redirect("audits:auditor-review", pk=audit.pk)


@require_GET
@verified
def auditor_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    organisation = audit.cycle.organisation
    requirements = list(hds_requirements_for_findings())
    findings = list(findings_of_audit(audit=audit))
    return render(
        request,
        "audits/auditor_review.html",
        {
            "audit": audit,
            "audit_organisation": organisation,
            "frozen": review_stage1_frozen(audit=audit),
            "rows": review_rows_for_auditor(audit=audit),
            "review_form": EvidenceReviewForm(),
            "findings": findings,
            "finding_form": AuditorFindingForm(
                requirements=requirements,
                versions=list(evidence_versions_of_organisation(organisation=organisation)),
            ),
            "verifying": audit.status == AuditStatus.CORRECTIONS,
            "verify_form": FindingVerifyForm(),
            "submitted": FindingStatus.CORRECTION_SUBMITTED,
        },
    )


@require_GET
@verified
@xframe_options_sameorigin
def auditor_version_view(
    request: AuthedHttpRequest, pk: int, version_pk: int
) -> HttpResponse | FileResponse:
    """The version shown inline to the auditor: checked against its fingerprint and trailed."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    version = version_get_for_auditor(audit=audit, pk=version_pk)
    try:
        handle = evidence_version_open(version=version, actor=request.user, purpose="viewed")
    except EvidenceIntegrityError as exc:
        messages.error(request, str(exc))
        return _back(audit)
    return file_response(version, handle, inline=True)


@require_POST
@verified
def auditor_review_record(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    form = EvidenceReviewForm(request.POST)
    if not form.is_valid():
        form_error_message(request, form)
        return _back(audit)
    requirement, version = review_target_get(
        audit=audit,
        requirement_pk=form.cleaned_data["requirement"],
        version_pk=form.cleaned_data["version"],
    )
    try:
        evidence_review_record(
            audit=audit,
            requirement=requirement,
            version=version,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            actor=request.user,
        )
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Review recorded."))
    return _back(audit)


@require_POST
@verified
def auditor_finding_raise(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    form = AuditorFindingForm(
        request.POST,
        requirements=list(hds_requirements_for_findings()),
        versions=list(evidence_versions_of_organisation(organisation=audit.cycle.organisation)),
    )
    return apply_change(
        request,
        form,
        lambda data: finding_raise(audit=audit, actor=request.user, **data),
        _("Finding recorded."),
        reverse("audits:auditor-review", args=[audit.pk]),
    )


@require_POST
@verified
def auditor_finding_verify(request: AuthedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    finding = finding_get_in_audit(audit=audit, pk=finding_pk)
    return apply_change(
        request,
        FindingVerifyForm(request.POST),
        lambda data: finding_verify(finding=finding, actor=request.user, **data),
        _("Verification recorded."),
        reverse("audits:auditor-review", args=[audit.pk]),
    )


@require_GET
@verified
def audit_reviews(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The host's side: the reviews asking for a revision, each answered with a new version."""
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    rows = [
        (review, ReviewAnswerForm(versions=versions, prefix=f"review{review.pk}"))
        for review, versions in reviews_awaiting_answer(audit=audit)
    ]
    return render(
        request,
        "audits/audit_reviews.html",
        {"organisation": organisation, "audit": audit, "rows": rows},
    )


@require_POST
@verified
def review_answer_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    review = review_get_in_organisation(organisation=organisation, pk=pk)
    versions = next(
        (
            found
            for answered, found in reviews_awaiting_answer(audit=review.audit)
            if answered.pk == review.pk
        ),
        [],
    )
    return apply_change(
        request,
        ReviewAnswerForm(request.POST, versions=versions, prefix=f"review{review.pk}"),
        lambda data: review_answer(review=review, actor=request.user, **data),
        _("Answer recorded."),
        reverse("audits:audit-reviews", args=[slug, review.audit_id]),
    )
