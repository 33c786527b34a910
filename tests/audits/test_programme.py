"""The audit programme of a certification cycle: the proposed rotation, a requirement moved or
left out (and the warning), the body's plan, who may see and change what, the pages' and the
API's bounds, and the programme in the deadlines, the calendar feed and the reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.deadline_kinds import DeadlineKind, deadline_rows
from audits.models import Audit, AuditKind, ProgrammeLine, ProgrammeSource
from audits.programme import MANDATORY_KEYS, ProgrammeFacts
from audits.selectors.programme import applicable_requirements, key_of, programme_of
from audits.services import AuditError
from audits.services.cycle import audit_schedule_stage2
from audits.services.programme import (
    programme_body_plan_mark,
    programme_propose,
    programme_requirement_place,
)
from audits.services.reminders import Due, reminder_text
from hdsready.models import TrailEvent
from hdsready.services.tokens import api_token_create
from scopes.models import SoAEntry
from scopes.selectors import annex_a_controls
from tests.audits.test_deadline_kinds import FEED_URL
from tests.audits.workflow_helpers import audit_in, invite, requirement
from tests.conftest import verified_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(cast) -> Audit:
    """An initial audit decided today: surveillance 1 and 2 and the renewal are planned."""
    return audit_in("decided", cast)


def surveillance(decided: Audit) -> list[Audit]:
    return list(
        Audit.objects.filter(cycle=decided.cycle, kind=AuditKind.SURVEILLANCE).order_by("pk")
    )


def keys_of(audit: Audit) -> set[str]:
    return {
        f"{line.requirement.framework.code}:{line.requirement.ref_id}"
        for line in ProgrammeLine.objects.filter(audit=audit).select_related(
            "requirement__framework"
        )
    }


def test_the_decision_proposes_the_rotation_covering_the_scope_with_the_topics_in_each(
    decided, cast
):
    # Proposed as the decision planned the surveillance audits.
    event = TrailEvent.objects.filter(kind="programme.proposed").get()
    assert event.object_id == str(decided.cycle.pk)
    first, second = (keys_of(audit) for audit in surveillance(decided))
    applicable = {key_of(r) for r in applicable_requirements(organisation=cast.organisation)}
    assert first | second == applicable
    # Proposed again, the same: deterministic.
    assert programme_propose(cycle=decided.cycle, actor=cast.officer) == len(first) + len(second)
    assert (first, second) == tuple(keys_of(audit) for audit in surveillance(decided))
    mandatory = applicable & MANDATORY_KEYS
    assert mandatory
    assert mandatory <= first
    assert mandatory <= second
    assert abs(len(first) - len(second)) <= 1
    # Not applicable (no subcontracting in this scope): never planned.
    assert "hds:EXI 06" not in applicable | first | second
    assert TrailEvent.objects.filter(kind="programme.proposed").count() == 2
    assert not programme_of(cycle=decided.cycle).gaps[0].gaps.any


def test_the_soa_decides_which_controls_are_planned(decided, cast):
    control = annex_a_controls().get(ref_id="A.7.4")
    SoAEntry.objects.create(
        organisation=cast.organisation, control=control, applicable=False, justification="None"
    )
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    assert not ProgrammeLine.objects.filter(requirement=control).exists()


def test_moving_a_requirement_and_leaving_one_out(decided, cast):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, second = surveillance(decided)
    exi05 = requirement("EXI 05")
    holder = first if ProgrammeLine.objects.filter(audit=first, requirement=exi05) else second
    other = second if holder == first else first
    assert programme_requirement_place(
        cycle=decided.cycle, requirement=exi05, audits=[other], actor=cast.contributor
    )
    line = ProgrammeLine.objects.get(requirement=exi05)
    assert (line.audit, line.source) == (other, ProgrammeSource.HOST)
    event = TrailEvent.objects.filter(kind="programme.requirement_placed").get()
    assert event.data["requirement"] == "EXI 05"
    # The same again changes nothing and writes nothing.
    assert not programme_requirement_place(
        cycle=decided.cycle, requirement=exi05, audits=[other], actor=cast.contributor
    )
    assert TrailEvent.objects.filter(kind="programme.requirement_placed").count() == 1
    # Left out of both: warned, never audited before the renewal.
    programme_requirement_place(
        cycle=decided.cycle, requirement=exi05, audits=[], actor=cast.contributor
    )
    gaps = programme_of(cycle=decided.cycle).gaps[0]
    assert [r.ref_id for r in gaps.never] == ["EXI 05"]


def test_a_mandatory_topic_stays_in_every_surveillance_audit(decided, cast, english):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, _second = surveillance(decided)
    with pytest.raises(AuditError, match="Internal audits and management review"):
        programme_requirement_place(
            cycle=decided.cycle,
            requirement=requirement("9.2.1"),
            audits=[first],
            actor=cast.officer,
        )


def test_a_started_or_full_audit_cannot_be_chosen(decided, cast, english):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    with pytest.raises(AuditError, match="not started yet"):
        programme_requirement_place(
            cycle=decided.cycle,
            requirement=requirement("EXI 05"),
            audits=[decided],
            actor=cast.officer,
        )


def test_a_started_surveillance_audit_keeps_its_programme(decided, cast):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, second = surveillance(decided)
    before = keys_of(first)
    today = timezone.localdate()
    audit_schedule_stage2(
        audit=first, start=today, end=today + timedelta(days=1), sites="Paris", actor=cast.officer
    )
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    assert keys_of(first) == before
    # The second takes everything the first did not cover, and the topics.
    applicable = {key_of(r) for r in applicable_requirements(organisation=cast.organisation)}
    assert keys_of(second) == (applicable - before) | (applicable & MANDATORY_KEYS)


def test_the_body_plan_is_recorded_with_its_reference(decided, cast, english):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, _second = surveillance(decided)
    marked = programme_body_plan_mark(audit=first, reference="Plan OC 2027-S1", actor=cast.officer)
    assert marked == ProgrammeLine.objects.filter(audit=first).count()
    assert set(ProgrammeLine.objects.filter(audit=first).values_list("source", flat=True)) == {
        ProgrammeSource.BODY_PLAN
    }
    assert (
        programme_body_plan_mark(audit=first, reference="Plan OC 2027-S1", actor=cast.officer) == 0
    )
    assert TrailEvent.objects.filter(kind="programme.body_plan_marked").count() == 1
    with pytest.raises(AuditError, match="reference"):
        programme_body_plan_mark(audit=first, reference="  ", actor=cast.officer)
    with pytest.raises(AuditError, match="not started yet"):
        programme_body_plan_mark(audit=decided, reference="x", actor=cast.officer)


def test_no_surveillance_audit_nothing_to_propose(cast, english):
    audit = audit_in("draft", cast)
    with pytest.raises(AuditError, match="No surveillance audit"):
        programme_propose(cycle=audit.cycle, actor=cast.officer)


# Pages


def page_url(audit: Audit, name: str = "audits:cycle-programme", *extra: int) -> str:
    return reverse(name, args=[audit.cycle.organisation.slug, audit.cycle_id, *extra])


def test_the_grid_page_for_each_role(decided, cast, manager, outsider):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    url = page_url(decided)
    officer = verified_client_for(cast.officer).get(url + "?chapter=hds-5")
    assert officer.status_code == 200
    body = officer.content.decode()
    assert 'data-requirement="EXI 05"' in body
    assert reverse("audits:programme-propose", args=["clinicloud", decided.cycle_id]) in body
    read = verified_client_for(manager).get(url).content.decode()
    assert "programme-grid" in read
    assert reverse("audits:programme-propose", args=["clinicloud", decided.cycle_id]) not in read
    assert "/programme/requirements/" not in read
    assert verified_client_for(outsider).get(url).status_code == 404
    assert verified_client_for(cast.officer).post(url).status_code == 405


def test_propose_and_place_through_the_pages(decided, cast, manager, english):
    contributor = verified_client_for(cast.contributor)
    propose = page_url(decided, "audits:programme-propose")
    assert verified_client_for(manager).post(propose).status_code == 404
    assert contributor.get(propose).status_code == 405
    assert contributor.post(propose).status_code == 302
    assert ProgrammeLine.objects.exists()
    exi05 = requirement("EXI 05")
    place = page_url(decided, "audits:programme-requirement", exi05.pk)
    assert verified_client_for(manager).get(place).status_code == 404
    page = contributor.get(place)
    assert page.status_code == 200
    response = contributor.post(place, {"audits": []}, follow=True)
    assert "would never be audited before the renewal audit: EXI 05" in response.content.decode()
    assert not ProgrammeLine.objects.filter(requirement=exi05).exists()
    # A mandatory topic cannot leave a surveillance audit: said beside the field.
    first, _second = surveillance(decided)
    topic = requirement("10.2")
    refused = contributor.post(
        page_url(decided, "audits:programme-requirement", topic.pk), {"audits": [first.pk]}
    )
    assert refused.status_code == 200
    assert "stays in each of them" in refused.content.decode()
    assert ProgrammeLine.objects.filter(requirement=topic).count() == 2
    # Another organisation's requirement, or a not applicable one: 404.
    assert (
        contributor.get(
            page_url(decided, "audits:programme-requirement", requirement("EXI 06").pk)
        ).status_code
        == 404
    )


@pytest.mark.parametrize("reference", ["a\x00b", "x" * 10_000, ""])
def test_the_body_plan_form_refuses_bad_input(decided, cast, reference):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, _second = surveillance(decided)
    response = verified_client_for(cast.officer).post(
        page_url(decided, "audits:programme-body-plan"),
        {"audit": first.pk, "reference": reference},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ProgrammeLine.objects.filter(source=ProgrammeSource.BODY_PLAN).exists()


def test_the_body_plan_form_marks(decided, cast):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, _second = surveillance(decided)
    response = verified_client_for(cast.officer).post(
        page_url(decided, "audits:programme-body-plan"),
        {"audit": first.pk, "reference": "Plan 12"},
    )
    assert response.status_code == 302
    assert set(
        ProgrammeLine.objects.filter(audit=first).values_list("body_reference", flat=True)
    ) == {"Plan 12"}


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_grid_costs_the_same_whatever_the_rows(decided, cast):
    client = verified_client_for(cast.officer)
    url = page_url(decided)
    ProgrammeLine.objects.all().delete()
    small = queries(client, url + "?chapter=hds-4")  # one requirement, no line
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    assert queries(client, url + "?chapter=iso27001-a5") == small  # 37 rows, 180 lines
    assert queries(client, url + "?chapter=hds-4") == small


# The invited auditor


def test_the_auditor_reads_the_programme_of_their_audit_only(decided, cast):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, second = surveillance(decided)
    auditor = verified_client_for(cast.auditor)
    # Invited to the initial audit: it covers everything; the surveillance audits are not theirs.
    full = auditor.get(reverse("audits:auditor-programme", args=[decided.pk]))
    assert full.status_code == 200
    assert 'data-requirement="A.8.32"' in full.content.decode()
    assert auditor.get(reverse("audits:auditor-programme", args=[first.pk])).status_code == 404
    invite(first, cast.officer, cast.auditor)
    body = auditor.get(reverse("audits:auditor-programme", args=[first.pk])).content.decode()
    for key in keys_of(first):
        assert f'data-requirement="{key.split(":", 1)[1]}"' in body
    only_second = keys_of(second) - keys_of(first)
    assert only_second
    assert not any(f'data-requirement="{k.split(":", 1)[1]}"' in body for k in only_second)
    # Its cost does not depend on the programme's size.
    url = reverse("audits:auditor-programme", args=[first.pk])
    full_size = queries(auditor, url)
    ProgrammeLine.objects.filter(audit=first).exclude(requirement=requirement("9.2.1")).delete()
    assert queries(auditor, url) == full_size


# Deadlines, calendar, reminders


def sorted_refs(audit: Audit) -> list[str]:
    """The audit's references in catalog order: HDS v2, then ISO/IEC 27001:2022."""
    return list(
        ProgrammeLine.objects.filter(audit=audit)
        .order_by("requirement__framework__code", "requirement__order")
        .values_list("requirement__ref_id", flat=True)
    )


