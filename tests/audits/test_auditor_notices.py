"""The officers are told when the invited auditor acts (workflow.Action.notice), and reviews
rejecting evidence are answered like those asking for a revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditKind, EvidenceReview, FindingKind, ReviewDecision
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    cycle_create,
)
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from audits.services.reviews import evidence_review_record, review_answer
from audits.workflow import ACTIONS, Actor
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from hdsready.models import Notification, Organisation, User
from scopes.models import Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item

pytestmark = pytest.mark.django_db


def _requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


# The audits' dates, around the day the tests run: a stage is completed once it has started.
DAY = timezone.localdate()


@pytest.fixture
def stage2(scoped: Organisation, officer: User, auditor: User) -> Audit:
    cycle = cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )
    audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
    audit_schedule_stage1(
        audit=audit, start=DAY - timedelta(days=6), end=DAY - timedelta(days=5), actor=officer
    )
    now = timezone.now()
    invited, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=2),
        actor=officer,
    )
    auditor_accept_existing_user(access=invited, user=auditor)
    audit_complete_stage1(audit=audit, outcome="Complete", actor=auditor, role=Actor.AUDITOR)
    return audit_schedule_stage2(
        audit=audit,
        start=DAY - timedelta(days=1),
        end=DAY + timedelta(days=1),
        sites="Paris",
        actor=officer,
    )


def _version(organisation: Organisation, actor: User, title: str) -> EvidenceVersion:
    item = make_item(organisation, actor, title=title)
    item.requirements.set([_requirement("EXI 10")])
    return evidence_version_add(item=item, upload=hashed_upload(PDF), actor=actor)


def _review(audit: Audit, version: EvidenceVersion, auditor: User, decision: str) -> EvidenceReview:
    return evidence_review_record(
        audit=audit,
        requirement=_requirement("EXI 10"),
        version=version,
        decision=decision,
        comment="Not this year's report" if decision != ReviewDecision.ACCEPTED else "",
        actor=auditor,
        role=Actor.AUDITOR,
    )


def test_every_action_the_auditor_takes_tells_the_officers() -> None:
    # Whatever an auditor may do on an audit, its officers hear of it.
    for action in ACTIONS:
        if Actor.AUDITOR in action.actors:
            assert action.notice is not None, action.name


def test_a_rejected_review_tells_the_officers_in_their_language(
    stage2, officer, contributor, auditor, django_capture_on_commit_callbacks
):
    officer.language = "fr"
    officer.save(update_fields=["language"])
    version = _version(stage2.cycle.organisation, contributor, "Rapport d'exploitation")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _review(stage2, version, auditor, ReviewDecision.REJECTED)
    notification = Notification.objects.get()
    assert notification.user == officer
    # Worded in the officer's language: the audit's kind and the decision in French.
    assert "(Audit de certification initial)" in notification.text
    assert notification.text.endswith("EXI 10, Rapport d'exploitation v1\u00a0: Rejetée")
    slug = stage2.cycle.organisation.slug
    assert notification.link == reverse("audits:audit-reviews", args=[slug, stage2.pk])
    assert [message.to for message in mail.outbox] == [[officer.email]]
    # The plain-text e-mail says it as it is, not HTML-escaped.
    assert "Rapport d'exploitation v1" in mail.outbox[0].body


@pytest.mark.usefixtures("english")
def test_findings_and_verifications_tell_the_officers(
    stage2, officer, contributor, auditor, django_capture_on_commit_callbacks
):
    officer.language = "en"
    officer.save(update_fields=["language"])
    Notification.objects.all().delete()
    finding = finding_raise(
        audit=stage2,
        kind=FindingKind.MINOR,
        requirement=_requirement("EXI 10"),
        description="Backups not tested",
        actor=auditor,
        role=Actor.AUDITOR,
    )
    audit_complete_stage2(audit=stage2, outcome="One minor NC", actor=auditor, role=Actor.AUDITOR)
    finding_submit_correction(
        finding=finding, correction="Tested", root_cause="None", action_plan="Q", actor=officer
    )
    finding_verify(
        finding=finding, accepted=False, comment="No proof", actor=auditor, role=Actor.AUDITOR
    )
    texts = list(Notification.objects.order_by("created_at", "pk").values_list("text", flat=True))
    assert texts == [
        f"{auditor} recorded a finding (Initial certification audit): Minor non-conformity, EXI 10",
        f"{auditor} completed the on-site audit (Initial certification audit).",
        f"{auditor} verified a correction (Initial certification audit): EXI 10, "
        "correction sent back: No proof",
    ]
    assert set(Notification.objects.values_list("user", flat=True)) == {officer.pk}


def test_the_officer_acting_is_not_told(stage2, officer, contributor):
    Notification.objects.all().delete()
    finding_raise(
        audit=stage2,
        kind=FindingKind.OBSERVATION,
        requirement=_requirement("EXI 10"),
        description="Recorded from the body's letter",
        actor=officer,
        role=Actor.BODY,
    )
    assert not Notification.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_rejected_review_needs_a_response_and_is_answered(
    stage2, officer, contributor, manager, auditor, outsider, client_as
):
    version = _version(stage2.cycle.organisation, contributor, "Backup report")
    rejected = _review(stage2, version, auditor, ReviewDecision.REJECTED)
    _review(stage2, _version(stage2.cycle.organisation, contributor, "Policy"), auditor, "accepted")
    slug = stage2.cycle.organisation.slug
    url = reverse("audits:audit-reviews", args=[slug, stage2.pk])
    page = client_as(contributor).get(url).content.decode()
    assert "Backup report" in page
    assert "Rejected" in page
    assert "Policy" not in page
    assert f'name="review{rejected.pk}-version"' in page
    # The manager reads the list (it was a 404) and is offered no answer.
    read_only = client_as(manager).get(url)
    assert read_only.status_code == 200
    assert "Backup report" in read_only.content.decode()
    assert "review-answer" not in read_only.content.decode()
    assert f'name="review{rejected.pk}-version"' not in read_only.content.decode()
    assert client_as(manager).post(url).status_code == 405
    assert client_as(outsider).get(url).status_code == 404
    newer = evidence_version_add(
        item=version.item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor
    )
    answered = review_answer(review=rejected, version=newer, answer="This year's", actor=officer)
    assert answered.answered_with == newer
    assert "Backup report" not in client_as(contributor).get(url).content.decode()
