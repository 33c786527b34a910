"""The audits API: cycles, audits and their transitions, findings and corrections, reviews.
Writes go through the services (trail); outsiders get 404, members without the right 403."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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
from audits.services.cycle import audit_plan, cycle_create
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from evidence.services import evidence_version_add
from hdsready.models import TrailEvent
from scopes.models import Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item
from tests.scopes.test_api import api_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

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


def transition(client, organisation, audit, **data):
    return client.post(o(organisation, f"audits/{audit.pk}/transition/"), data, content_type=JSON)


def walk_to_corrections(client, organisation, audit, auditor):
    """Stage 1 then stage 2 through the API, a minor NC raised by the auditor on the way."""
    steps = [
        {"action": "stage1", "start": "2026-12-01", "end": "2026-12-02"},
        {"action": "stage1_submit"},
        {"action": "stage1_complete", "outcome": "Documentation complete"},
        {"action": "stage2", "start": "2027-01-29", "end": "2027-01-31", "sites": "Paris"},
    ]
    for step in steps:
        response = transition(client, organisation, audit, **step)
        assert response.status_code == 200, (step, response.content)
    finding = finding_raise(
        audit=audit,
        kind=FindingKind.MINOR,
        requirement=requirement("EXI 10"),
        description="Awareness sessions not recorded for new staff",
        actor=auditor,
    )
    response = transition(client, organisation, audit, action="stage2_complete", outcome="1 NC")
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
        assert kinds("audit.") == [
            "audit.planned",
            "audit.status_changed",  # stage 1 planned
            "audit.stage1_submitted",
            "audit.status_changed",  # stage 1 done
            "audit.status_changed",  # stage 2 planned
            "audit.status_changed",  # stage 2 done
            "audit.status_changed",  # corrections
        ]

        # The contributor answers the finding.
        client = api(contributor)
        listed = client.get(o(scoped, "findings/"), {"audit": audit.pk}).json()["results"]
        assert [row["id"] for row in listed] == [finding.pk]
        assert listed[0]["status"] == "open"
        assert listed[0]["requirement"] == "EXI 10"
        response = client.post(
            o(scoped, f"findings/{finding.pk}/correction/"),
            {
                "correction": "Sessions recorded",
                "root_cause": "No onboarding checklist",
                "action_plan": "Checklist in HR onboarding",
                "owner": contributor.email,
            },
            content_type=JSON,
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
        assert response.json()["owner"] == contributor.email
        finding.refresh_from_db()
        assert finding.status == FindingStatus.CORRECTION_SUBMITTED
        assert finding.root_cause == "No onboarding checklist"
        assert kinds("finding.") == ["finding.raised", "finding.status_changed"]
        assert client.get(o(scoped, f"findings/{finding.pk}/")).json() == response.json()

    def test_audit_error_is_400(self, api, officer, scoped, audit):
        response = transition(api(officer), scoped, audit, action="stage1_complete", outcome="x")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "This audit is Draft: it cannot become Documentary audit done."
        }
        audit.refresh_from_db()
        assert audit.status == AuditStatus.DRAFT
        assert kinds("audit.status") == []

    def test_dates_the_action_needs(self, api, officer, scoped, audit):
        response = transition(api(officer), scoped, audit, action="stage1", start="2026-12-01")
        assert response.status_code == 400
        assert "end" in response.json()

    def test_correction_outside_the_window_is_400(self, api, contributor, scoped, officer, audit):
        transition(
            api(officer), scoped, audit, action="stage1", start="2026-12-01", end="2026-12-02"
        )
        finding = finding_raise(
            audit=audit,
            kind=FindingKind.MAJOR,
            requirement=requirement("EXI 10"),
            description="No records",
            actor=officer,
        )
        response = api(contributor).post(
            o(scoped, f"findings/{finding.pk}/correction/"),
            {"correction": "a", "root_cause": "b", "action_plan": "c"},
            content_type=JSON,
        )
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Corrections are submitted during the correction window."
        }


def test_decision_after_verified_corrections(api, officer, scoped, audit, auditor, in_corrections):
    finding_submit_correction(
        finding=in_corrections, correction="a", root_cause="b", action_plan="c", actor=officer
    )
    finding_verify(finding=in_corrections, accepted=True, comment="", actor=auditor)
    response = transition(
        api(officer),
        scoped,
        audit,
        action="decision",
        certificate_number="HDS-2027-001",
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
    listed = api(officer).get(o(scoped, "audits/"), {"cycle": audit.cycle_id}).json()["results"]
    assert [row["kind"] for row in listed] == ["initial", "surveillance", "surveillance", "renewal"]


def test_decision_needs_its_fields(api, officer, scoped, audit):
    response = transition(api(officer), scoped, audit, action="decision")
    assert response.status_code == 400
    assert set(response.json()) == {"certificate_number", "decided_on"}


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
        ("post", f"audits/{audit.pk}/transition/", {"action": "stage1_submit"}),
        ("get", f"audits/{audit.pk}/reviews/", None),
        ("get", "findings/", None),
        ("get", f"findings/?audit={audit.pk}", None),
        ("get", "deadlines/", None),
        ("get", f"findings/{finding.pk}/", None),
        (
            "post",
            f"findings/{finding.pk}/correction/",
            {"correction": "a", "root_cause": "b", "action_plan": "c"},
        ),
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


def test_contributor_may_not_move_audits(api, contributor, scoped, audit):
    response = transition(api(contributor), scoped, audit, action="stage1_submit")
    assert response.status_code == 403


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
        "/api/o/{slug}/audits/{id}/transition/",
        "/api/o/{slug}/findings/{id}/correction/",
        "/api/o/{slug}/audits/{id}/reviews/",
        "/api/o/{slug}/deadlines/",
    ):
        assert path in schema["paths"], path
