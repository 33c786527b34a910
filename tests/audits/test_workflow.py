"""The certification workflow (audits/workflow.py), tested over its whole space:

- the definition itself: every action has its effect and its form, every state can still end;
- every state x action x role, generated from the definition, through the pages: the action is
  taken, refused with a message and nothing changed, or a 404 for who may never take it; and a
  form is on the page exactly when the action is allowed;
- every form offered to each persona on each state is accepted when submitted as it is filled;
- the same through the API;
- random sequences of actions, late findings and dates (hypothesis): from every reachable state
  the audit can still reach a decision or its close.
"""

from __future__ import annotations

import re
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from audits import deadlines, workflow
from audits.forms import ACTION_FORMS
from audits.models import Audit, AuditKind, AuditStatus, Finding, FindingKind, FindingStatus
from audits.services import AuditError
from audits.services.workflow import EFFECTS
from audits.workflow import ACTIONS, Actor, actions_for
from hdsready.dates import date_format
from hdsready.models import Role, TrailEvent
from hdsready.services.tokens import api_token_create
from tests.audits.workflow_helpers import (
    Cast,
    audit_in,
    prefixed,
    target_finding,
    valid_input,
)
from tests.conftest import verified_client_for
from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = AuditStatus
PAGE_ACTIONS = [action for action in ACTIONS if action.name in ACTION_FORMS]
ROLES = ("officer", "contributor", "manager", "auditor", "outsider")
MEMBER_ACTORS: dict[str, frozenset[Actor]] = {
    "officer": frozenset({Actor.OFFICER, Actor.BODY, Actor.HOST}),
    "contributor": frozenset({Actor.HOST}),
    "manager": frozenset(),
    "outsider": frozenset(),
}


# The definition


def test_every_action_has_its_effect():
    assert {action.name for action in ACTIONS} - set(EFFECTS) == {workflow.AUDITOR_INVITE.name}


def test_every_action_a_person_takes_has_its_form():
    for action in ACTIONS:
        if action.actors - {Actor.SYSTEM} and action is not workflow.AUDITOR_INVITE:
            assert action.name in ACTION_FORMS, action.name


def test_from_every_state_an_end_can_be_reached():
    table = workflow.transitions()
    ends = {S.DECIDED, S.REFUSED, S.CLOSED, S.CANCELLED}
    for state in S.values:
        seen, todo = {state}, [state]
        while todo:
            for following in table[todo.pop()] - seen:
                seen.add(following)
                todo.append(following)
        assert seen & ends, state
        # ... and not only by cancelling it.
        if state not in ends:
            assert seen & {S.DECIDED, S.CLOSED}, state


def test_states_and_actions_have_labels_in_both_languages():
    from django.utils import translation

    for language in ("fr", "en"):
        with translation.override(language):
            for action in ACTIONS:
                assert str(action.label)
                assert str(action.done)
            for state in S:
                assert str(state.label)
    with translation.override("fr"):
        assert str(S.AWAITING_VERIFICATION.label) != "awaiting_verification"


# Every state x action x role, through the pages


def _persona(role: str, cast: Cast, request: pytest.FixtureRequest):
    if role == "officer":
        return cast.officer
    if role == "contributor":
        return cast.contributor
    if role == "auditor":
        return cast.auditor
    if role == "manager":
        return make_member(cast.organisation, Role.MANAGER, email="m@clinicloud.test")
    return request.getfixturevalue("outsider")


def _action_url(role: str, audit: Audit, action: workflow.Action, finding: Finding | None) -> str:
    if role == "auditor":
        if finding is not None:
            return reverse(
                "audits:auditor-finding-action", args=[audit.pk, finding.pk, action.name]
            )
        return reverse("audits:auditor-action", args=[audit.pk, action.name])
    slug = audit.cycle.organisation.slug
    if finding is not None:
        return reverse("audits:finding-action", args=[slug, finding.pk, action.name])
    return reverse("audits:audit-action", args=[slug, audit.pk, action.name])


