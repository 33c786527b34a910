"""The compliance officer's pages: cycles, an audit with the forms of the workflow's actions
(one view takes any of them), findings and the correction window. Per action: happy path, wrong
method, outsider 404, members without the role 404, refused in this state -> message and nothing
changed; and the audit page's query count. (Every state x action x role: test_workflow.py.)"""

import re
from datetime import date
from html import unescape

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
    decision_record,
)
from audits.services.findings import finding_raise, finding_submit_correction
from audits.workflow import ACTIONS_BY_NAME
from evidence.services import evidence_version_add
from hdsready.models import TrailEvent
from scopes.models import Requirement
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload, make_item

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.usefixtures("clock_after_the_2027_decisions"),
]


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


ERROR_ITEM = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.DOTALL)


def texts(response):
    """The messages of the page and the errors shown beside the fields of its forms."""
    said = [str(m) for m in response.context["messages"]] if response.context else []
    html = response.content.decode()
    for found in ERROR_ITEM.findall(html):
        said += [unescape(item) for item in re.findall(r"<li>(.*?)</li>", found, re.DOTALL)]
    return said


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


@pytest.fixture
def decided(stage2_done, officer):
    decision_record(
        audit=stage2_done,
        certificate_numbers={"managed": "HDS-2027-001"},
        decided_on=date(2027, 3, 1),
        activities=[3, 4, 5, 6],
        actor=officer,
    )
    return Audit.objects.get(pk=stage2_done.pk)


@pytest.fixture
def submitted(correcting, finding, contributor):
    """The correction of the open minor non-conformity, waiting for verification."""
    return finding_submit_correction(
        finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
    )


def prefixed(prefix, **data):
    return {f"{prefix}-{key}": value for key, value in data.items()}


def correction_data(finding, **extra):
    return prefixed(
        f"correction-submit-{finding.pk}",
        correction="Register filled for every new arrival",
        root_cause="No owner for the onboarding checklist",
        action_plan="HR owns the checklist; quarterly check",
        **extra,
    )


# Every action of the pages: (action, fixture of its starting state, valid data without prefix).
AUDIT_ACTIONS: dict[str, tuple[str, dict[str, object]]] = {
    "stage1-schedule": ("audit", {"start": "2026-12-01", "end": "2026-12-02"}),
    "stage1-submit": ("stage1_planned", {}),
    "stage1-complete": ("stage1_planned", {"outcome": "Complete"}),
    "stage2-schedule": (
        "stage1_done",
        {"start": "2027-01-29", "end": "2027-01-31", "sites": "Paris"},
    ),
    "finding-raise": (
        "stage2_planned",
        {"kind": FindingKind.MINOR, "description": "Awareness sessions not recorded"},
    ),
    "stage2-complete": ("stage2_planned", {"ended_on": "2027-02-01", "outcome": "Done"}),
    "stage2-end-correct": ("stage2_done", {"ended_on": "2027-01-30", "reason": "Typing error"}),
    "decision-record": (
        "stage2_done",
        {
            "outcome": "granted",
            "decided_on": "2027-03-01",
            "activities": ["3", "4", "5", "6"],
            "number_managed": "HDS-2027-001",
        },
    ),
    "cancel": ("stage1_planned", {"reason": "Body withdrew"}),
    "close": ("surveillance_done", {}),
}
FINDING_ACTIONS: dict[str, tuple[str, dict[str, object] | None]] = {
    "correction-submit": ("correcting", None),
    "correction-verify": ("submitted", {"accepted": "yes", "comment": "Register seen"}),
}


# The audit's state once each action is taken from the fixtures above.
REACHES = {
    "stage1-schedule": AuditStatus.STAGE1_PLANNED,
    "stage1-submit": AuditStatus.STAGE1_PLANNED,
    "stage1-complete": AuditStatus.STAGE1_DONE,
    "stage2-schedule": AuditStatus.STAGE2_PLANNED,
    "finding-raise": AuditStatus.STAGE2_PLANNED,
    "stage2-complete": AuditStatus.STAGE2_DONE,
    "stage2-end-correct": AuditStatus.STAGE2_DONE,
    "decision-record": AuditStatus.DECIDED,
    "cancel": AuditStatus.CANCELLED,
    "close": AuditStatus.CLOSED,
    "correction-submit": AuditStatus.CORRECTIONS,
    "correction-verify": AuditStatus.CORRECTIONS_VERIFIED,
}


