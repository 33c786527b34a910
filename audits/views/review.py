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

from audits.forms import ActionForm, EvidenceReviewForm, ReviewAnswerForm
from audits.models import Audit, ranked_numbers
from audits.selectors import (
    answer_versions_of,
    audit_get_for_auditor,
    audit_get_in_organisation,
    evidence_versions_citable,
    finding_get_in_audit,
    findings_of_audit,
    review_get_in_organisation,
    review_stage1_frozen,
    reviews_awaiting_answer,
    reviews_of_item,
    version_get_for_auditor,
)
from audits.selectors.review import (
    Chapter,
    hds_chapters,
    review_counts,
    review_rows,
    review_targets_of,
    reviews_of_requirement,
    version_of,
)
from audits.services import AuditError
from audits.services.reviews import review_answer
from audits.views.actions import (
    evidence_search,
    offered_forms,
    picker_needed,
    say_unplaced_errors,
    take_action,
)
from audits.workflow import EVIDENCE_REVIEW, Actor, waiting_for
from evidence.selectors import evidence_item_get
from evidence.services import EvidenceIntegrityError, evidence_version_open
from evidence.serving import file_response
from hdsready import roles
from hdsready.http import AuthedHttpRequest, query_pk
from hdsready.models import Organisation
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can

verified = otp_required(login_url="hdsready:login")


def _back(audit: Audit, request: AuthedHttpRequest) -> HttpResponse:
    """Back to the review page the form was sent from (its chapter, requirement, pages)."""
    url = reverse("audits:auditor-review", args=[audit.pk])
    kept = request.GET.urlencode()
    return redirect(f"{url}?{kept}" if kept else url)


AUDITOR: frozenset[Actor] = frozenset({Actor.AUDITOR})
# One requirement's versions a page at a time; the audit's findings a page at a time.
REVIEW_VERSIONS_PAGE_SIZE = 20
FINDINGS_PAGE_SIZE = 20


def _chosen_chapter(
    request: AuthedHttpRequest, chapters: list[Chapter], counts: dict[int, int]
) -> Chapter | None:
    """The chapter asked for; else the first with evidence to review; else the first."""
    pk = query_pk(request.GET.get("chapter"))
    with_evidence = (c for c in chapters if any(counts.get(r.pk) for r in c.requirements))
    return next(
        (c for c in chapters if c.node.pk == pk),
        next(with_evidence, chapters[0] if chapters else None),
    )


def _review_page(
    request: AuthedHttpRequest, *, audit: Audit, bound: ActionForm | None = None
) -> HttpResponse:
    """The auditor's review page, one screen whatever the evidence: the HDS requirements of one
    chapter with their first versions to review and latest reviews, or (?requirement=) every
    version of one requirement a page at a time; the findings a page at a time. A form sent
    back with errors shows in its place (a review's beside the version it was for) with its
    input and its errors."""
    findings_page = numbered_page(
        findings_of_audit(audit=audit), request=request, size=FINDINGS_PAGE_SIZE, param="findings"
    )
    findings = list(findings_page.rows)
    on_audit, on_findings = offered_forms(
        audit=audit, actors=AUDITOR, findings=findings, bound=bound
    )
    say_unplaced_errors(request, bound, on_audit, on_findings)
    review_form = next((o.form for o in on_audit if o.action == EVIDENCE_REVIEW), None)
    review_bound = bound if isinstance(bound, EvidenceReviewForm) else None
    target = review_bound.cleaned_data if review_bound is not None else {}
    numbers = ranked_numbers(findings)
    chapters = hds_chapters()
    counts = review_counts(audit=audit)
    chapter_counts = {c.node.pk: sum(counts.get(r.pk, 0) for r in c.requirements) for c in chapters}
    requirements = {r.pk: r for chapter in chapters for r in chapter.requirements}
    focus = requirements.get(query_pk(request.GET.get("requirement")) or 0)
    versions_page = None
    chapter: Chapter | None
    if focus is not None:
        versions_page = numbered_page(
            review_targets_of(audit=audit, requirement=focus),
            request=request,
            size=REVIEW_VERSIONS_PAGE_SIZE,
        )
        versions = [version_of(row) for row in versions_page.rows]
        chapter = next(c for c in chapters if focus in c.requirements)
        rows = []
        focus_reviews = reviews_of_requirement(audit=audit, requirement=focus, versions=versions)
    else:
        chapter = _chosen_chapter(request, chapters, counts)
        rows = review_rows(
            audit=audit,
            requirements=chapter.requirements if chapter else [],
            version_counts=counts,
        )
        versions, focus_reviews = [], []
    return render(
        request,
        "audits/auditor_review.html",
        {
            "audit": audit,
            "audit_organisation": audit.cycle.organisation,
            "frozen": review_stage1_frozen(audit=audit),
            "chapters": [(c, chapter_counts[c.node.pk]) for c in chapters],
            "chapter": chapter,
            "rows": rows,
            "focus": focus,
            "focus_versions": versions,
            "focus_reviews": focus_reviews,
            "versions_page": versions_page,
            "back_query": request.GET.urlencode(),
            "review_form": review_form
            if review_bound is None
            else EvidenceReviewForm(audit=audit, prefix=review_bound.prefix),
            "review_bound": review_bound,
            "review_bound_requirement": target.get("requirement"),
            "review_bound_version": target.get("version"),
            "findings": [
                (finding, numbers[finding.pk], on_findings.get(finding.pk, []))
                for finding in findings
            ],
            "findings_page": findings_page,
            "actions": [o for o in on_audit if o.action != EVIDENCE_REVIEW],
            "waiting": waiting_for(audit=audit, actors=AUDITOR),
            "picker_url": reverse("audits:auditor-evidence-search", args=[audit.pk])
            if picker_needed(on_audit, on_findings)
            else None,
        },
    )


