"""Evidence review in the browser: the auditor reviews the versions linked to each requirement,
pinned to the audit; findings raised and verified by the auditor; the host answers a review."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Audit,
    AuditKind,
    AuditorAccess,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from audits.selectors.review import REVIEWS_SHOWN
from audits.services import AuditError
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    cycle_create,
)
from audits.services.findings import finding_submit_correction
from audits.services.reviews import evidence_review_record, review_answer
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import evidence_version_add
from hdsready.models import Organisation, TrailEvent, User
from scopes.models import Requirement
from tests.evidence.helpers import PDF, hashed_upload, make_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


# The audits' dates, around the day the tests run: a stage is completed once it has started.
DAY = timezone.localdate()


@pytest.fixture
def audit(scoped: Organisation, officer: User) -> Audit:
    cycle = cycle_create(
        organisation=scoped,
        certification_body="Organisme X",
        accreditation="5-0001",
        actor=officer,
    )
    return audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)


@pytest.fixture
def stage1(audit: Audit, officer: User) -> Audit:
    return audit_schedule_stage1(
        audit=audit, start=DAY - timedelta(days=6), end=DAY - timedelta(days=5), actor=officer
    )


@pytest.fixture
def stage2(stage1: Audit, officer: User, auditor: User) -> Audit:
    audit_complete_stage1(audit=stage1, outcome="Documentation complete", actor=auditor)
    return audit_schedule_stage2(
        audit=stage1,
        start=DAY - timedelta(days=1),
        end=DAY + timedelta(days=1),
        sites="Paris",
        actor=officer,
    )


def _invite(audit: Audit, officer: User, auditor: User) -> AuditorAccess:
    now = timezone.now()
    invited, _raw = auditor_invite(
        audit=audit,
        email=auditor.email,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=2),
        actor=officer,
    )
    return auditor_accept_existing_user(access=invited, user=auditor)


@pytest.fixture
def access(audit: Audit, officer: User, auditor: User) -> AuditorAccess:
    return _invite(audit, officer, auditor)


def _evidence(
    organisation: Organisation, actor: User, title: str, ref: str = "EXI 10"
) -> tuple[EvidenceItem, EvidenceVersion]:
    item = make_item(organisation, actor, title=title)
    item.requirements.set([requirement(ref)])
    version = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=actor)
    return item, version


def _url(name: str, *args: object) -> str:
    return reverse(f"audits:{name}", args=args)


class TestReviewService:
    def test_pins_the_version_and_a_later_upload_changes_nothing(
        self, stage2, contributor, auditor
    ):
        item, version = _evidence(stage2.cycle.organisation, contributor, "Awareness register")
        review = evidence_review_record(
            audit=stage2,
            requirement=requirement("EXI 10"),
            version=version,
            decision=ReviewDecision.ACCEPTED,
            comment="",
            actor=auditor,
        )
        assert review.pinned.stage == Stage.ONSITE
        assert review.pinned.version == version
        evidence_version_add(item=item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor)
        review.refresh_from_db()
        assert review.pinned.version == version
        assert PinnedVersion.objects.filter(audit=stage2).count() == 1
        assert TrailEvent.objects.filter(kind="evidence_review.recorded").count() == 1

    def test_reviewing_twice_pins_once(self, stage2, contributor, auditor):
        _item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        for decision in (ReviewDecision.ACCEPTED, ReviewDecision.ACCEPTED):
            evidence_review_record(
                audit=stage2,
                requirement=requirement("EXI 10"),
                version=version,
                decision=decision,
                comment="",
                actor=auditor,
            )
        assert PinnedVersion.objects.filter(audit=stage2).count() == 1
        assert EvidenceReview.objects.filter(audit=stage2).count() == 2

    @pytest.mark.parametrize("decision", [ReviewDecision.NEEDS_REVISION, ReviewDecision.REJECTED])
    def test_comment_required(self, stage2, contributor, auditor, decision):
        _item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        with pytest.raises(AuditError, match="what is wrong"):
            evidence_review_record(
                audit=stage2,
                requirement=requirement("EXI 10"),
                version=version,
                decision=decision,
                comment="  ",
                actor=auditor,
            )
        assert not PinnedVersion.objects.exists()

    def test_refused_outside_a_stage_or_requirement(self, audit, stage2, contributor, auditor):
        _item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        with pytest.raises(AuditError, match="not linked"):
            evidence_review_record(
                audit=stage2,
                requirement=requirement("EXI 11"),
                version=version,
                decision=ReviewDecision.ACCEPTED,
                comment="",
                actor=auditor,
            )
        draft = audit_plan(cycle=audit.cycle, kind=AuditKind.SURVEILLANCE, actor=auditor)
        with pytest.raises(AuditError, match="not possible now"):
            evidence_review_record(
                audit=draft,
                requirement=requirement("EXI 10"),
                version=version,
                decision=ReviewDecision.ACCEPTED,
                comment="",
                actor=auditor,
            )

    def test_stage1_reviews_the_frozen_set_only(self, stage1, officer, contributor, auditor):
        item, frozen = _evidence(stage1.cycle.organisation, contributor, "Register")
        audit_submit_stage1_documents(audit=stage1, actor=officer)
        later = evidence_version_add(
            item=item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor
        )
        with pytest.raises(AuditError, match="only those versions"):
            evidence_review_record(
                audit=stage1,
                requirement=requirement("EXI 10"),
                version=later,
                decision=ReviewDecision.ACCEPTED,
                comment="",
                actor=auditor,
            )
        review = evidence_review_record(
            audit=stage1,
            requirement=requirement("EXI 10"),
            version=frozen,
            decision=ReviewDecision.ACCEPTED,
            comment="",
            actor=auditor,
        )
        assert review.pinned.stage == Stage.DOCUMENTARY
        assert PinnedVersion.objects.filter(audit=stage1).count() == 1

    def test_answer_needs_a_newer_version_of_the_same_item(self, stage2, contributor, auditor):
        item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        _other, other_version = _evidence(stage2.cycle.organisation, contributor, "Other")
        review = evidence_review_record(
            audit=stage2,
            requirement=requirement("EXI 10"),
            version=version,
            decision=ReviewDecision.NEEDS_REVISION,
            comment="Sessions of March missing",
            actor=auditor,
        )
        for wrong in (version, other_version):
            with pytest.raises(AuditError, match="new version"):
                review_answer(review=review, version=wrong, answer="", actor=contributor)
        newer = evidence_version_add(
            item=item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor
        )
        review = review_answer(review=review, version=newer, answer="Added", actor=contributor)
        assert review.answered_with == newer
        with pytest.raises(AuditError, match="already answered"):
            review_answer(review=review, version=newer, answer="", actor=contributor)
        assert TrailEvent.objects.filter(kind="evidence_review.answered").count() == 1


class TestAuditorPages:
    def test_review_findings_and_answer(
        self, stage2, officer, contributor, auditor, client_as, django_capture_on_commit_callbacks
    ):
        _invite(stage2, officer, auditor)
        organisation = stage2.cycle.organisation
        versions = [
            _evidence(organisation, contributor, title)[1]
            for title in ("Awareness register", "Access policy", "Backup report")
        ]
        client = client_as(auditor)
        exi10 = requirement("EXI 10")
        # One requirement's versions to review: the link from its chapter's page.
        page = client.get(_url("auditor-review", stage2.pk), {"requirement": exi10.pk})
        assert page.status_code == 200
        content = page.content.decode()
        for version in versions:
            assert _url("auditor-version-view", stage2.pk, version.pk) in content
        decisions = [
            (ReviewDecision.ACCEPTED, ""),
            (ReviewDecision.NEEDS_REVISION, "March sessions missing"),
            (ReviewDecision.REJECTED, "Not the backup of this year"),
        ]
        for version, (decision, comment) in zip(versions, decisions, strict=True):
            response = client.post(
                _url("auditor-action", stage2.pk, "evidence-review"),
                {
                    "evidence-review-requirement": exi10.pk,
                    "evidence-review-version": version.pk,
                    "evidence-review-decision": decision,
                    "evidence-review-comment": comment,
                },
            )
            assert response.status_code == 302
        assert sorted(EvidenceReview.objects.values_list("decision", flat=True)) == sorted(
            decision for decision, _comment in decisions
        )
        content = client.get(_url("auditor-review", stage2.pk)).content.decode()
        assert "March sessions missing" in content
        assert "Rejected" in content

        # The officer answers the revision with a new version of the same item.
        needs = EvidenceReview.objects.get(decision=ReviewDecision.NEEDS_REVISION)
        newer = evidence_version_add(
            item=versions[1].item, upload=hashed_upload(PDF, "v2.pdf"), actor=contributor
        )
        officer_client = client_as(officer)
        listing = officer_client.get(_url("audit-reviews", organisation.slug, stage2.pk))
        assert listing.status_code == 200
        assert "March sessions missing" in listing.content.decode()
        response = officer_client.post(
            _url("review-answer", organisation.slug, needs.pk),
            {f"review{needs.pk}-version": newer.pk, f"review{needs.pk}-answer": "Completed"},
        )
        assert response.status_code == 302
        needs.refresh_from_db()
        assert needs.answered_with == newer
        assert needs.answer == "Completed"
        assert (
            "Answered with version 2"
            in client.get(_url("auditor-review", stage2.pk)).content.decode()
        )

        # A minor non-conformity on stage 2, then its correction verified.
        response = client.post(
            _url("auditor-action", stage2.pk, "finding-raise"),
            {
                "finding-raise-kind": FindingKind.MINOR,
                "finding-raise-requirement": exi10.pk,
                "finding-raise-evidence": versions[2].pk,
                "finding-raise-description": "Backups not tested",
            },
        )
        assert response.status_code == 302
        finding = Finding.objects.get(audit=stage2)
        assert (finding.stage, finding.raised_by, finding.evidence) == (
            Stage.ONSITE,
            auditor,
            versions[2],
        )
        with django_capture_on_commit_callbacks(execute=True):
            audit_complete_stage2(audit=stage2, outcome="One minor NC", actor=auditor)
            finding_submit_correction(
                finding=finding,
                correction="Restore test done",
                root_cause="No schedule",
                action_plan="Quarterly tests",
                actor=officer,
            )
            assert (
                "Record the verification"
                in client.get(_url("auditor-review", stage2.pk)).content.decode()
            )
            prefix = f"correction-verify-{finding.pk}"
            response = client.post(
                _url("auditor-finding-action", stage2.pk, finding.pk, "correction-verify"),
                {f"{prefix}-accepted": "yes", f"{prefix}-comment": "Evidence of the test seen"},
            )
        assert response.status_code == 302
        finding.refresh_from_db()
        assert finding.status == FindingStatus.VERIFIED
        assert finding.verified_by == auditor
        event = TrailEvent.objects.get(kind="finding.correction_verified")
        assert (event.actor, event.data["as"]) == (auditor, "auditor")

    def test_auditor_completes_the_stages(self, stage1, officer, auditor, client_as):
        _invite(stage1, officer, auditor)
        client = client_as(auditor)
        response = client.post(
            _url("auditor-action", stage1.pk, "stage1-complete"),
            {"stage1-complete-outcome": "Documentation complete"},
        )
        assert response.status_code == 302
        assert Audit.objects.get(pk=stage1.pk).status == "stage1_done"
        audit_schedule_stage2(
            audit=stage1,
            start=DAY - timedelta(days=1),
            end=DAY + timedelta(days=1),
            sites="Paris",
            actor=officer,
        )
        response = client.post(
            _url("auditor-action", stage1.pk, "stage2-complete"),
            {"stage2-complete-ended_on": DAY.isoformat(), "stage2-complete-outcome": "No NC"},
        )
        assert response.status_code == 302
        audit = Audit.objects.get(pk=stage1.pk)
        assert (audit.status, audit.stage2_ended_on) == ("stage2_done", DAY)

    def test_an_action_the_auditor_never_takes_is_a_404(self, stage1, officer, auditor, client_as):
        _invite(stage1, officer, auditor)
        client = client_as(auditor)
        for action in ("cancel", "stage1-submit", "decision-record", "no-such-action"):
            response = client.post(
                _url("auditor-action", stage1.pk, action), {"cancel-reason": "x"}
            )
            assert response.status_code == 404, action
        assert Audit.objects.get(pk=stage1.pk).status == "stage1_planned"

    def test_an_action_refused_now_says_why_and_changes_nothing(
        self, stage2, officer, auditor, client_as
    ):
        _invite(stage2, officer, auditor)
        client = client_as(auditor)
        response = client.post(
            _url("auditor-action", stage2.pk, "stage1-complete"),
            {"stage1-complete-outcome": "Again"},
            follow=True,
        )
        assert "is not possible now" in response.content.decode()
        audit = Audit.objects.get(pk=stage2.pk)
        assert (audit.status, audit.stage1_outcome) == ("stage2_planned", "Documentation complete")

    def test_version_view_inline_and_trailed(
        self, stage2, officer, contributor, auditor, client_as
    ):
        _invite(stage2, officer, auditor)
        _item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        response = client_as(auditor).get(_url("auditor-version-view", stage2.pk, version.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert b"".join(response.streaming_content) == PDF
        event = TrailEvent.objects.get(kind="evidence.viewed")
        assert event.actor == auditor

    def test_version_view_refused(
        self, stage2, officer, contributor, auditor, outsider, client_as, scoped
    ):
        organisation = stage2.cycle.organisation
        access = _invite(stage2, officer, auditor)
        _item, version = _evidence(organisation, contributor, "Register")
        unlinked = evidence_version_add(
            item=make_item(organisation, contributor, title="Unlinked"),
            upload=hashed_upload(PDF),
            actor=contributor,
        )
        other_audit = audit_plan(cycle=stage2.cycle, kind=AuditKind.SURVEILLANCE, actor=officer)
        client = client_as(auditor)
        assert client.get(_url("auditor-version-view", stage2.pk, unlinked.pk)).status_code == 404
        assert (
            client.get(_url("auditor-version-view", other_audit.pk, version.pk)).status_code == 404
        )
        assert (
            client_as(outsider).get(_url("auditor-version-view", stage2.pk, version.pk)).status_code
            == 404
        )
        with time_machine.travel(access.valid_until + timedelta(minutes=1)):
            assert (
                client.get(_url("auditor-version-view", stage2.pk, version.pk)).status_code == 404
            )
            assert client.get(_url("auditor-review", stage2.pk)).status_code == 404
        assert not TrailEvent.objects.filter(kind="evidence.viewed").exists()

    def test_wrong_method_and_outsider(
        self, stage2, officer, contributor, auditor, outsider, client_as
    ):
        _invite(stage2, officer, auditor)
        _item, version = _evidence(stage2.cycle.organisation, contributor, "Register")
        slug = stage2.cycle.organisation.slug
        gets = [
            _url("auditor-review", stage2.pk),
            _url("auditor-version-view", stage2.pk, version.pk),
            _url("audit-reviews", slug, stage2.pk),
        ]
        posts = [
            _url("auditor-action", stage2.pk, "evidence-review"),
            _url("auditor-action", stage2.pk, "finding-raise"),
            _url("auditor-finding-action", stage2.pk, 1, "correction-verify"),
            _url("review-answer", slug, 1),
        ]
        client = client_as(auditor)
        for url in gets:
            assert client.post(url).status_code == 405
        for url in posts:
            assert client.get(url).status_code == 405
        stranger = client_as(outsider)
        for url in gets:
            assert stranger.get(url).status_code == 404
        for url in posts:
            assert stranger.post(url).status_code == 404
        # The auditor is no member: the officer's side is a 404 too.
        assert client.get(_url("audit-reviews", slug, stage2.pk)).status_code == 404

    @pytest.mark.parametrize("items", [1, 5])
    def test_query_count_does_not_grow(
        self, items, stage2, officer, contributor, auditor, client_as, django_assert_num_queries
    ):
        _invite(stage2, officer, auditor)
        for number in range(items):
            _item, version = _evidence(stage2.cycle.organisation, contributor, f"Item {number}")
            evidence_review_record(
                audit=stage2,
                requirement=requirement("EXI 10"),
                version=version,
                decision=ReviewDecision.NEEDS_REVISION,
                comment="Incomplete",
                actor=auditor,
            )
        client = client_as(auditor)
        url = _url("auditor-review", stage2.pk) + f"?chapter={requirement('EXI 10').parent_id}"
        client.get(url)
        with django_assert_num_queries(17):
            page = client.get(url)
        # The latest reviews of each requirement; all of them in the trail and the API.
        assert page.content.decode().count("Incomplete") == min(items, REVIEWS_SHOWN)