def action_case(request, name):
    """The URL, valid data and audit of one action, from the fixture of its starting state."""
    if name in FINDING_ACTIONS:
        state, data = FINDING_ACTIONS[name]
        request.getfixturevalue(state)
        finding = request.getfixturevalue("finding")
        organisation = finding.audit.cycle.organisation
        posted = (
            correction_data(finding) if data is None else prefixed(f"{name}-{finding.pk}", **data)
        )
        return (
            action_url("finding-action", organisation, finding.pk, name),
            posted,
            finding.audit_id,
        )
    state, data = AUDIT_ACTIONS[name]
    audit = request.getfixturevalue(state)
    if name == "finding-raise":
        data = {**data, "requirement": str(requirement("EXI 10").pk)}
    return (
        action_url("audit-action", audit.cycle.organisation, audit.pk, name),
        prefixed(name, **data),
        audit.pk,
    )


def action_url(view, organisation, pk, name):
    return reverse(f"audits:{view}", args=[organisation.slug, pk, name])


ACTIONS = [*AUDIT_ACTIONS, *FINDING_ACTIONS]
# What each persona may do on the pages (selectors.member_actors): the officer everything the
# officer and the certification body do, plus answering findings; the contributor answers
# findings; the manager reads.
ALLOWED = {
    "officer": set(ACTIONS),
    "contributor": {"correction-submit"},
    "manager": set(),
}


def snapshot():
    """What a refused request must leave untouched."""
    return (
        list(Cycle.objects.values_list("pk", flat=True)),
        list(
            Audit.objects.order_by("pk").values_list(
                "pk", "status", "stage1_submitted_at", "stage2_ended_on", "correction_deadline"
            )
        ),
        list(Finding.objects.order_by("pk").values_list("pk", "status", "correction")),
        Decision.objects.count(),
        TrailEvent.objects.count(),
    )