def _page(role: str, audit: Audit) -> str:
    if role == "auditor":
        return reverse("audits:auditor-review", args=[audit.pk])
    return reverse("audits:audit-detail", args=[audit.cycle.organisation.slug, audit.pk])


def _actors(role: str) -> frozenset[Actor]:
    return frozenset({Actor.AUDITOR}) if role == "auditor" else MEMBER_ACTORS[role]


def _expected(role: str, audit: Audit, action: workflow.Action, finding: Finding | None) -> str:
    if not action.actors & _actors(role):
        return "404"
    if action.refusal(audit, finding) is not None:
        return "refused"
    return "done"


@contextmanager
def rolled_back():
    """Run a block, then undo what it wrote: each action is tried on the same audit."""
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _check_page_answer(client, role, audit, action, cast, page_html):
    finding = target_finding(audit, action) if action.on_finding else None
    if action.on_finding and finding is None:
        assert f'data-action="{action.name}"' not in page_html
        return
    prefix = f"{action.name}-{finding.pk}" if finding is not None else action.name
    data = prefixed(valid_input(action, audit, cast), prefix)
    events_before = TrailEvent.objects.count()
    expected = _expected(role, audit, action, finding)
    offered = f'data-action="{action.name}"' in page_html
    response = client.post(_action_url(role, audit, action, finding), data)
    after = Audit.objects.get(pk=audit.pk)
    where = (action.name, role, audit.status)
    if expected == "404":
        assert response.status_code == 404, where
        assert not offered, where
        assert TrailEvent.objects.count() == events_before, where
        return
    if expected == "refused":
        # The page again, saying why, with nothing changed.
        assert response.status_code == 200, where
        text = response.content.decode().replace("&#x27;", "'")
        assert not offered, where
        assert after.status == audit.status, where
        assert TrailEvent.objects.count() == events_before, where
        assert '<li class="error"' in text, where
    else:
        assert response.status_code == 302, where
        text = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
        assert offered, where
        assert TrailEvent.objects.filter(kind=action.event).count() >= 1, where
        assert TrailEvent.objects.count() > events_before, where
        assert str(action.done) in text, where
        assert after.status in action.targets | {audit.status}, where


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", S.values)
def test_state_action_role_gives_the_documented_answer(cast, request, state, role):
    """For this state and role, every action of the definition: taken ("done": offered on the
    page, carried out, trailed), refused with a message and nothing changed (not offered), or a
    404 for who may never take it."""
    audit = audit_in(state, cast)
    user = _persona(role, cast, request)
    client = verified_client_for(user)
    page = client.get(_page(role, audit))
    html = page.content.decode() if page.status_code == 200 else ""
    if role in ("outsider",):
        assert page.status_code == 404
    for action in PAGE_ACTIONS:
        with rolled_back():
            _check_page_answer(client, role, audit, action, cast, html)


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ["officer", "contributor", "auditor"])
def test_every_offered_form_is_accepted(cast, request, state, role):
    """Submit every form the page offers, filled as a user would, one at a time on the same
    audit: none is refused, and the page offers exactly what the definition allows."""
    audit = audit_in(state, cast)
    user = _persona(role, cast, request)
    client = verified_client_for(user)
    html = client.get(_page(role, audit)).content.decode()
    names = sorted(set(re.findall(r'data-action="([a-z0-9-]+)"', html)))
    offered = {a.name for a in actions_for(audit=audit, actors=_actors(role))}
    for one in Finding.objects.filter(audit=audit):
        offered |= {a.name for a in actions_for(audit=audit, actors=_actors(role), finding=one)}
    assert set(names) == {name for name in offered if name in ACTION_FORMS}
    for name in names:
        action = workflow.ACTIONS_BY_NAME[name]
        with rolled_back():
            finding = target_finding(audit, action) if action.on_finding else None
            prefix = f"{name}-{finding.pk}" if finding is not None else name
            data = prefixed(valid_input(action, audit, cast), prefix)
            response = client.post(_action_url(role, audit, action, finding), data, follow=True)
            text = response.content.decode().replace("&#x27;", "'")
            assert str(action.done) in text, (name, state, role)


