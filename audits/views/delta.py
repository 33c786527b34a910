"""The delta of a surveillance or renewal audit since the previous audit's outcome
(audits/delta.py): the counts per section and change, then one section's changes a page at a
time. Members who may read the audit see it at the audit's address + delta/; the invited
auditor, within their access window, at the auditor's audit address + delta/ (the evidence the
audit shows them only). An audit without a delta is a 404, like an outsider."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_otp.decorators import otp_required

from audits.delta import CHANGE_LABELS, SECTION_LABELS
from audits.models import Audit
from audits.selectors import audit_get_for_auditor, audit_get_in_organisation
from audits.selectors.delta import (
    Delta,
    change_rows,
    delta_changes,
    delta_counts,
    delta_of,
    section_of,
)
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user

verified = otp_required(login_url="hdsready:login")
# Changes on one page of the delta: the page stays one screen whatever the history.
DELTA_PAGE_SIZE = 25


def _delta_page(
    request: AuthedHttpRequest, *, delta: Delta, audit_url: str, previous_url: str | None
) -> HttpResponse:
    counts = delta_counts(delta=delta)
    section = section_of(request.GET.get("section"))
    # Every section's changes, unless the query asks for one; the pager's links keep it.
    paged = numbered_page(
        delta_changes(delta=delta, section=section), request=request, size=DELTA_PAGE_SIZE
    )
    audit = delta.audit
    return render(
        request,
        "audits/audit_delta.html",
        {
            "audit": audit,
            "audit_organisation": audit.cycle.organisation,
            "previous": delta.previous,
            "window": delta.window,
            "counts": counts,
            "total": sum(row.total for row in counts),
            "section": section,
            "section_label": SECTION_LABELS[section] if section else None,
            "rows": change_rows(paged.rows),
            "changes_page": paged,
            "audit_url": audit_url,
            "previous_url": previous_url,
            "for_auditor": delta.for_auditor,
            "change_labels": [(str(change), label) for change, label in CHANGE_LABELS.items()],
        },
    )


def _delta_or_404(audit: Audit, *, for_auditor: bool) -> Delta:
    delta = delta_of(audit=audit, for_auditor=for_auditor)
    if delta is None:
        raise Http404
    return delta


@require_GET
@verified
def audit_delta(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    audit = audit_get_in_organisation(organisation=organisation, pk=pk)
    delta = _delta_or_404(audit, for_auditor=False)
    return _delta_page(
        request,
        delta=delta,
        audit_url=reverse("audits:audit-detail", args=[slug, audit.pk]),
        previous_url=reverse("audits:audit-detail", args=[slug, delta.previous.pk]),
    )


@require_GET
@verified
def auditor_delta(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_get_for_auditor(user=request.user, pk=pk, now=timezone.now())
    delta = _delta_or_404(audit, for_auditor=True)
    return _delta_page(
        request,
        delta=delta,
        audit_url=reverse("audits:auditor-audit", args=[audit.pk]),
        previous_url=None,
    )