class TestWrites:
    def test_audit_plan(self, client_as, officer, organisation, cycle):
        response = client_as(officer).post(
            url("audit-plan", organisation, cycle.pk), {"kind": AuditKind.INITIAL}, follow=True
        )
        audit = Audit.objects.get()
        assert response.redirect_chain == [(url("audit-detail", organisation, audit.pk), 302)]
        assert [m.level_tag for m in response.context["messages"]] == ["success"]

    @pytest.mark.parametrize("persona", ["manager", "contributor", "outsider"])
    def test_audit_plan_needs_manage(self, request, client_as, organisation, cycle, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).post(
            url("audit-plan", organisation, cycle.pk), {"kind": AuditKind.INITIAL}
        )
        assert response.status_code == 404
        assert not Audit.objects.exists()

    @pytest.mark.parametrize("name", ACTIONS)
    def test_officer_happy_path(self, request, client_as, officer, organisation, name):
        action_path, data, audit_pk = action_case(request, name)
        before = snapshot()
        response = client_as(officer).post(action_path, data, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [(url("audit-detail", organisation, audit_pk), 302)]
        assert [m.level_tag for m in response.context["messages"]] == ["success"], texts(response)
        assert snapshot() != before
        assert Audit.objects.get(pk=audit_pk).status == REACHES[name]
        event = TrailEvent.objects.filter(data__action=name).latest("seq")
        assert event.actor == officer
        assert event.kind == ACTIONS_BY_NAME[name].event

    def test_contributor_submits_a_correction(self, request, client_as, contributor):
        action_path, data, _audit_pk = action_case(request, "correction-submit")
        response = client_as(contributor).post(action_path, data)
        assert response.status_code == 302
        finding = Finding.objects.get()
        assert finding.status == FindingStatus.CORRECTION_SUBMITTED
        assert finding.root_cause == "No owner for the onboarding checklist"
        event = TrailEvent.objects.get(kind="finding.correction_submitted")
        assert (event.actor, event.data["as"]) == (contributor, "host")

    def test_officer_records_the_bodys_verification_with_its_letter(
        self, request, client_as, officer, organisation, contributor
    ):
        action_path, data, _audit_pk = action_case(request, "correction-verify")
        finding = Finding.objects.get()
        item = make_item(organisation, contributor, title="Letter of Organisme X")
        letter = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=contributor)
        data[f"correction-verify-{finding.pk}-letter"] = str(letter.pk)
        assert client_as(officer).post(action_path, data).status_code == 302
        finding.refresh_from_db()
        assert (finding.status, finding.verification_letter) == (FindingStatus.VERIFIED, letter)
        event = TrailEvent.objects.get(kind="finding.correction_verified")
        assert (event.data["as"], event.data["letter"]) == ("body", letter.pk)
        assert Audit.objects.get().status == AuditStatus.CORRECTIONS_VERIFIED

    @pytest.mark.parametrize("name", ACTIONS)
    def test_wrong_method(self, request, client_as, officer, name):
        action_path, _data, _audit_pk = action_case(request, name)
        assert client_as(officer).get(action_path).status_code == 405

    @pytest.mark.parametrize("name", ACTIONS)
    def test_outsider_gets_404(self, request, client_as, outsider, organisation, name):
        action_path, data, _audit_pk = action_case(request, name)
        before = snapshot()
        own = outsider.memberships.get().organisation
        # This organisation, and theirs with our ids.
        for other_path in (action_path, action_path.replace(organisation.slug, own.slug, 1)):
            assert client_as(outsider).post(other_path, data).status_code == 404
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("persona", "name"),
        [
            (persona, name)
            for persona in ("manager", "contributor")
            for name in ACTIONS
            if name not in ALLOWED[persona]
        ],
    )
    def test_members_without_the_role_get_404(self, request, client_as, name, persona):
        user = request.getfixturevalue(persona)
        action_path, data, _audit_pk = action_case(request, name)
        before = snapshot()
        assert client_as(user).post(action_path, data).status_code == 404
        assert snapshot() == before

    def test_unknown_action_and_wrong_target_are_404(
        self, client_as, officer, organisation, finding
    ):
        audit = finding.audit
        client = client_as(officer)
        for action_path in (
            action_url("audit-action", organisation, audit.pk, "no-such-action"),
            # The sweep's action has no form; finding actions are not taken on an audit.
            action_url("audit-action", organisation, audit.pk, "corrections-lapse"),
            action_url("audit-action", organisation, audit.pk, "correction-submit"),
            action_url("finding-action", organisation, finding.pk, "cancel"),
            action_url("audit-action", organisation, 999999, "cancel"),
            action_url("finding-action", organisation, 999999, "correction-submit"),
        ):
            assert client.post(action_path, {"cancel-reason": "x"}).status_code == 404, action_path
        assert Audit.objects.get(pk=audit.pk).status == AuditStatus.STAGE2_PLANNED