# The API


def _api(user) -> Client:
    _token, raw = api_token_create(user=user, name="test", actor=user)
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


@pytest.mark.parametrize("state", S.values)
def test_api_state_action_gives_the_documented_answer(cast, state):
    """Every action through the API, as the officer, the contributor and the auditor: the
    answers of the pages, as status codes, and the action list says what is allowed."""
    audit = audit_in(state, cast)
    slug = cast.organisation.slug
    users = {"officer": cast.officer, "contributor": cast.contributor, "auditor": cast.auditor}
    for role, user in users.items():
        client = _api(user)
        base = (
            f"/api/auditor/audits/{audit.pk}/"
            if role == "auditor"
            else f"/api/o/{slug}/audits/{audit.pk}/"
        )
        listing = client.get(f"{base}actions/")
        assert listing.status_code == 200
        listed = {(row["name"], row["finding"]) for row in listing.json()["results"]}
        for action in PAGE_ACTIONS:
            finding = target_finding(audit, action) if action.on_finding else None
            if action.on_finding and finding is None:
                continue
            if role == "auditor":
                url = (
                    f"{base}findings/{finding.pk}/actions/{action.name}/"
                    if finding
                    else f"{base}actions/{action.name}/"
                )
            else:
                url = (
                    f"/api/o/{slug}/findings/{finding.pk}/actions/{action.name}/"
                    if finding
                    else f"{base}actions/{action.name}/"
                )
            expected = _expected(role, audit, action, finding)
            key = (action.name, finding.pk if finding else None)
            where = (action.name, role, state)
            with rolled_back():
                before = TrailEvent.objects.count()
                response = client.post(
                    url, valid_input(action, audit, cast), content_type="application/json"
                )
                if expected == "404":
                    assert response.status_code == (404 if role == "auditor" else 403), where
                    assert key not in listed, where
                elif expected == "refused":
                    assert response.status_code == 400, (where, response.content)
                    assert key not in listed, where
                    assert TrailEvent.objects.count() == before, where
                else:
                    assert response.status_code == 200, (where, response.content)
                    assert key in listed, where


# Random sequences (hypothesis)