def test_planned_audits_carry_their_programme(decided, cast, english):
    programme_propose(cycle=decided.cycle, actor=cast.officer)
    first, _second = surveillance(decided)
    today = timezone.localdate()
    rows = deadline_rows(
        organisations=[cast.organisation],
        start=today,
        end=today + timedelta(days=4 * 366),
        kinds=[DeadlineKind.AUDIT_DUE],
    )
    by_pk = {row.pk: row for row in rows}
    renewal = Audit.objects.get(cycle=decided.cycle, kind=AuditKind.RENEWAL)
    assert by_pk[first.pk].programme == ProgrammeFacts(full=False, refs=tuple(sorted_refs(first)))
    assert by_pk[renewal.pk].programme == ProgrammeFacts(full=True)
    row = by_pk[first.pk]
    due = Due(row.kind, row.pk, row.day, row.organisation, row.subject, programme=row.programme)
    text = reminder_text(due=due, offset=30, today=row.day - timedelta(days=30))
    assert f"Programme: {len(keys_of(first))} requirements." in text
    # The calendar feed: each planned audit with its programme.
    client = verified_client_for(cast.officer)
    page = client.post(reverse("audits:calendar-token")).content.decode()
    found = FEED_URL.search(page)
    assert found
    token = found.group(1)
    feed = client.get(reverse("audits:calendar-feed", args=[token])).content.decode()
    unfolded = feed.replace("\r\n ", "")
    assert "Programme: every applicable requirement." in unfolded
    assert f"Programme: {len(keys_of(first))} requirements (EXI" in unfolded