@require_GET
@verified
def auditor_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    return _review_page(request, audit=audit)


@require_POST
@verified
def auditor_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action of the workflow on the audit as its invited auditor."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    refused = take_action(request, audit=audit, name=action, actors=AUDITOR)
    if refused is not None:
        return _review_page(request, audit=audit, bound=refused)
    return _back(audit, request)


@require_POST
@verified
def auditor_finding_action(
    request: AuthedHttpRequest, pk: int, finding_pk: int, action: str
) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    finding = finding_get_in_audit(audit=audit, pk=finding_pk)
    refused = take_action(request, audit=audit, name=action, actors=AUDITOR, finding=finding)
    if refused is not None:
        return _review_page(request, audit=audit, bound=refused)
    return _back(audit, request)


@require_GET
@verified
def auditor_evidence_search(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The evidence picker of the auditor's pages: only what the audit shows them."""
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    return evidence_search(request, versions=evidence_versions_citable(audit=audit, auditor=True))


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
        return _back(audit, request)
    return file_response(version, handle, inline=True)


REVIEWS_TO_ANSWER_PAGE = 20


def _reviews_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    audit: Audit,
    bound: ReviewAnswerForm | None = None,
) -> HttpResponse:
    """The host's reviews to answer; an answer sent back with errors shows in its row. A member
    who cannot answer (the manager) reads the reviews without forms."""
    can_answer = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    reviews_page = numbered_page(
        reviews_awaiting_answer(audit=audit), request=request, size=REVIEWS_TO_ANSWER_PAGE
    )
    rows = [
        (
            review,
            None
            if not can_answer
            else bound
            if bound is not None and bound.prefix == f"review{review.pk}"
            else ReviewAnswerForm(versions=versions, prefix=f"review{review.pk}"),
        )
        for review, versions in answer_versions_of(reviews_page.rows)
    ]
    return render(
        request,
        "audits/audit_reviews.html",
        {
            "organisation": organisation,
            "audit": audit,
            "rows": rows,
            "reviews_page": reviews_page,
            "can_answer": can_answer,
        },
    )


@require_GET
@verified
def audit_reviews(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The host's side: the reviews asking for a revision or rejecting evidence, each answered
    with a new version by a member who edits readiness; every member (the manager too) reads
    them."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    return _reviews_page(request, organisation=organisation, audit=audit)


@require_POST
@verified
def review_answer_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    review = review_get_in_organisation(organisation=organisation, pk=pk)
    ((_answered, versions),) = answer_versions_of([review])
    form = ReviewAnswerForm(request.POST, versions=versions, prefix=f"review{review.pk}")
    if form.is_valid():
        try:
            review_answer(review=review, actor=request.user, **form.cleaned_data)
        except AuditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("audits:audit-reviews", slug=slug, pk=review.audit_id)
    return _reviews_page(request, organisation=organisation, audit=review.audit, bound=form)


ITEM_REVIEWS_LIMIT = 20


@require_GET
@verified
def item_reviews(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The auditor's decisions on an evidence item's versions: a fragment of the item's page,
    so a rejection is read where the evidence is, not only in the trail."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    item = evidence_item_get(organisation=organisation, pk=pk)
    return render(
        request,
        "audits/item_reviews.html",
        {
            "organisation": organisation,
            "item": item,
            "reviews": reviews_of_item(item=item, limit=ITEM_REVIEWS_LIMIT),
        },
    )