class CycleMachine(RuleBasedStateMachine):
    """Random actions, late findings and the passing of time on one audit, through the
    services; whatever happened, the audit can still be driven to a decision or its close
    without cancelling it."""

    cast: Cast

    def __init__(self) -> None:
        super().__init__()
        self.now: Any = None
        self.audit: Any = None

    @rule(kind=st.sampled_from([AuditKind.INITIAL, AuditKind.SURVEILLANCE, AuditKind.RENEWAL]))
    @precondition(lambda self: self.audit is None)
    def start(self, kind):
        from django.utils import timezone

        self.now = timezone.now()
        self.audit = audit_in(S.DRAFT, self.cast, kind=kind)

    def _try(self, action, **params):
        from audits.services.workflow import perform

        with suppress(AuditError):
            perform(action, audit=self.audit, actor=self.cast.officer, now=self.now, **params)
        self.audit = Audit.objects.get(pk=self.audit.pk)

    @rule(days=st.integers(min_value=0, max_value=120))
    @precondition(lambda self: self.audit is not None)
    def time_passes(self, days):
        from audits.services.cycle import audits_lapse_sweep

        self.now += timedelta(days=days)
        audits_lapse_sweep(now=self.now)
        self.audit = Audit.objects.get(pk=self.audit.pk)

    @rule(
        name=st.sampled_from(
            [a.name for a in ACTIONS if a.actors - {Actor.SYSTEM} and not a.on_finding]
        ),
        kind=st.sampled_from(FindingKind.values),
        outcome=st.sampled_from(["granted", "reduced", "refused"]),
    )
    @precondition(lambda self: self.audit is not None)
    def act(self, name, kind, outcome):
        from audits.workflow import ACTIONS_BY_NAME

        action = ACTIONS_BY_NAME[name]
        if action is workflow.AUDITOR_INVITE or action is workflow.CANCEL:
            return
        today = self.now.date()
        params = _service_params(action, self.audit, self.cast, today, kind, outcome)
        self._try(action, **params)

    @rule(accept=st.booleans())
    @precondition(lambda self: self.audit is not None)
    def answer_findings(self, accept):
        from audits.services.findings import finding_submit_correction, finding_verify

        for finding in Finding.objects.filter(audit=self.audit).order_by("pk"):
            try:
                if finding.status == FindingStatus.OPEN:
                    finding_submit_correction(
                        finding=finding,
                        correction="c",
                        root_cause="r",
                        action_plan="p",
                        actor=self.cast.contributor,
                        now=self.now,
                    )
                elif finding.status == FindingStatus.CORRECTION_SUBMITTED:
                    finding_verify(
                        finding=finding,
                        accepted=accept,
                        comment="" if accept else "again",
                        actor=self.cast.auditor,
                        now=self.now,
                    )
            except AuditError:
                pass
        self.audit = Audit.objects.get(pk=self.audit.pk)

    @invariant()
    def an_end_can_still_be_reached(self):
        if self.audit is None:
            return
        assert self.audit.status in S.values
        if self.audit.status in workflow.TERMINAL:
            return
        # Some action of a person is always possible (nothing is stuck).
        everyone = frozenset({Actor.OFFICER, Actor.BODY, Actor.HOST, Actor.AUDITOR})
        today = deadlines.paris_date(now=self.now)
        assert actions_for(audit=self.audit, actors=everyone, today=today), self.audit.status

    def teardown(self):
        if self.audit is None or self.audit.status == S.CANCELLED:
            return
        reached = drive_to_end(self.audit, self.cast, now=self.now)
        assert reached in (S.DECIDED, S.REFUSED, S.CLOSED), reached


def _service_params(action, audit, cast, today, kind, outcome):
    data = valid_input(action, audit, cast)
    params: dict[str, object] = {}
    match action.name:
        case "stage1-schedule":
            params = {"start": today, "end": today + timedelta(days=1)}
        case "stage2-schedule":
            start = max(today, (audit.stage1_end or today) + timedelta(days=1))
            params = {"start": start, "end": start + timedelta(days=1), "sites": "Paris"}
        case "stage1-complete":
            params = {"outcome": "ok"}
        case "stage2-complete":
            params = {"outcome": "ok", "ended_on": audit.stage2_end}
        case "stage2-end-correct":
            params = {"ended_on": audit.stage2_ended_on or today, "reason": "typo"}
        case "finding-raise":
            from tests.audits.workflow_helpers import requirement

            params = {
                "kind": kind,
                "requirement": requirement("EXI 10"),
                "description": "late",
                "evidence": None,
            }
        case "decision-record":
            activities = list(audit.cycle.activities)
            params = {
                "outcome": outcome,
                "decided_on": today,
                "activities": {"reduced": activities[:-1], "refused": []}.get(outcome, activities),
                "certificate_numbers": {"managed": "N-1", "physical": "P-1"},
                "expires_on": None,
                "letter": None,
            }
        case "evidence-review":
            from tests.audits.workflow_helpers import requirement

            params = {
                "requirement": requirement("EXI 05"),
                "version": cast.version,
                "decision": data["decision"],
                "comment": "",
            }
        case "close" | "stage1-submit":
            params = {}
        case "cancel":
            params = {"reason": "x"}
    return params


def _midday(day):
    """Noon in Paris on `day`."""
    return deadlines.end_of_day(day=day) - timedelta(hours=12)


