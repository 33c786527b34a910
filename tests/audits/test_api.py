"""The audits API: cycles, audits, the actions of the workflow on audits and findings (what you
may do now, then doing it), reviews, and the auditor's endpoints. Writes go through the services
(trail); outsiders get 404, members whose role never allows an action 403, an action refused in
this state 400 with the reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import audit_plan, cycle_create
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from evidence.services import evidence_version_add
from hdsready.models import TrailEvent
from scopes.models import Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.scopes.test_api import api_client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.usefixtures("clock_after_the_2027_decisions"),
]


JSON = "application/json"


@pytest.fixture
def api():
    return api_client


def o(organisation_or_slug, rest=""):
    slug = getattr(organisation_or_slug, "slug", organisation_or_slug)
    return f"/api/o/{slug}/{rest}"


def own_slug(user):
    return user.memberships.get().organisation.slug


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


def kinds(prefix=""):
    return list(
        TrailEvent.objects.filter(kind__startswith=prefix)
        .order_by("seq")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def cycle(scoped, officer):
    return cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )


@pytest.fixture
def audit(cycle, officer):
    return audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)


def act(client, organisation, audit, action, **data):
    return client.post(
        o(organisation, f"audits/{audit.pk}/actions/{action}/"), data, content_type=JSON
    )


def act_on_finding(client, organisation, finding, action, **data):
    return client.post(
        o(organisation, f"findings/{finding.pk}/actions/{action}/"), data, content_type=JSON
    )


def offered(client, organisation, audit):
    response = client.get(o(organisation, f"audits/{audit.pk}/actions/"))
    assert response.status_code == 200, response.content
    return {(row["name"], row["finding"]): row for row in response.json()["results"]}


def walk_to_corrections(client, organisation, audit, auditor):
    """Stage 1 then stage 2 through the API, a minor NC raised by the auditor on the way."""
    steps = [
        ("stage1-schedule", {"start": "2026-12-01", "end": "2026-12-02"}),
        ("stage1-submit", {}),
        ("stage1-complete", {"outcome": "Documentation complete"}),
        ("stage2-schedule", {"start": "2027-01-29", "end": "2027-01-31", "sites": "Paris"}),
    ]
    for action, data in steps:
        response = act(client, organisation, audit, action, **data)
        assert response.status_code == 200, (action, response.content)
    finding = finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement("EXI 10"),
        description="Awareness sessions not recorded for new staff",
        actor=auditor,
    )
    response = act(
        client, organisation, audit, "stage2-complete", ended_on="2027-01-31", outcome="1 NC"
    )
    assert response.status_code == 200, response.content
    return response.json(), finding


@pytest.fixture
def in_corrections(api, officer, scoped, audit, auditor):
    _data, finding = walk_to_corrections(api(officer), scoped, audit, auditor)
    return finding


@pytest.fixture
def review(scoped, officer, audit, auditor):
    item = make_item(scoped, officer)
    version = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)
    pinned = PinnedVersion.objects.create(
        audit=audit, stage=Stage.DOCUMENTARY, requirement=requirement("EXI 02"), version=version
    )
    return EvidenceReview.objects.create(
        audit=audit,
        pinned=pinned,
        decision=ReviewDecision.NEEDS_REVISION,
        comment="Dated 2019",
        reviewer=auditor,
    )


class TestAuthentication:
    def test_anonymous_is_401(self, scoped, cycle):
        response = Client().get(o(scoped, "cycles/"))
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_wrong_token_is_401(self, scoped):
        client = Client(headers={"Authorization": "Bearer not-a-token"})
        assert client.get(o(scoped, "audits/")).status_code == 401

    def test_a_token_reads(self, api, manager, scoped, cycle):
        response = api(manager).get(o(scoped, "cycles/"))
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [cycle.pk]


class TestCycles:
    def test_list_and_detail(self, api, manager, scoped, cycle, audit):
        client = api(manager)
        listed = client.get(o(scoped, "cycles/")).json()["results"]
        detail = client.get(o(scoped, f"cycles/{cycle.pk}/")).json()
        assert listed == [detail]
        assert detail["certification_body"] == "Organisme X"
        assert detail["accreditation"] == "5-0001"
        assert detail["activities"] == [3, 4, 5, 6]
        assert detail["audits"] == [audit.pk]

    def test_officer_opens_a_cycle(self, api, officer, scoped):
        response = api(officer).post(
            o(scoped, "cycles/"),
            {"certification_body": "Organisme Y", "accreditation": "5-0002"},
            content_type=JSON,
        )
        assert response.status_code == 201, response.content
        cycle = Cycle.objects.get(organisation=scoped)
        assert response.json()["id"] == cycle.pk
        assert response.json()["activities"] == [3, 4, 5, 6]
        assert kinds("cycle.") == ["cycle.created"]

    def test_service_refusal_is_400(self, api, officer, organisation):
        # No activity declared: the service refuses with its message.
        response = api(officer).post(
            o(organisation, "cycles/"),
            {"certification_body": "Organisme Y", "accreditation": "5-0002"},
            content_type=JSON,
        )
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Declare the activities in scope before opening a cycle."
        }
        assert not Cycle.objects.exists()


class TestAudits:
    def test_list_detail_and_filter(self, api, manager, scoped, officer, cycle, audit):
        other_cycle = cycle_create(
            organisation=scoped, certification_body="Z", accreditation="1", actor=officer
        )
        other = audit_plan(cycle=other_cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        client = api(manager)
        everything = client.get(o(scoped, "audits/")).json()["results"]
        assert {row["id"] for row in everything} == {audit.pk, other.pk}
        only = client.get(o(scoped, "audits/"), {"cycle": cycle.pk}).json()["results"]
        assert [row["id"] for row in only] == [audit.pk]
        detail = client.get(o(scoped, f"audits/{audit.pk}/")).json()
        assert detail == only[0]
        assert detail["status"] == "draft"
        assert detail["kind"] == "initial"
        assert detail["correction_deadline"] is None
        assert detail["days_left"] is None
        assert detail["decision"] is None

    def test_officer_plans_an_audit(self, api, officer, scoped, cycle):
        response = api(officer).post(
            o(scoped, "audits/"),
            {"cycle": cycle.pk, "kind": "surveillance", "due_on": "2027-06-30"},
            content_type=JSON,
        )
        assert response.status_code == 201, response.content
        audit = Audit.objects.get(cycle=cycle)
        assert response.json()["id"] == audit.pk
        assert (audit.kind, audit.due_on) == (AuditKind.SURVEILLANCE, date(2027, 6, 30))
        assert kinds("audit.") == ["audit.planned"]

    def test_full_walk_to_corrections(self, api, officer, contributor, scoped, audit, auditor):
        data, finding = walk_to_corrections(api(officer), scoped, audit, auditor)
        audit.refresh_from_db()
        deadline = deadlines.correction_deadline(onsite_audit_end=date(2027, 1, 31))
        assert deadline == date(2027, 4, 30)
        assert audit.status == AuditStatus.CORRECTIONS
        assert audit.correction_deadline == deadline
        assert data["status"] == "corrections"
        assert data["stage1_start"] == "2026-12-01"
        assert data["stage1_submitted_at"] is not None
        assert data["stage2_end"] == "2027-01-31"
        assert data["stage2_sites"] == "Paris"
        assert data["correction_deadline"] == "2027-04-30"
        assert isinstance(data["days_left"], int)
        # One event per action, named by it.
        assert kinds("audit.") == [
            "audit.planned",
            "audit.stage1_scheduled",
            "audit.stage1_submitted",
            "audit.stage1_completed",
            "audit.stage2_scheduled",
            "audit.stage2_completed",  # straight to corrections: one minor NC
        ]
        completed = TrailEvent.objects.get(kind="audit.stage2_completed")
        assert completed.data["as"] == "officer"
        assert (completed.data["from"], completed.data["to"]) == ("stage2_planned", "corrections")

        # The contributor answers the finding.
        client = api(contributor)
        listed = client.get(o(scoped, "findings/"), {"audit": audit.pk}).json()["results"]
        assert [row["id"] for row in listed] == [finding.pk]
        assert listed[0]["status"] == "open"
        assert listed[0]["requirement"] == "EXI 10"
        assert set(offered(client, scoped, audit)) == {("correction-submit", finding.pk)}
        response = act_on_finding(
            client,
            scoped,
            finding,
            "correction-submit",
            correction="Sessions recorded",
            root_cause="No onboarding checklist",
            action_plan="Checklist in HR onboarding",
            owner=contributor.pk,
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
        assert response.json()["owner"] == contributor.email
        finding.refresh_from_db()
        assert finding.status == FindingStatus.CORRECTION_SUBMITTED
        assert finding.root_cause == "No onboarding checklist"
        assert kinds("finding.") == ["finding.raised", "finding.correction_submitted"]
        assert client.get(o(scoped, f"findings/{finding.pk}/")).json() == response.json()

    def test_actions_offered_now_with_their_fields(self, api, officer, manager, scoped, audit):
        rows = offered(api(officer), scoped, audit)
        assert set(rows) == {("stage1-schedule", None), ("cancel", None)}
        schedule = rows[("stage1-schedule", None)]
        assert schedule["label"] == "Schedule the documentary audit"
        assert [(f["name"], f["required"]) for f in schedule["fields"]] == [
            ("start", True),
            ("end", True),
        ]
        # A manager reads the audit but may take no action.
        assert offered(api(manager), scoped, audit) == {}

    def test_a_surveillance_audit_offers_no_decision(self, api, officer, scoped, cycle):
        audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        rows = offered(api(officer), scoped, audit)
        assert ("decision-record", None) not in rows  # a surveillance audit has no decision
        assert ("stage2-schedule", None) in rows  # and may start on site

    def test_refused_in_this_state_is_400_with_the_reason(self, api, officer, scoped, audit):
        response = act(api(officer), scoped, audit, "stage1-complete", outcome="x")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "This audit is “Draft”: “Complete the documentary audit” is not possible now."
        }
        audit.refresh_from_db()
        assert audit.status == AuditStatus.DRAFT
        assert kinds("audit.") == ["audit.planned"]

    def test_form_errors_are_400(self, api, officer, scoped, audit):
        response = act(api(officer), scoped, audit, "stage1-schedule", start="2026-12-01")
        assert response.status_code == 400
        assert set(response.json()) == {"end"}
        assert kinds("audit.") == ["audit.planned"]

    @pytest.mark.parametrize("body", ["[]", "true", "2.5", '"text"', "null"])
    def test_a_body_that_is_no_object_is_400(self, api, officer, scoped, audit, body):
        response = api(officer).post(
            o(scoped, f"audits/{audit.pk}/actions/stage1-schedule/"), body, content_type=JSON
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Send the action's fields as a JSON object."}
        assert kinds("audit.") == ["audit.planned"]

    def test_an_access_window_from_before_2000_is_400(self, api, officer, scoped, audit):
        response = api(officer).post(
            o(scoped, f"audits/{audit.pk}/auditors/"),
            {
                "email": "auditor@body.test",
                "valid_from": "0704-06-05T15:37:12Z",
                "valid_until": "2999-01-01T00:00:00Z",
            },
            content_type=JSON,
        )
        assert response.status_code == 400
        assert response.json() == {"valid_from": ["The access window cannot start before 2000."]}
        assert kinds("auditor_access.") == []

    def test_unknown_action_is_404(self, api, officer, scoped, audit):
        for action in ("no-such-action", "corrections-lapse", "correction-submit"):
            assert act(api(officer), scoped, audit, action).status_code == 404, action

    def test_correction_outside_the_window_is_400(self, api, contributor, scoped, officer, audit):
        act(api(officer), scoped, audit, "stage1-schedule", start="2026-12-01", end="2026-12-02")
        finding = finding_raise(
            audit=audit,
            kind=FindingKind.MAJOR,
            requirement=requirement("EXI 10"),
            description="No records",
            actor=officer,
        )
        response = act_on_finding(
            api(contributor),
            scoped,
            finding,
            "correction-submit",
            correction="a",
            root_cause="b",
            action_plan="c",
        )
        assert response.status_code == 400
        assert response.json() == {
            "detail": "This audit is “Documentary audit planned”: “Submit the correction” is not "
            "possible now."
        }
        assert Finding.objects.get().status == FindingStatus.OPEN


def test_decision_after_verified_corrections(api, officer, scoped, audit, auditor, in_corrections):
    finding_submit_correction(
        finding=in_corrections, correction="a", root_cause="b", action_plan="c", actor=officer
    )
    client = api(officer)
    # The officer records the body's verification, then its decision.
    response = act_on_finding(
        client, scoped, in_corrections, "correction-verify", accepted="yes", comment="Seen"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"
    assert TrailEvent.objects.get(kind="finding.correction_verified").data["as"] == "body"
    decision = offered(client, scoped, audit)[("decision-record", None)]
    fields = {field["name"]: field for field in decision["fields"]}
    assert fields["outcome"]["choices"] == ["granted", "reduced", "refused"]
    assert fields["activities"]["choices"] == ["1", "2", "3", "4", "5", "6"]
    assert {"decided_on", "number_physical", "number_managed", "expires_on", "letter"} <= set(
        fields
    )
    response = act(
        client,
        scoped,
        audit,
        "decision-record",
        outcome="granted",
        activities=[3, 4, 5, 6],
        number_managed="HDS-2027-001",
        decided_on="2027-03-15",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "decided"
    assert data["decision"]["certificate_number"] == "HDS-2027-001"
    assert data["decision"]["activities"] == [3, 4, 5, 6]
    assert data["decision"]["expires_on"] == "2030-03-14"
    assert "audit.decided" in kinds("audit.")
    # The decision planned the surveillance and renewal audits.
    listed = client.get(o(scoped, "audits/"), {"cycle": audit.cycle_id}).json()["results"]
    assert [row["kind"] for row in listed] == ["initial", "surveillance", "surveillance", "renewal"]
    renewal = Audit.objects.get(kind=AuditKind.RENEWAL)
    assert renewal.due_on == date(2029, 12, 14)


def test_decision_needs_its_fields(api, officer, scoped, audit, auditor, in_corrections):
    finding_submit_correction(
        finding=in_corrections, correction="a", root_cause="b", action_plan="c", actor=officer
    )
    finding_verify(finding=in_corrections, accepted=True, comment="", actor=auditor)
    response = act(api(officer), scoped, audit, "decision-record")
    assert response.status_code == 400
    assert set(response.json()) == {"outcome", "decided_on"}
    response = act(
        api(officer),
        scoped,
        audit,
        "decision-record",
        outcome="granted",
        decided_on="2027-03-15",
        activities=[3, 4, 5, 6],
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Enter the number of each certificate granted."}
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS_VERIFIED


def test_reviews(api, manager, scoped, audit, review):
    response = api(manager).get(o(scoped, f"audits/{audit.pk}/reviews/"))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == review.pk
    assert row["decision"] == "needs_revision"
    assert row["requirement"] == "EXI 02"
    assert row["version"] == 1
    assert row["reviewer"] == "auditor@organisme.test"
    assert row["stage"] == "1"


def endpoints(cycle, audit, finding):
    """Every endpoint with our ids: (method, path after the slug, body)."""
    return [
        ("get", "cycles/", None),
        ("post", "cycles/", {"certification_body": "X", "accreditation": "1"}),
        ("get", f"cycles/{cycle.pk}/", None),
        ("get", "audits/", None),
        ("get", f"audits/?cycle={cycle.pk}", None),
        ("post", "audits/", {"cycle": cycle.pk, "kind": "surveillance"}),
        ("get", f"audits/{audit.pk}/", None),
        ("get", f"audits/{audit.pk}/actions/", None),
        ("post", f"audits/{audit.pk}/actions/cancel/", {"reason": "x"}),
        ("get", f"audits/{audit.pk}/reviews/", None),
        ("get", "findings/", None),
        ("get", f"findings/?audit={audit.pk}", None),
        ("get", "deadlines/", None),
        ("get", f"findings/{finding.pk}/", None),
        (
            "post",
            f"findings/{finding.pk}/actions/correction-submit/",
            {"correction": "a", "root_cause": "b", "action_plan": "c"},
        ),
        ("post", f"findings/{finding.pk}/actions/correction-verify/", {"accepted": "yes"}),
    ]


NO_ID = {
    ("get", "cycles/"),
    ("post", "cycles/"),
    ("get", "audits/"),
    ("get", "findings/"),
    ("get", "deadlines/"),
}


def test_outsider_gets_404_everywhere(api, outsider, scoped, cycle, audit, in_corrections):
    client = api(outsider)
    before = TrailEvent.objects.count()
    for method, rest, body in endpoints(cycle, audit, in_corrections):
        call = getattr(client, method)
        response = call(o(scoped, rest), body, content_type=JSON) if body else call(o(scoped, rest))
        assert response.status_code == 404, (method, rest)
        # Their own organisation with our ids: the ids are unknown there. The lists without an
        # id answer (empty) for their own organisation, so only the calls with an id count.
        if (method, rest) not in NO_ID:
            mine = o(own_slug(outsider), rest)
            response = call(mine, body, content_type=JSON) if body else call(mine)
            assert response.status_code == 404, ("own slug", method, rest, response.content)
    assert TrailEvent.objects.count() == before


def test_manager_gets_403_on_writes(api, manager, scoped, cycle, audit, in_corrections):
    client = api(manager)
    before = TrailEvent.objects.count()
    for method, rest, body in endpoints(cycle, audit, in_corrections):
        if method != "post":
            continue
        response = client.post(o(scoped, rest), body, content_type=JSON)
        assert response.status_code == 403, rest
    assert TrailEvent.objects.count() == before
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_contributor_may_not_move_audits(api, contributor, scoped, audit, in_corrections):
    client = api(contributor)
    response = act(client, scoped, audit, "cancel", reason="x")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this action."}
    response = act_on_finding(client, scoped, in_corrections, "correction-verify", accepted="yes")
    assert response.status_code == 403
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_audit_list_query_count_is_constant(api, officer, scoped, cycle):
    client = api(officer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(o(scoped, "audits/"))
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    client.get(o(scoped, "audits/"))  # the first request of a process fills Django's caches
    one, shown = queries()
    assert shown == 1
    for _n in range(4):
        audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
    assert queries() == (one, 5), one


def test_schema_lists_the_audit_endpoints(client_as, officer):
    schema = client_as(officer).get("/api/schema/?format=json").json()
    for path in (
        "/api/o/{slug}/cycles/",
        "/api/o/{slug}/audits/{id}/actions/",
        "/api/o/{slug}/audits/{id}/actions/{action}/",
        "/api/o/{slug}/findings/{id}/actions/{action}/",
        "/api/o/{slug}/audits/{id}/reviews/",
        "/api/o/{slug}/deadlines/",
        "/api/auditor/audits/",
        "/api/auditor/audits/{id}/",
        "/api/auditor/audits/{id}/actions/",
        "/api/auditor/audits/{id}/actions/{action}/",
        "/api/auditor/audits/{id}/findings/{finding_pk}/actions/{action}/",
    ):
        assert path in schema["paths"], path
    for gone in (
        "/api/o/{slug}/audits/{id}/transition/",
        "/api/o/{slug}/findings/{id}/correction/",
    ):
        assert gone not in schema["paths"]


# The auditor's side


def invite(audit, officer, auditor):
    now = timezone.now()
    access, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=2),
        actor=officer,
    )
    return auditor_accept_existing_user(access=access, user=auditor)


def auditor_url(rest=""):
    return f"/api/auditor/{rest}"


class TestAuditorAPI:
    def test_lists_and_reads_the_audits_invited_to(self, api, officer, auditor, cycle, audit):
        other = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        invite(audit, officer, auditor)
        client = api(auditor)
        listed = client.get(auditor_url("audits/"))
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()] == [audit.pk]
        assert client.get(auditor_url(f"audits/{audit.pk}/")).json()["status"] == "draft"
        assert client.get(auditor_url(f"audits/{other.pk}/")).status_code == 404

    def test_walks_the_audit_as_its_auditor(
        self, api, officer, contributor, auditor, scoped, audit
    ):
        invite(audit, officer, auditor)
        act(api(officer), scoped, audit, "stage1-schedule", start="2026-12-01", end="2026-12-02")
        item = make_item(scoped, contributor, title="Awareness register")
        item.requirements.set([requirement("EXI 10")])
        version = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
        client = api(auditor)
        names = {
            row["name"]
            for row in client.get(auditor_url(f"audits/{audit.pk}/actions/")).json()["results"]
        }
        assert names == {"stage1-complete", "finding-raise", "evidence-review"}

        def post(action, **data):
            return client.post(
                auditor_url(f"audits/{audit.pk}/actions/{action}/"), data, content_type=JSON
            )

        response = post(
            "evidence-review",
            requirement=requirement("EXI 10").pk,
            version=version.pk,
            decision="accepted",
            comment="",
        )
        assert response.status_code == 200, response.content
        assert EvidenceReview.objects.get().reviewer == auditor
        response = post(
            "finding-raise",
            kind="minor",
            requirement=requirement("EXI 10").pk,
            description="March sessions missing",
        )
        assert response.status_code == 200, response.content
        finding = Finding.objects.get()
        assert (finding.stage, finding.raised_by) == (Stage.DOCUMENTARY, auditor)
        response = post("stage1-complete", outcome="Documentation complete")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "stage1_done"
        # Refused in this state: 400 with the reason.
        response = post("stage1-complete", outcome="Again")
        assert response.status_code == 400
        assert "not possible now" in response.json()["detail"]
        # An action the auditor never takes is a 404, as for anything outside the access.
        assert post("cancel", reason="x").status_code == 404
        assert post("stage2-schedule", start="2027-01-29", end="2027-01-31").status_code == 404
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.STAGE1_DONE

    def test_verifies_a_correction(
        self, api, officer, contributor, auditor, scoped, audit, in_corrections
    ):
        invite(audit, officer, auditor)
        finding = in_corrections
        finding_submit_correction(
            finding=finding, correction="a", root_cause="b", action_plan="c", actor=contributor
        )
        client = api(auditor)
        rows = client.get(auditor_url(f"audits/{audit.pk}/actions/")).json()["results"]
        verify = next(row for row in rows if row["name"] == "correction-verify")
        assert verify["finding"] == finding.pk
        assert "letter" not in [field["name"] for field in verify["fields"]]  # the body's only
        path = auditor_url(f"audits/{audit.pk}/findings/{finding.pk}/actions/correction-verify/")
        response = client.post(path, {"accepted": "no", "comment": ""}, content_type=JSON)
        assert response.status_code == 400
        assert response.json() == {"detail": "Say why the correction is not accepted."}
        response = client.post(path, {"accepted": "yes", "comment": "Seen"}, content_type=JSON)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "verified"
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CORRECTIONS_VERIFIED
        event = TrailEvent.objects.get(kind="finding.correction_verified")
        assert (event.actor, event.data["as"]) == (auditor, "auditor")
        # The host's action is not the auditor's.
        submit = auditor_url(f"audits/{audit.pk}/findings/{finding.pk}/actions/correction-submit/")
        assert client.post(submit, {}, content_type=JSON).status_code == 404

    def test_404_outside_the_access_window(self, api, officer, auditor, outsider, scoped, audit):
        access = invite(audit, officer, auditor)
        paths = [
            ("get", auditor_url(f"audits/{audit.pk}/")),
            ("get", auditor_url(f"audits/{audit.pk}/actions/")),
            ("post", auditor_url(f"audits/{audit.pk}/actions/stage1-complete/")),
            ("post", auditor_url(f"audits/{audit.pk}/findings/1/actions/correction-verify/")),
        ]
        for client in (api(outsider), api(officer)):  # not invited (even the audit's officer)
            for method, path in paths:
                assert getattr(client, method)(path).status_code == 404, path
        access.valid_until = timezone.now() - timedelta(minutes=1)
        access.save(update_fields=["valid_until"])
        client = api(auditor)
        assert client.get(auditor_url("audits/")).json() == []
        for method, path in paths:
            assert getattr(client, method)(path).status_code == 404, path
