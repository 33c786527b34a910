"""The compliance officer's pages: cycles, an audit with its transitions, findings and the
correction window. Happy path, wrong method, outsider 404, members without the right 404,
service errors as messages, and the audit page's query count."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audits import deadlines
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    Decision,
    Finding,
    FindingKind,
    FindingStatus,
)
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    cycle_create,
)
from audits.services.findings import finding_raise
from evidence.services import evidence_version_add
from scopes.models import Requirement
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def client_as():
    """Verified clients that read the pages in English, like the messages compared here."""

    def make(user):
        client = verified_client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


def url(name, organisation, *args):
    return reverse(f"audits:{name}", args=[organisation.slug, *args])


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def cycle(scoped, officer):
    return cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )


@pytest.fixture
def audit(cycle, officer):
    return audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)


@pytest.fixture
def stage1_planned(audit, officer):
    return audit_schedule_stage1(
        audit=audit, start=date(2026, 12, 1), end=date(2026, 12, 2), actor=officer
    )


@pytest.fixture
def stage1_done(stage1_planned, officer):
    return audit_complete_stage1(audit=stage1_planned, outcome="Complete", actor=officer)


@pytest.fixture
def stage2_planned(stage1_done, officer):
    return audit_schedule_stage2(
        audit=stage1_done,
        start=date(2027, 1, 29),
        end=date(2027, 1, 31),
        sites="Paris",
        actor=officer,
    )


@pytest.fixture
def finding(stage2_planned, officer):
    return finding_raise(
        audit=stage2_planned,
        kind=FindingKind.MINOR,
        requirement=requirement("EXI 10"),
        description="Awareness sessions not recorded",
        actor=officer,
    )


@pytest.fixture
def correcting(finding, officer):
    """An audit in its correction window with one open minor non-conformity."""
    return audit_complete_stage2(audit=finding.audit, outcome="One minor NC", actor=officer)


@pytest.fixture
def stage2_done(stage2_planned, officer):
    return audit_complete_stage2(audit=stage2_planned, outcome="No NC", actor=officer)


@pytest.fixture
def surveillance_done(cycle, officer):
    """A surveillance audit whose on-site audit found no non-conformity."""
    audit = audit_plan(cycle=cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
    audit_schedule_stage2(
        audit=audit, start=date(2027, 1, 29), end=date(2027, 1, 31), sites="", actor=officer
    )
    return audit_complete_stage2(audit=audit, outcome="No NC", actor=officer)


def correction_data(finding, **extra):
    prefix = f"finding{finding.pk}-"
    data = {
        "correction": "Register filled for every new arrival",
        "root_cause": "No owner for the onboarding checklist",
        "action_plan": "HR owns the checklist; quarterly check",
        **extra,
    }
    return {prefix + key: value for key, value in data.items()}


# Every write: (url name, fixture giving the object whose pk is in the url, POST data).
def write_cases(request, name):
    """The URL and valid data of each write, from the fixtures of its starting state."""
    if name == "audit-plan":
        cycle = request.getfixturevalue("cycle")
        return cycle.pk, {"kind": AuditKind.INITIAL}
    if name == "audit-stage1":
        audit = request.getfixturevalue("audit")
        return audit.pk, {"stage1-start": "2026-12-01", "stage1-end": "2026-12-02"}
    if name == "audit-stage1-submit":
        return request.getfixturevalue("stage1_planned").pk, {}
    if name == "audit-stage1-complete":
        return request.getfixturevalue("stage1_planned").pk, {"stage1-outcome": "Complete"}
    if name == "audit-stage2":
        audit = request.getfixturevalue("stage1_done")
        return audit.pk, {
            "stage2-start": "2027-01-29",
            "stage2-end": "2027-01-31",
            "stage2-sites": "Paris",
        }
    if name == "finding-raise":
        audit = request.getfixturevalue("stage2_planned")
        return audit.pk, {
            "kind": FindingKind.MINOR,
            "requirement": str(requirement("EXI 10").pk),
            "description": "Awareness sessions not recorded",
        }
    if name == "audit-stage2-complete":
        return request.getfixturevalue("stage2_planned").pk, {"stage2-outcome": "Done"}
    if name == "audit-decision":
        audit = request.getfixturevalue("stage2_done")
        return audit.pk, {
            "certificate_number": "HDS-2027-001",
            "decided_on": "2027-03-01",
            "activities": ["3", "4", "5", "6"],
        }
    if name == "audit-cancel":
        return request.getfixturevalue("stage1_planned").pk, {"reason": "Body withdrew"}
    if name == "audit-close":
        return request.getfixturevalue("surveillance_done").pk, {}
    if name == "finding-correction":
        request.getfixturevalue("correcting")
        finding = request.getfixturevalue("finding")
        return finding.pk, correction_data(finding)
    raise AssertionError(name)


OFFICER_WRITES = [
    "audit-plan",
    "audit-stage1",
    "audit-stage1-submit",
    "audit-stage1-complete",
    "audit-stage2",
    "finding-raise",
    "audit-stage2-complete",
    "audit-decision",
    "audit-cancel",
    "audit-close",
]
WRITES = [*OFFICER_WRITES, "finding-correction"]


def snapshot():
    """What a refused request must leave untouched."""
    return (
        list(Cycle.objects.values_list("pk", flat=True)),
        list(Audit.objects.order_by("pk").values_list("pk", "status", "stage1_submitted_at")),
        list(Finding.objects.order_by("pk").values_list("pk", "status", "correction")),
        Decision.objects.count(),
    )


class TestWrites:
    @pytest.mark.parametrize("name", OFFICER_WRITES)
    def test_officer_happy_path(self, request, client_as, officer, organisation, name):
        pk, data = write_cases(request, name)
        before = snapshot()
        response = client_as(officer).post(url(name, organisation, pk), data, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith(f"/o/{organisation.slug}/audits/")
        assert [m.level_tag for m in response.context["messages"]] == ["success"]
        assert snapshot() != before

    def test_contributor_submits_a_correction(self, request, client_as, contributor, organisation):
        pk, data = write_cases(request, "finding-correction")
        response = client_as(contributor).post(url("finding-correction", organisation, pk), data)
        assert response.status_code == 302
        finding = Finding.objects.get(pk=pk)
        assert finding.status == FindingStatus.CORRECTION_SUBMITTED
        assert finding.root_cause == "No owner for the onboarding checklist"

    @pytest.mark.parametrize("name", WRITES)
    def test_wrong_method(self, request, client_as, officer, organisation, name):
        pk, _data = write_cases(request, name)
        assert client_as(officer).get(url(name, organisation, pk)).status_code == 405

    @pytest.mark.parametrize("name", WRITES)
    def test_outsider_gets_404(self, request, client_as, outsider, organisation, name):
        pk, data = write_cases(request, name)
        before = snapshot()
        own = outsider.memberships.get().organisation
        for org in (organisation, own):  # this organisation, and theirs with our ids
            assert client_as(outsider).post(url(name, org, pk), data).status_code == 404
        assert snapshot() == before

    @pytest.mark.parametrize("name", OFFICER_WRITES)
    @pytest.mark.parametrize("persona", ["manager", "contributor"])
    def test_members_without_manage_get_404(self, request, client_as, organisation, name, persona):
        user = request.getfixturevalue(persona)
        pk, data = write_cases(request, name)
        before = snapshot()
        assert client_as(user).post(url(name, organisation, pk), data).status_code == 404
        assert snapshot() == before

    def test_manager_cannot_submit_a_correction(self, request, client_as, manager, organisation):
        pk, data = write_cases(request, "finding-correction")
        before = snapshot()
        response = client_as(manager).post(url("finding-correction", organisation, pk), data)
        assert response.status_code == 404
        assert snapshot() == before


class TestAuditErrors:
    def test_a_refused_transition_shows_the_message_and_changes_nothing(
        self, client_as, officer, organisation, audit
    ):
        before = snapshot()
        response = client_as(officer).post(
            url("audit-stage2-complete", organisation, audit.pk),
            {"stage2-outcome": "Too early"},
            follow=True,
        )
        assert texts(response) == ["Enter the dates of the on-site audit first."]
        assert snapshot() == before

    def test_a_decision_with_an_open_nonconformity_is_refused(
        self, client_as, officer, organisation, correcting
    ):
        before = snapshot()
        response = client_as(officer).post(
            url("audit-decision", organisation, correcting.pk),
            {"certificate_number": "X", "decided_on": "2027-03-01", "activities": ["3"]},
            follow=True,
        )
        assert texts(response) == ["Every non-conformity must be verified before the decision."]
        assert snapshot() == before

    def test_invalid_form_shows_a_message_and_changes_nothing(
        self, client_as, officer, organisation, audit
    ):
        before = snapshot()
        response = client_as(officer).post(
            url("audit-stage1", organisation, audit.pk), {"stage1-start": "soon"}, follow=True
        )
        assert len(texts(response)) == 1
        assert texts(response)[0].startswith("Check the form")
        assert snapshot() == before

    def test_cancel_needs_a_reason(self, client_as, officer, organisation, audit):
        before = snapshot()
        response = client_as(officer).post(
            url("audit-cancel", organisation, audit.pk), {"reason": ""}, follow=True
        )
        assert len(texts(response)) == 1
        assert texts(response)[0].startswith("Check the form")
        assert snapshot() == before

    def test_a_decided_audit_cannot_be_cancelled(
        self, client_as, officer, organisation, correcting
    ):
        before = snapshot()
        response = client_as(officer).post(
            url("audit-cancel", organisation, correcting.pk), {"reason": "Late"}, follow=True
        )
        assert texts(response) == [
            "This audit is Corrections in progress: it cannot become Cancelled."
        ]
        assert snapshot() == before

    def test_cycle_without_scope_shows_the_error(self, client_as, officer, organisation):
        response = client_as(officer).post(
            url("cycle-list", organisation), {"certification_body": "X", "accreditation": "1"}
        )
        assert response.status_code == 200
        assert (
            "Declare the activities in scope before opening a cycle." in response.content.decode()
        )
        assert not Cycle.objects.exists()


class TestCycleList:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, audit, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(url("cycle-list", organisation))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Organisme X" in page
        assert "Initial certification audit" in page
        assert ("Open a certification cycle" in page) is (persona == "officer")

    def test_officer_opens_a_cycle(self, client_as, officer, scoped):
        response = client_as(officer).post(
            url("cycle-list", scoped), {"certification_body": "Organisme Y", "accreditation": "5-2"}
        )
        assert response.status_code == 302
        cycle = Cycle.objects.get()
        assert (cycle.certification_body, cycle.activities) == ("Organisme Y", [3, 4, 5, 6])

    @pytest.mark.parametrize("persona", ["manager", "contributor", "outsider"])
    def test_only_officers_open_cycles(self, request, client_as, scoped, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).post(
            url("cycle-list", scoped), {"certification_body": "Organisme Y", "accreditation": "5"}
        )
        assert response.status_code == 404
        assert not Cycle.objects.exists()

    def test_outsider_and_wrong_method(self, client_as, officer, outsider, organisation, audit):
        assert client_as(outsider).get(url("cycle-list", organisation)).status_code == 404
        assert client_as(officer).put(url("cycle-list", organisation)).status_code == 405

    def test_query_count(self, client_as, officer, organisation, audit, django_assert_num_queries):
        client = client_as(officer)
        client.get(url("cycle-list", organisation))
        with django_assert_num_queries(10):
            client.get(url("cycle-list", organisation))


class TestAuditDetail:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, correcting, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(url("audit-detail", organisation, correcting.pk))
        assert response.status_code == 200
        page = response.content.decode()
        assert "EXI 10" in page
        assert "Corrections in progress" in page
        # Correcting is for officers and contributors; a manager only reads.
        assert ("Submit the correction" in page) is (persona != "manager")

    def test_outsider_gets_404(self, client_as, outsider, organisation, audit):
        own = outsider.memberships.get().organisation
        for org in (organisation, own):
            assert client_as(outsider).get(url("audit-detail", org, audit.pk)).status_code == 404

    def test_wrong_method(self, client_as, officer, organisation, audit):
        assert (
            client_as(officer).post(url("audit-detail", organisation, audit.pk)).status_code == 405
        )

    @pytest.mark.parametrize(
        ("state", "shown", "hidden"),
        [
            (
                "audit",
                ["audit-stage1", "audit-cancel"],
                ["audit-stage2", "audit-decision", "finding-raise", "audit-close"],
            ),
            (
                "stage1_planned",
                ["audit-stage1-submit", "audit-stage1-complete", "finding-raise", "audit-cancel"],
                ["audit-stage1", "audit-decision"],
            ),
            ("stage1_done", ["audit-stage2", "finding-raise"], ["audit-stage1-complete"]),
            ("stage2_planned", ["audit-stage2-complete", "finding-raise"], ["audit-stage2"]),
            (
                "stage2_done",
                ["audit-decision"],
                ["audit-stage2-complete", "audit-cancel", "audit-close"],
            ),
            ("surveillance_done", ["audit-close"], ["audit-decision", "audit-cancel"]),
            (
                "correcting",
                [],
                ["audit-decision", "finding-raise", "audit-stage2", "audit-cancel", "audit-close"],
            ),
        ],
    )
    def test_officer_sees_the_next_transitions(
        self, request, client_as, officer, organisation, state, shown, hidden
    ):
        audit = request.getfixturevalue(state)
        page = client_as(officer).get(url("audit-detail", organisation, audit.pk)).content.decode()
        for name in shown:
            assert f'action="{url(name, organisation, audit.pk)}"' in page, name
        for name in hidden:
            assert f'action="{url(name, organisation, audit.pk)}"' not in page, name

    def test_manager_sees_no_transition(self, client_as, manager, organisation, stage2_done):
        page = client_as(manager).get(url("audit-detail", organisation, stage2_done.pk))
        assert url("audit-decision", organisation, stage2_done.pk) not in page.content.decode()

    @pytest.mark.parametrize("count", [1, 10])
    def test_query_count_does_not_grow_with_findings(
        self, client_as, officer, organisation, stage2_planned, count, django_assert_num_queries
    ):
        for number in range(count):
            finding_raise(
                audit=stage2_planned,
                kind=FindingKind.MINOR,
                requirement=requirement("EXI 10"),
                description=f"Gap {number}",
                actor=officer,
            )
        audit = audit_complete_stage2(audit=stage2_planned, outcome="NCs", actor=officer)
        item = make_item(organisation, officer)
        evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)
        client = client_as(officer)
        with django_assert_num_queries(16):
            response = client.get(url("audit-detail", organisation, audit.pk))
        assert response.content.decode().count("Submit the correction") == count


def test_full_walk(client_as, officer, contributor, scoped):
    """Cycle → initial audit → stage 1 → stage 2 → a minor finding → end of stage 2 → the
    correction deadline shown → a contributor's correction."""
    organisation = scoped
    client = client_as(officer)
    client.post(
        url("cycle-list", organisation),
        {"certification_body": "Organisme X", "accreditation": "5"},
        follow=True,
    )
    cycle = Cycle.objects.get()
    response = client.post(
        url("audit-plan", organisation, cycle.pk), {"kind": "initial"}, follow=True
    )
    audit = Audit.objects.get()
    assert response.redirect_chain == [(url("audit-detail", organisation, audit.pk), 302)]
    steps = [
        ("audit-stage1", {"stage1-start": "2026-12-01", "stage1-end": "2026-12-02"}),
        ("audit-stage1-submit", {}),
        ("audit-stage1-complete", {"stage1-outcome": "Documentation complete"}),
        (
            "audit-stage2",
            {"stage2-start": "2027-01-29", "stage2-end": "2027-01-31", "stage2-sites": "Paris"},
        ),
        (
            "finding-raise",
            {
                "kind": "minor",
                "requirement": str(requirement("EXI 10").pk),
                "description": "Awareness sessions not recorded for new staff",
            },
        ),
        ("audit-stage2-complete", {"stage2-outcome": "One minor NC"}),
    ]
    for name, data in steps:
        response = client.post(url(name, organisation, audit.pk), data, follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["success"], name
    audit.refresh_from_db()
    expected = deadlines.correction_deadline(onsite_audit_end=date(2027, 1, 31))
    assert audit.status == AuditStatus.CORRECTIONS
    assert audit.correction_deadline == expected == date(2027, 4, 30)
    finding = Finding.objects.get()
    assert finding.raised_by == officer

    page = client_as(contributor).get(url("audit-detail", organisation, audit.pk))
    countdown = page.context["countdown"]
    left = deadlines.days_left(deadline=expected, now=timezone.now())
    assert (countdown["deadline"], countdown["days_left"]) == (expected, left)
    assert f"{left} days left" in page.content.decode()
    timeline = [entry.label for entry in page.context["timeline"]]
    assert "Initial certification audit: end of the correction window" in timeline

    item = make_item(organisation, contributor, title="Awareness register")
    proof = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
    response = client_as(contributor).post(
        url("finding-correction", organisation, finding.pk),
        correction_data(finding, owner=str(contributor.pk), evidence=str(proof.pk)),
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CORRECTION_SUBMITTED
    assert (finding.owner, finding.correction_evidence) == (contributor, proof)
    assert "Awareness register — v1" in response.content.decode()


def test_decision_form_defaults_to_the_cycle_activities(
    client_as, officer, organisation, stage2_done
):
    response = client_as(officer).get(url("audit-detail", organisation, stage2_done.pk))
    form = response.context["decision_form"]
    assert form.initial["activities"] == [3, 4, 5, 6]


def test_decision_shows_in_the_timeline(client_as, officer, organisation, stage2_done):
    client = client_as(officer)
    client.post(
        url("audit-decision", organisation, stage2_done.pk),
        {"certificate_number": "HDS-1", "decided_on": "2027-03-01", "activities": ["3", "4"]},
    )
    decision = Decision.objects.get()
    assert decision.activities == [3, 4]
    assert decision.expires_on == date(2030, 2, 28)
    page = client.get(url("audit-detail", organisation, stage2_done.pk))
    days = [entry.day for entry in page.context["timeline"]]
    assert days == sorted(days)
    assert {date(2027, 3, 1), date(2028, 3, 1), date(2029, 3, 1), date(2030, 2, 28)} <= set(days)
    assert "HDS-1" in page.content.decode()


def test_officer_invites_an_auditor_from_the_audit_page(
    client_as, officer, scoped, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core import mail
    from django.urls import reverse
    from django.utils import timezone

    from audits.models import AuditKind, AuditorAccess
    from audits.services.cycle import audit_plan, cycle_create

    cycle = cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-1", actor=officer
    )
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    client = client_as(officer)
    page = reverse("audits:audit-detail", args=[scoped.slug, audit.pk])
    assert 'id="auditors"' in client.get(page).content.decode()
    start = timezone.localtime() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("audits:auditor-invite", args=[scoped.slug, audit.pk]),
            {
                "email": "auditrice@organisme.test",
                "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
                "valid_until": (start + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
    assert AuditorAccess.objects.filter(audit=audit, email="auditrice@organisme.test").exists()
    assert mail.outbox[-1].to == ["auditrice@organisme.test"]
    assert "auditrice@organisme.test" in client.get(page).content.decode()