# API


def api(user, method: str, url: str, data: dict | None = None):
    _token, raw = api_token_create(user=user, name="t", actor=user)
    client = verified_client_for(user)
    return getattr(client, method)(
        url, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_the_api(decided, cast, manager, outsider):
    slug, cycle = cast.organisation.slug, decided.cycle_id
    base = f"/api/o/{slug}/cycles/{cycle}/programme/"
    assert api(manager, "post", base + "propose/").status_code == 403
    proposed = api(cast.contributor, "post", base + "propose/")
    assert proposed.status_code == 200
    assert proposed.json()["written"] == ProgrammeLine.objects.count()
    listed = api(manager, "get", base).json()
    assert listed["count"] == len(applicable_requirements(organisation=cast.organisation))
    assert listed["results"][0]["ref_id"] == "EXI 01"
    exi05 = requirement("EXI 05")
    row = api(manager, "get", f"{base}requirements/{exi05.pk}/").json()
    assert {c["source"] for c in row["covered_by"]} >= {"full", "proposed_rotation"}
    first, _second = surveillance(decided)
    moved = api(cast.officer, "put", f"{base}requirements/{exi05.pk}/", {"audits": []})
    assert moved.status_code == 200
    assert moved.json()["never_before_renewal"] is True
    wrong = api(cast.officer, "put", f"{base}requirements/{exi05.pk}/", {"audits": [decided.pk]})
    assert wrong.status_code == 400
    marked = api(cast.officer, "post", base + "body-plan/", {"audit": first.pk, "reference": "P1"})
    assert marked.status_code == 200
    assert marked.json()["marked"] == ProgrammeLine.objects.filter(audit=first).count()
    assert api(outsider, "get", base).status_code == 404
    invite(first, cast.officer, cast.auditor)
    mine = api(cast.auditor, "get", f"/api/auditor/audits/{first.pk}/programme/").json()
    assert mine["count"] == ProgrammeLine.objects.filter(audit=first).count()
    assert all(c["audit"] == first.pk for r in mine["results"] for c in r["covered_by"])