def drive_to_end(audit: Audit, cast: Cast, *, now) -> str:
    """Take, step by step, the action that moves the audit towards its end (never cancel)."""
    from audits.services.cycle import (
        audit_close,
        audit_complete_stage1,
        audit_complete_stage2,
        audit_schedule_stage1,
        audit_schedule_stage2,
        decision_record,
    )
    from audits.services.findings import finding_submit_correction, finding_verify

    for _step in range(40):
        audit = Audit.objects.get(pk=audit.pk)
        status, today = audit.status, now.date()
        if status in (S.CLOSED, S.CANCELLED):
            return status
        if status in (S.DECIDED, S.REFUSED):
            audit_close(audit=audit, actor=cast.officer)
        elif status == S.DRAFT and audit.kind == AuditKind.SURVEILLANCE:
            audit_schedule_stage2(audit=audit, start=today, end=today, sites="", actor=cast.officer)
        elif status == S.DRAFT:
            audit_schedule_stage1(audit=audit, start=today, end=today, actor=cast.officer)
        elif status == S.STAGE1_PLANNED:
            # Completed once it has started: the time passes until then.
            now = max(now, _midday(audit.stage1_start))
            audit_complete_stage1(audit=audit, outcome="", actor=cast.officer, now=now)
        elif status in (S.STAGE1_DONE, S.ONSITE_REDO):
            start = max(today, (audit.stage1_end or today) + timedelta(days=1))
            audit_schedule_stage2(audit=audit, start=start, end=start, sites="", actor=cast.officer)
            now = max(now, now + (start - today))
        elif status == S.STAGE2_PLANNED:
            now = max(now, _midday(audit.stage2_start))
            audit_complete_stage2(audit=audit, outcome="", actor=cast.officer, now=now)
        elif status in (S.CORRECTIONS, S.AWAITING_VERIFICATION):
            for finding in Finding.objects.filter(audit=audit):
                if finding.status == FindingStatus.OPEN:
                    finding_submit_correction(
                        finding=finding,
                        correction="c",
                        root_cause="r",
                        action_plan="p",
                        actor=cast.contributor,
                        now=now,
                    )
                elif finding.status == FindingStatus.CORRECTION_SUBMITTED:
                    finding_verify(
                        finding=finding, accepted=True, comment="", actor=cast.auditor, now=now
                    )
        elif status in (S.STAGE2_DONE, S.CORRECTIONS_VERIFIED):
            if audit.kind == AuditKind.SURVEILLANCE:
                audit_close(audit=audit, actor=cast.officer)
            else:
                decision_record(
                    audit=audit,
                    decided_on=today,
                    activities=audit.cycle.activities,
                    certificate_numbers={"managed": "N-1", "physical": "P-1"},
                    actor=cast.officer,
                    now=now,
                )
                return S.DECIDED
    return Audit.objects.get(pk=audit.pk).status


