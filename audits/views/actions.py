"""The actions of audits/workflow.py on pages: the forms a person is offered on an audit (only the
actions the definition allows them now), and the one recipe that takes an action from a form.
The officer's pages (officer.py) and the auditor's (review.py) both use it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audits.forms import ACTION_FORMS, ActionForm, EvidenceVersionField, choices_for, version_label
from audits.models import Audit, Finding
from audits.selectors import EVIDENCE_SEARCH_MAX_LENGTH, evidence_versions_search
from audits.services import AuditError
from audits.workflow import ACTIONS_BY_NAME, Action, Actor, actions_for
from evidence.models import EvidenceVersion
from hdsready.models import User

# When a person holds several actors, the one an action is taken as.
ACTOR_PREFERENCE: tuple[Actor, ...] = (Actor.OFFICER, Actor.BODY, Actor.HOST, Actor.AUDITOR)


def role_for(action: Action, actors: Iterable[Actor]) -> Actor | None:
    held = frozenset(actors)
    return next((a for a in ACTOR_PREFERENCE if a in held and a in action.actors), None)


@dataclass(frozen=True)
class Offered:
    action: Action
    form: ActionForm
    finding: Finding | None = None


def _prefix(action: Action, finding: Finding | None) -> str:
    return f"{action.name}-{finding.pk}" if finding is not None else action.name


def offered_forms(
    *,
    audit: Audit,
    actors: frozenset[Actor],
    findings: Iterable[Finding] = (),
    bound: ActionForm | None = None,
) -> tuple[list[Offered], dict[int, list[Offered]]]:
    """The forms of every action these actors may take now: on the audit, and on each finding.
    The choices the forms show are loaded once for the page. A form sent back with errors
    (`bound`) takes the place of its empty twin, so its errors and input show where they were."""
    plan: list[tuple[Action, Finding | None]] = [
        (action, None) for action in actions_for(audit=audit, actors=actors)
    ]
    for one in findings:
        plan += [(action, one) for action in actions_for(audit=audit, actors=actors, finding=one)]
    plan = [(action, finding) for action, finding in plan if action.name in ACTION_FORMS]
    needs: set[str] = set()
    for action, _finding in plan:
        needs |= ACTION_FORMS[action.name].needs
    choices = choices_for(audit, needs, auditor=Actor.AUDITOR in actors)
    on_audit: list[Offered] = []
    on_findings: dict[int, list[Offered]] = {}
    for action, finding in plan:
        prefix = _prefix(action, finding)
        form = (
            bound
            if bound is not None and bound.prefix == prefix
            else ACTION_FORMS[action.name](
                audit=audit, choices=choices, role=role_for(action, actors), prefix=prefix
            )
        )
        offered = Offered(action=action, form=form, finding=finding)
        if finding is None:
            on_audit.append(offered)
        else:
            on_findings.setdefault(finding.pk, []).append(offered)
    return on_audit, on_findings


def say_unplaced_errors(
    request: HttpRequest,
    bound: ActionForm | None,
    on_audit: list[Offered],
    on_findings: dict[int, list[Offered]],
) -> None:
    """A refused form the page no longer offers (the action is not open now) cannot show its
    errors beside its fields: they are said in a message instead."""
    if bound is None:
        return
    shown = [o.form for o in on_audit] + [o.form for group in on_findings.values() for o in group]
    if any(form is bound for form in shown):
        return
    for errors in bound.errors.values():
        for error in errors:
            messages.error(request, str(error))


def take_action(
    request: HttpRequest,
    *,
    audit: Audit,
    name: str,
    actors: frozenset[Actor],
    finding: Finding | None = None,
) -> ActionForm | None:
    """Validate the action's form and take the action as this person. None when it is taken
    (with its message); otherwise the form, bound, with why not beside its fields, for the page
    to show again. An action this person may never take is a 404, as for an outsider."""
    action = ACTIONS_BY_NAME.get(name)
    if action is None or action.name not in ACTION_FORMS or action.on_finding != bool(finding):
        raise Http404
    role = role_for(action, actors)
    if role is None:
        raise Http404
    form_class = ACTION_FORMS[action.name]
    form = form_class(
        request.POST,
        audit=audit,
        choices=choices_for(audit, set(form_class.needs), auditor=role == Actor.AUDITOR),
        role=role,
        prefix=_prefix(action, finding),
    )
    if not form.is_valid():
        return form
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (views are behind login)
    try:
        form.perform(actor=user, role=role, finding=finding)
    except AuditError as exc:
        form.add_error(None, str(exc))
        return form
    messages.success(request, str(action.done))
    return None


def picker_needed(on_audit: list[Offered], on_findings: dict[int, list[Offered]]) -> bool:
    """Whether a form of the page takes an evidence version, so the page offers its one
    evidence picker (audits/_evidence_picker.html)."""
    offered = on_audit + [o for group in on_findings.values() for o in group]
    return any(
        isinstance(field, EvidenceVersionField)
        for one in offered
        for field in one.form.fields.values()
    )


def evidence_search(request: HttpRequest, *, versions: QuerySet[EvidenceVersion]) -> HttpResponse:
    """The evidence picker's search among `versions` (already scoped to this person): JSON for
    static/js/evidence-picker.js, a page of numbers to type for a browser without JavaScript.
    At most EVIDENCE_SEARCH_LIMIT matches, whatever the number of versions."""
    query = request.GET.get("q", "")
    wants_json = "application/json" in request.headers.get("Accept", "")
    if "\x00" in query or len(query) > EVIDENCE_SEARCH_MAX_LENGTH:
        error = _("Search with fewer than %(count)d characters, without control characters.") % {
            "count": EVIDENCE_SEARCH_MAX_LENGTH
        }
        if wants_json:
            return JsonResponse({"error": error}, status=400)
        return render(
            request, "audits/evidence_search.html", {"error": error, "query": ""}, status=400
        )
    found, more = evidence_versions_search(versions=versions, query=query)
    if wants_json:
        return JsonResponse(
            {
                "results": [
                    {"id": version.pk, "label": f"#{version.pk} {version_label(version)}"}
                    for version in found
                ],
                "more": more,
            }
        )
    return render(
        request,
        "audits/evidence_search.html",
        {"versions": found, "more": more, "query": query},
    )