class TestAuditErrors:
    def test_a_refused_action_shows_the_message_and_changes_nothing(
        self, client_as, officer, organisation, audit
    ):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, audit.pk, "stage2-complete"),
            prefixed("stage2-complete", ended_on="2027-02-01", outcome="Too early"),
            follow=True,
        )
        assert texts(response) == [
            "This audit is “Draft”: “Complete the on-site audit” is not possible now."
        ]
        assert snapshot() == before

    def test_a_guard_refusal_shows_its_reason(self, client_as, officer, organisation, audit):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, audit.pk, "stage2-schedule"),
            prefixed("stage2-schedule", start="2027-01-29", end="2027-01-31"),
            follow=True,
        )
        assert texts(response) == ["Only a surveillance audit may start with the on-site audit."]
        assert snapshot() == before

    def test_a_decision_with_an_open_nonconformity_is_refused(
        self, client_as, officer, organisation, correcting
    ):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, correcting.pk, "decision-record"),
            prefixed(
                "decision-record",
                outcome="granted",
                decided_on="2027-03-01",
                activities=["3", "4", "5", "6"],
                number_managed="X",
            ),
            follow=True,
        )
        assert texts(response) == [
            "This audit is “Corrections in progress”: “Record the certification decision” is "
            "not possible now."
        ]
        assert snapshot() == before

    def test_a_decision_the_service_refuses_says_why(
        self, client_as, officer, organisation, stage2_done
    ):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, stage2_done.pk, "decision-record"),
            prefixed(
                "decision-record",
                outcome="granted",
                decided_on="2027-03-01",
                activities=["3", "4"],
                number_managed="X",
            ),
            follow=True,
        )
        assert texts(response) == [
            "Some audited activities are not covered: record a decision for fewer activities."
        ]
        assert snapshot() == before

    def test_a_finding_action_refused_now_changes_nothing(
        self, client_as, officer, organisation, submitted
    ):
        before = snapshot()
        response = client_as(officer).post(
            action_url("finding-action", organisation, submitted.pk, "correction-submit"),
            correction_data(submitted),
            follow=True,
        )
        assert texts(response) == ["This finding cannot change that way now."]
        assert snapshot() == before

    def test_invalid_form_shows_a_message_and_changes_nothing(
        self, client_as, officer, organisation, audit
    ):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, audit.pk, "stage1-schedule"),
            {"stage1-schedule-start": "soon"},
            follow=True,
        )
        assert (response.status_code, response.redirect_chain) == (200, [])
        assert texts(response) == ["Enter a valid date.", "This field is required."]
        assert 'value="soon"' in response.content.decode()
        assert snapshot() == before

    def test_fields_without_the_prefix_are_ignored(self, client_as, officer, organisation, audit):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, audit.pk, "stage1-schedule"),
            {"start": "2026-12-01", "end": "2026-12-02"},
            follow=True,
        )
        assert texts(response) == ["This field is required.", "This field is required."]
        assert snapshot() == before

    def test_cancel_needs_a_reason(self, client_as, officer, organisation, audit):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, audit.pk, "cancel"),
            {"cancel-reason": ""},
            follow=True,
        )
        assert texts(response) == ["This field is required."]
        assert snapshot() == before

    def test_a_decided_audit_cannot_be_cancelled(self, client_as, officer, organisation, decided):
        before = snapshot()
        response = client_as(officer).post(
            action_url("audit-action", organisation, decided.pk, "cancel"),
            {"cancel-reason": "Late"},
            follow=True,
        )
        assert texts(response) == [
            "This audit is “Certification granted”: “Cancel the audit” is not possible now."
        ]
        assert snapshot() == before

    def test_an_audit_in_corrections_can_be_cancelled(
        self, client_as, officer, organisation, correcting
    ):
        response = client_as(officer).post(
            action_url("audit-action", organisation, correcting.pk, "cancel"),
            {"cancel-reason": "The host withdraws"},
            follow=True,
        )
        assert texts(response) == ["Audit cancelled."]
        assert Audit.objects.get(pk=correcting.pk).status == AuditStatus.CANCELLED

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


# The audit page's queries, with its action forms; the same for 1 and 10 findings.
QUERIES_AUDIT_DETAIL = 18  # 16 before the workflow: + the role checks of member_actors


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
                ["stage1-schedule", "cancel"],
                ["stage2-schedule", "decision-record", "finding-raise", "close"],
            ),
            (
                "stage1_planned",
                ["stage1-schedule", "stage1-submit", "stage1-complete", "finding-raise", "cancel"],
                ["stage2-schedule", "decision-record"],
            ),
            ("stage1_done", ["stage2-schedule", "finding-raise", "cancel"], ["stage1-complete"]),
            (
                "stage2_planned",
                ["stage2-schedule", "stage2-complete", "finding-raise"],
                ["stage1-schedule", "decision-record"],
            ),
            (
                "stage2_done",
                ["decision-record", "finding-raise", "stage2-end-correct", "cancel"],
                ["stage2-complete", "close"],
            ),
            ("surveillance_done", ["close", "cancel"], ["decision-record"]),
            (
                "correcting",
                ["finding-raise", "stage2-end-correct", "cancel"],
                ["decision-record", "stage2-schedule", "close"],
            ),
            ("decided", ["close"], ["cancel", "finding-raise", "stage2-end-correct"]),
        ],
    )
    def test_officer_sees_the_actions_of_the_state(
        self, request, client_as, officer, organisation, state, shown, hidden
    ):
        audit = request.getfixturevalue(state)
        page = client_as(officer).get(url("audit-detail", organisation, audit.pk)).content.decode()
        for name in shown:
            assert f'action="{action_url("audit-action", organisation, audit.pk, name)}"' in page
        for name in hidden:
            assert (
                f'action="{action_url("audit-action", organisation, audit.pk, name)}"' not in page
            )

    def test_finding_actions_follow_the_finding(
        self, client_as, officer, contributor, organisation, correcting, finding
    ):
        submit = action_url("finding-action", organisation, finding.pk, "correction-submit")
        verify = action_url("finding-action", organisation, finding.pk, "correction-verify")
        page = client_as(officer).get(url("audit-detail", organisation, correcting.pk))
        assert submit in page.content.decode()
        assert verify not in page.content.decode()
        finding_submit_correction(
            finding=finding, correction="x", root_cause="y", action_plan="z", actor=contributor
        )
        page = client_as(officer).get(url("audit-detail", organisation, correcting.pk))
        assert submit not in page.content.decode()
        assert verify in page.content.decode()
        # The contributor answers findings but does not verify them.
        page = client_as(contributor).get(url("audit-detail", organisation, correcting.pk))
        assert verify not in page.content.decode()

    @pytest.mark.parametrize("persona", ["manager", "contributor"])
    def test_members_without_the_role_see_no_audit_action(
        self, request, client_as, organisation, stage2_done, persona
    ):
        user = request.getfixturevalue(persona)
        page = client_as(user).get(url("audit-detail", organisation, stage2_done.pk))
        assert page.context["actions"] == []
        assert 'id="audit-actions"' not in page.content.decode()

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
        with django_assert_num_queries(QUERIES_AUDIT_DETAIL):
            response = client.get(url("audit-detail", organisation, audit.pk))
        assert response.content.decode().count("Submit the correction") == count