def test_random_sequences_never_get_stuck(cast):
    CycleMachine.cast = cast
    machine_test = CycleMachine.TestCase
    machine_test.settings = settings(
        max_examples=25,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine_test().runTest()


def test_the_stuck_sequence_now_reaches_a_decision(cast):
    """Reproduced on the demo: a non-conformity recorded after "on-site audit done" opened no
    correction window, and everything after was refused."""
    from audits.services.cycle import decision_record
    from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
    from tests.audits.workflow_helpers import requirement

    audit = audit_in(S.STAGE2_DONE, cast)
    assert audit.stage2_ended_on is not None
    finding = finding_raise(
        audit=audit,
        kind=FindingKind.MAJOR,
        requirement=requirement("EXI 16"),
        description="No internal audit of access traces",
        actor=cast.auditor,
    )
    assert Audit.objects.get(pk=audit.pk).status == S.CORRECTIONS
    finding_submit_correction(
        finding=finding,
        correction="Audit done",
        root_cause="Not planned",
        action_plan="Yearly",
        actor=cast.contributor,
    )
    finding_verify(finding=finding, accepted=True, comment="", actor=cast.auditor)
    assert Audit.objects.get(pk=audit.pk).status == S.CORRECTIONS_VERIFIED
    decision_record(
        audit=audit,
        decided_on=timezone.localdate(),
        activities=audit.cycle.activities,
        certificate_numbers={"managed": "HDS-9"},
        actor=cast.officer,
    )
    assert Audit.objects.get(pk=audit.pk).status == S.DECIDED


def test_the_stuck_sequence_through_the_api_alone(cast):
    audit = audit_in(S.STAGE2_DONE, cast)
    assert audit.stage2_ended_on is not None
    slug = cast.organisation.slug
    officer, contributor, auditor = _api(cast.officer), _api(cast.contributor), _api(cast.auditor)
    from tests.audits.workflow_helpers import requirement

    raised = auditor.post(
        f"/api/auditor/audits/{audit.pk}/actions/finding-raise/",
        {"kind": "major", "requirement": requirement("EXI 16").pk, "description": "No audit"},
        content_type="application/json",
    )
    assert raised.status_code == 200, raised.content
    assert raised.json()["status"] == S.CORRECTIONS
    finding = Finding.objects.get(audit=audit, kind="major")
    answered = contributor.post(
        f"/api/o/{slug}/findings/{finding.pk}/actions/correction-submit/",
        {"correction": "Done", "root_cause": "Forgot", "action_plan": "Yearly"},
        content_type="application/json",
    )
    assert answered.status_code == 200, answered.content
    verified = officer.post(
        f"/api/o/{slug}/findings/{finding.pk}/actions/correction-verify/",
        {"accepted": "yes", "comment": "Body's letter of 3 March"},
        content_type="application/json",
    )
    assert verified.status_code == 200, verified.content
    decided = officer.post(
        f"/api/o/{slug}/audits/{audit.pk}/actions/decision-record/",
        {
            "outcome": "granted",
            "decided_on": audit.stage2_ended_on.isoformat(),
            "activities": audit.cycle.activities,
            "number_managed": "HDS-10",
        },
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == S.DECIDED


def test_auditor_invitations_through_the_api(cast, outsider):
    audit = audit_in(S.STAGE1_PLANNED, cast)
    url = f"/api/o/{cast.organisation.slug}/audits/{audit.pk}/auditors/"
    window = {"email": "second@organisme.test", "valid_from": "2030-01-01T09:00:00Z"}
    window["valid_until"] = "2030-01-05T18:00:00Z"
    invited = _api(cast.officer).post(url, window, content_type="application/json")
    assert invited.status_code == 201, invited.content
    assert (
        _api(cast.contributor).post(url, window, content_type="application/json").status_code == 403
    )
    assert _api(outsider).get(url).status_code == 404
    listed = _api(cast.officer).get(url).json()["results"]
    assert {row["email"] for row in listed} == {cast.auditor.email, "second@organisme.test"}
    revoked = _api(cast.officer).post(f"{url}{invited.json()['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    assert TrailEvent.objects.filter(kind__startswith="auditor").exists()


def test_no_auditor_invitation_once_the_audit_is_closed(cast):
    audit = audit_in(S.CLOSED, cast)
    url = f"/api/o/{cast.organisation.slug}/audits/{audit.pk}/auditors/"
    window = {"email": "late@organisme.test", "valid_from": "2030-01-01T09:00:00Z"}
    window["valid_until"] = "2030-01-05T18:00:00Z"
    refused = _api(cast.officer).post(url, window, content_type="application/json")
    assert refused.status_code == 400
    assert "not possible now" in refused.json()["detail"]
    page = verified_client_for(cast.officer).get(
        reverse("audits:audit-detail", args=[cast.organisation.slug, audit.pk])
    )
    invite_url = reverse("audits:auditor-invite", args=[cast.organisation.slug, audit.pk])
    assert invite_url not in page.content.decode()


# A stage is completed once it has started


@pytest.mark.parametrize("stage", ["stage1", "stage2"])
@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_a_stage_is_offered_for_completion_from_the_day_it_starts(cast, request, stage, role):
    """Before its first day the stage's « Terminer » is not offered, and a forced post is
    refused with the date, nothing changed; on its first day it is offered and accepted."""
    import time_machine
    from django.utils import translation

    from audits.services.cycle import (
        audit_complete_stage1,
        audit_schedule_stage1,
        audit_schedule_stage2,
    )

    today = timezone.localdate()
    start = today + timedelta(days=1)  # the auditor's invitation runs two days
    audit = audit_in(S.DRAFT, cast)
    if stage == "stage1":
        audit_schedule_stage1(audit=audit, start=start, end=start, actor=cast.officer)
    else:
        audit_schedule_stage1(audit=audit, start=today, end=today, actor=cast.officer)
        audit_complete_stage1(audit=audit, outcome="ok", actor=cast.officer)
        audit_schedule_stage2(
            audit=audit, start=start, end=start, sites="Paris", actor=cast.officer
        )
    audit = Audit.objects.get(pk=audit.pk)
    action = workflow.ACTIONS_BY_NAME[f"{stage}-complete"]
    client = verified_client_for(_persona(role, cast, request))
    html = client.get(_page(role, audit), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'data-action="{action.name}"' not in html
    with translation.override("fr"):
        day = date_format(start, "DATE_FORMAT")
    # The page says from when instead.
    waiting = html[html.index('id="audit-waiting"') :]
    assert f"commence le {day}" in waiting[: waiting.index("</section>")]
    events = TrailEvent.objects.count()
    data = prefixed(valid_input(action, audit, cast), action.name)
    response = client.post(_action_url(role, audit, action, None), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert f"commence le {day}" in response.content.decode().replace("&#x27;", "'")
    assert Audit.objects.get(pk=audit.pk).status == audit.status
    assert TrailEvent.objects.count() == events

    with time_machine.travel(deadlines.end_of_day(day=start) - timedelta(hours=12)):
        client = verified_client_for(_persona(role, cast, request))
        html = client.get(_page(role, audit)).content.decode()
        assert f'data-action="{action.name}"' in html
        assert 'id="audit-waiting"' not in html
        response = client.post(_action_url(role, audit, action, None), data)
        assert response.status_code == 302
        assert Audit.objects.get(pk=audit.pk).status in action.targets


def test_the_on_site_audit_ends_today_at_the_latest(cast):
    """Completed before its planned last day, with no date given, it ended today; a last day in
    the future is refused, on completion as on correction, nothing changed."""
    from audits.services.cycle import audit_complete_stage2, audit_correct_stage2_end

    today = timezone.localdate()
    audit = audit_in(S.STAGE2_PLANNED, cast)
    audit.stage2_start, audit.stage2_end = today, today + timedelta(days=2)
    audit.save(update_fields=["stage2_start", "stage2_end"])
    events = TrailEvent.objects.count()
    with pytest.raises(AuditError, match="not in the future"):
        audit_complete_stage2(
            audit=audit, outcome="", ended_on=today + timedelta(days=1), actor=cast.officer
        )
    assert Audit.objects.get(pk=audit.pk).status == S.STAGE2_PLANNED
    assert TrailEvent.objects.count() == events
    done = audit_complete_stage2(audit=audit, outcome="", actor=cast.officer)
    assert done.stage2_ended_on == today
    with pytest.raises(AuditError, match="not in the future"):
        audit_correct_stage2_end(
            audit=done, ended_on=today + timedelta(days=1), reason="typo", actor=cast.officer
        )
    assert Audit.objects.get(pk=audit.pk).stage2_ended_on == today
