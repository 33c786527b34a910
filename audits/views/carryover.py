"""The findings carried over from an earlier audit, on the officer's and the invited auditor's
audit pages (section #carried-over), and the one recipe that records a check of one of them.
The form is offered only to whom workflow.CARRYOVER_CHECK allows now, and only on a finding not
closed yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest

from audits.forms import CarryOverCheckForm
from audits.models import Audit, Finding
from audits.selectors import evidence_versions_citable
from audits.selectors.carryover import RECEIVING_KINDS, carried_over_findings
from audits.services import AuditError
from audits.workflow import CARRYOVER_CHECK, Actor, allowed
from hdsready.models import User
from hdsready.paging import numbered_page

# Carried-over findings on one page (each with its history and its form).
CARRIED_PAGE_SIZE = 10
CARRIED_PAGE_PARAM = "carried_page"


@dataclass(frozen=True)
class CarriedRow:
    finding: Finding
    form: CarryOverCheckForm | None
    check_url: str = ""


def check_role(*, audit: Audit, actors: frozenset[Actor]) -> Actor | None:
    """Who this person checks carried-over findings as on this audit now, or None: the auditor
    as themselves, the officer for the certification body."""
    if not allowed(CARRYOVER_CHECK, audit=audit, actors=actors):
        return None
    return next((a for a in (Actor.BODY, Actor.AUDITOR) if a in actors), None)


def _prefix(finding: Finding) -> str:
    return f"carryover-{finding.pk}"


def carried_over_context(
    request: HttpRequest,
    *,
    audit: Audit,
    actors: frozenset[Actor],
    check_url: Callable[[Finding], str],
    bound: CarryOverCheckForm | None = None,
) -> dict[str, Any]:
    """The page of carried-over findings and the check forms this person may use now; a form
    sent back with errors takes its empty twin's place."""
    paged = numbered_page(
        carried_over_findings(audit=audit),
        request=request,
        size=CARRIED_PAGE_SIZE,
        param=CARRIED_PAGE_PARAM,
    )
    role = check_role(audit=audit, actors=actors)
    versions = evidence_versions_citable(audit=audit, auditor=False) if role == Actor.BODY else None
    rows = []
    for finding in paged.rows:
        form = None
        if role is not None and not finding.closed_here:
            if bound is not None and bound.prefix == _prefix(finding):
                form = bound
            else:
                form = CarryOverCheckForm(
                    audit=audit, role=role, versions=versions, prefix=_prefix(finding)
                )
        rows.append(
            CarriedRow(
                finding=finding,
                form=form,
                check_url=check_url(finding) + page_query(request) if form else "",
            )
        )
    return {
        "carried": rows,
        "carried_page": paged,
        "carried_receives": audit.kind in RECEIVING_KINDS,
    }


def take_check(
    request: HttpRequest, *, audit: Audit, finding: Finding, actors: frozenset[Actor]
) -> CarryOverCheckForm | None:
    """Record the check from its form as this person. None once recorded (with its message);
    otherwise the bound form with why not. Someone who may never check is a 404."""
    if not CARRYOVER_CHECK.actors & actors:
        raise Http404
    role = next(a for a in (Actor.BODY, Actor.AUDITOR) if a in actors)
    form = CarryOverCheckForm(
        request.POST,
        audit=audit,
        role=role,
        versions=evidence_versions_citable(audit=audit, auditor=False)
        if role == Actor.BODY
        else None,
        prefix=_prefix(finding),
    )
    if not form.is_valid():
        return form
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (views are behind login)
    try:
        form.perform(actor=user, finding=finding)
    except AuditError as exc:
        messages.error(request, str(exc))
        return form
    messages.success(request, str(CARRYOVER_CHECK.done))
    return None


def page_query(request: HttpRequest) -> str:
    """The carried-over page a check was sent from, to come back to it."""
    page = request.GET.get(CARRIED_PAGE_PARAM, "")
    return f"?{CARRIED_PAGE_PARAM}={page}" if page.isdigit() and page != "1" else ""