def test_full_walk(client_as, officer, contributor, scoped):
    """Cycle → initial audit → stage 1 → stage 2 → a minor finding → end of stage 2 a day later
    than planned → the correction deadline shown from the actual end → a contributor's
    correction → the body's verification → the decision."""
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
        ("stage1-schedule", {"start": "2026-12-01", "end": "2026-12-02"}),
        ("stage1-submit", {}),
        ("stage1-complete", {"outcome": "Documentation complete"}),
        ("stage2-schedule", {"start": "2027-01-29", "end": "2027-01-31", "sites": "Paris"}),
        (
            "finding-raise",
            {
                "kind": "minor",
                "requirement": str(requirement("EXI 10").pk),
                "description": "Awareness sessions not recorded for new staff",
            },
        ),
        ("stage2-complete", {"ended_on": "2027-02-01", "outcome": "One minor NC"}),
    ]
    for name, data in steps:
        response = client.post(
            action_url("audit-action", organisation, audit.pk, name),
            prefixed(name, **data),
            follow=True,
        )
        assert [m.level_tag for m in response.context["messages"]] == ["success"], (
            name,
            texts(response),
        )
    audit.refresh_from_db()
    expected = deadlines.correction_deadline(onsite_audit_end=date(2027, 2, 1))
    assert audit.status == AuditStatus.CORRECTIONS
    assert audit.stage2_ended_on == date(2027, 2, 1)
    assert audit.correction_deadline == expected == date(2027, 5, 1)
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
        action_url("finding-action", organisation, finding.pk, "correction-submit"),
        correction_data(finding, owner=str(contributor.pk), evidence=str(proof.pk)),
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CORRECTION_SUBMITTED
    assert (finding.owner, finding.correction_evidence) == (contributor, proof)
    assert "Awareness register — v1" in response.content.decode()

    response = client.post(
        action_url("finding-action", organisation, finding.pk, "correction-verify"),
        prefixed(f"correction-verify-{finding.pk}", accepted="yes", comment="Seen"),
        follow=True,
    )
    assert texts(response) == ["Verification recorded."]
    response = client.post(
        action_url("audit-action", organisation, audit.pk, "decision-record"),
        prefixed(
            "decision-record",
            outcome="granted",
            decided_on="2027-04-15",
            activities=["3", "4", "5", "6"],
            number_managed="HDS-2027-001",
        ),
        follow=True,
    )
    assert texts(response) == ["Certification decision recorded."]
    audit.refresh_from_db()
    assert audit.status == AuditStatus.DECIDED
    assert "Certification granted" in response.content.decode()


def test_decision_form_defaults_to_the_cycle_activities(
    client_as, officer, organisation, stage2_done
):
    response = client_as(officer).get(url("audit-detail", organisation, stage2_done.pk))
    (offered,) = [o for o in response.context["actions"] if o.action.name == "decision-record"]
    assert offered.form.fields["activities"].initial == [3, 4, 5, 6]
    assert offered.form.prefix == "decision-record"


def test_decision_shows_in_the_timeline(client_as, officer, organisation, stage2_done):
    client = client_as(officer)
    client.post(
        action_url("audit-action", organisation, stage2_done.pk, "decision-record"),
        prefixed(
            "decision-record",
            outcome="reduced",
            decided_on="2027-03-01",
            activities=["3", "4"],
            number_managed="HDS-1",
        ),
    )
    decision = Decision.objects.get()
    assert decision.activities == [3, 4]
    assert decision.expires_on == date(2030, 2, 28)
    page = client.get(url("audit-detail", organisation, stage2_done.pk))
    days = [entry.day for entry in page.context["timeline"]]
    assert days == sorted(days)
    assert {
        date(2027, 3, 1),  # the decision
        date(2028, 3, 1),  # surveillance audits
        date(2029, 3, 1),
        date(2029, 11, 28),  # the renewal, 3 months before the expiry
        date(2030, 2, 28),  # the expiry
    } <= set(days)
    assert "HDS-1" in page.content.decode()


def test_a_refusal_plans_a_new_initial_audit(client_as, officer, organisation, stage2_done):
    response = client_as(officer).post(
        action_url("audit-action", organisation, stage2_done.pk, "decision-record"),
        prefixed("decision-record", outcome="refused", decided_on="2027-03-01"),
        follow=True,
    )
    assert texts(response) == ["Certification decision recorded."]
    assert Audit.objects.get(pk=stage2_done.pk).status == AuditStatus.REFUSED
    assert list(Audit.objects.exclude(pk=stage2_done.pk).values_list("kind", "status")) == [
        (AuditKind.INITIAL, AuditStatus.DRAFT)
    ]
    assert "Certification refused" in response.content.decode()


def test_a_refusal_shows_no_surveillance_in_the_timeline(
    client_as, officer, organisation, stage2_done
):
    decision_record(
        audit=stage2_done, outcome="refused", decided_on=date(2027, 3, 1), actor=officer
    )
    page = client_as(officer).get(url("audit-detail", organisation, stage2_done.pk))
    labels = [entry.label for entry in page.context["timeline"]]
    assert not [label for label in labels if label.endswith(" due")]


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


def test_a_planned_stage_is_moved_from_its_form_showing_the_planned_dates(
    client_as, officer, organisation, stage2_planned
):
    """A body that postpones the on-site audit: the officer plans it again from the form, which
    shows the planned dates; dates before the documentary audit are refused, nothing changed."""
    client = client_as(officer)
    detail = url("audit-detail", organisation, stage2_planned.pk)
    page = client.get(detail).content.decode()
    form = page[page.index('data-action="stage2-schedule"') :]
    form = form[: form.index("</form>")]
    assert 'value="2027-01-29"' in form
    assert 'value="2027-01-31"' in form
    assert ">\nParis</textarea>" in form
    schedule = action_url("audit-action", organisation, stage2_planned.pk, "stage2-schedule")

    events = TrailEvent.objects.count()
    refused = client.post(
        schedule, prefixed("stage2-schedule", start="2026-11-30", end="2026-12-01", sites="")
    )
    assert refused.status_code == 200
    assert "The on-site audit comes after the documentary audit." in texts(refused)
    audit = Audit.objects.get(pk=stage2_planned.pk)
    assert (audit.stage2_start, audit.stage2_end) == (date(2027, 1, 29), date(2027, 1, 31))
    assert TrailEvent.objects.count() == events

    moved = client.post(
        schedule,
        prefixed("stage2-schedule", start="2027-05-03", end="2027-05-04", sites="Paris, Lyon"),
    )
    assert moved.status_code == 302
    audit = Audit.objects.get(pk=stage2_planned.pk)
    assert audit.status == AuditStatus.STAGE2_PLANNED
    assert (audit.stage2_start, audit.stage2_end, audit.stage2_sites) == (
        date(2027, 5, 3),
        date(2027, 5, 4),
        "Paris, Lyon",
    )
    event = TrailEvent.objects.filter(kind="audit.stage2_scheduled").latest("seq")
    assert event.data["start"] == "2027-05-03"
    # Moved past today: its completion waits for the new first day.
    page = client.get(detail).content.decode()
    assert 'data-action="stage2-complete"' not in page
