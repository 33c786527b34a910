"""The organisation home's fragments owned by the audits app (progress, certification cycle)
and the auditor home's "left to review": every member sees them, an outsider gets a 404, a
POST a 405, and their query counts do not grow with the rows."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audits import deadlines
from audits.deadline_kinds import DEADLINE_KINDS
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import audit_plan, audit_schedule_stage1, cycle_create
from evidence.services import ItemData, evidence_item_create, evidence_version_add
from scopes.models import Certificate, CertificateKind, ReadinessEntry, Requirement, Subcontractor
from tests.conftest import verified_client_for
from tests.evidence.helpers import PDF, hashed_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FRAGMENTS = ("audits:home-progress", "audits:home-certification")


@pytest.fixture
def client_as():
    def make(user):
        client = verified_client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def requirement(ref: str) -> Requirement:
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


def paris_today() -> date:
    return deadlines.paris_date(now=timezone.now())


@pytest.fixture
def audit(scoped, officer) -> Audit:
    cycle = cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )
    return audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)


def correcting(audit: Audit, *, days_left: int) -> Audit:
    """Put the audit in its correction window, ending in `days_left` days."""
    deadline = paris_today() + timedelta(days=days_left)
    Audit.objects.filter(pk=audit.pk).update(
        status=AuditStatus.CORRECTIONS,
        stage2_start=deadline - timedelta(days=92),
        stage2_end=deadline - timedelta(days=90),
        correction_deadline=deadline,
    )
    audit.refresh_from_db()
    return audit


def raise_findings(audit: Audit, officer, count: int) -> None:
    for number in range(count):
        Finding.objects.create(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=requirement("EXI 10"),
            description=f"Finding {number}",
            raised_by=officer,
        )


def subcontractor_certificates(
    organisation, count: int, *, expires_on: date, prefix: str = "DC"
) -> None:
    for number in range(count):
        datacenter = Subcontractor.objects.create(
            organisation=organisation, name=f"{prefix} {number}"
        )
        Certificate.objects.create(
            organisation=organisation,
            subcontractor=datacenter,
            kind=CertificateKind.HDS,
            number=f"HDS-{prefix}-{number}",
            certification_body="Organisme Y",
            standard_version="HDS v2",
            issued_on=date(2024, 4, 1),
            expires_on=expires_on,
        )


class TestHomePage:
    def test_the_home_page_loads_both_fragments(self, client_as, officer, organisation):
        home = client_as(officer).get(
            reverse("hdsready:organisation-home", args=[organisation.slug])
        )
        content = home.content.decode()
        for name in FRAGMENTS:
            assert f'data-fragment="{reverse(name, args=[organisation.slug])}"' in content
        assert content.count("js/evidence-upload.js") == 1
        # The officer may print: the dossiers card links to the dossier list.
        assert f'href="{reverse("dossiers:dossier-list", args=[organisation.slug])}"' in content


@pytest.mark.parametrize("name", FRAGMENTS)
class TestAccess:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_every_member(self, request, client_as, organisation, name, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(reverse(name, args=[organisation.slug]))
        assert response.status_code == 200
        assert b"<html" not in response.content

    def test_outsider_is_404(self, client_as, outsider, organisation, name):
        url = reverse(name, args=[organisation.slug])
        assert client_as(outsider).get(url).status_code == 404

    def test_wrong_method_is_405(self, client_as, officer, organisation, name):
        url = reverse(name, args=[organisation.slug])
        assert client_as(officer).post(url).status_code == 405


class TestProgress:
    def test_scores_and_evidence_count(self, client_as, scoped, officer, manager):
        ReadinessEntry.objects.create(
            organisation=scoped, requirement=requirement("EXI 10"), status="compliant"
        )
        evidence_item_create(
            organisation=scoped,
            data=ItemData(title="Awareness register", requirements=[requirement("EXI 10")]),
            actor=officer,
        )
        content = (
            client_as(manager)
            .get(reverse("audits:home-progress", args=[scoped.slug]))
            .content.decode()
        )
        assert 'data-framework="hds"' in content
        assert 'data-framework="iso27001"' in content
        assert content.count("<svg") == 2
        assert "1 evidence item" in content
        assert reverse("scopes:readiness-list", args=[scoped.slug, "hds"]) in content

    def test_query_count(self, client_as, scoped, officer, django_assert_num_queries):
        client = client_as(officer)
        url = reverse("audits:home-progress", args=[scoped.slug])
        client.get(url)
        with django_assert_num_queries(19):
            assert client.get(url).status_code == 200


class TestCertification:
    def test_nothing_yet(self, client_as, officer, organisation):
        content = (
            client_as(officer)
            .get(reverse("audits:home-certification", args=[organisation.slug]))
            .content.decode()
        )
        assert "No certification cycle yet." in content
        assert "No open non-conformity." in content
        assert "No deadline in the next 90 days." in content

    def test_timeline_countdowns_and_deadlines(self, client_as, audit, officer, contributor):
        organisation = audit.cycle.organisation
        audit = correcting(audit, days_left=10)
        raise_findings(audit, officer, 1)
        Finding.objects.create(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=requirement("EXI 10"),
            description="Just a note",
            raised_by=officer,
            status=FindingStatus.NOTED,
        )
        today = paris_today()
        subcontractor_certificates(organisation, 1, expires_on=today + timedelta(days=40))
        subcontractor_certificates(
            organisation, 1, expires_on=today + timedelta(days=200), prefix="Far"
        )
        evidence_item_create(
            organisation=organisation,
            data=ItemData(title="Restore test", review_due_on=today + timedelta(days=20)),
            actor=officer,
        )
        content = (
            client_as(contributor)
            .get(reverse("audits:home-certification", args=[organisation.slug]))
            .content.decode()
        )
        # The timeline: the on-site audit and the end of the correction window.
        assert "on-site audit (stage 2) ends" in content
        assert "end of the correction window" in content
        # One open non-conformity (the observation is not one), 10 days left.
        assert content.count("data-finding=") == 1
        assert "10 days left" in content
        # Deadlines within 90 days, by date; the certificate in 200 days is not there.
        days = [int(part.split('"')[0]) for part in content.split('data-deadline-days="')[1:]]
        assert days == [10, 20, 40]
        assert "Restore test" in content
        assert "Subcontractor certificate expires" in content
        assert "HDS-Far-0" not in content
        assert "HDS-DC-0" in content

    def test_a_passed_correction_deadline(self, client_as, audit, officer):
        audit = correcting(audit, days_left=-1)
        raise_findings(audit, officer, 1)
        content = (
            client_as(officer)
            .get(reverse("audits:home-certification", args=[audit.cycle.organisation.slug]))
            .content.decode()
        )
        assert "passed" in content

    @pytest.mark.parametrize("count", [1, 5])
    def test_query_count(self, client_as, audit, officer, count, django_assert_num_queries):
        organisation = audit.cycle.organisation
        audit = correcting(audit, days_left=10)
        raise_findings(audit, officer, count)
        subcontractor_certificates(
            organisation, count, expires_on=paris_today() + timedelta(days=5)
        )
        client = client_as(officer)
        url = reverse("audits:home-certification", args=[organisation.slug])
        client.get(url)
        # 8 of them: one per deadline kind of the registry (audits/deadline_kinds.py).
        # 9: the open non-conformities are counted besides the few shown.
        with django_assert_num_queries(9 + len(DEADLINE_KINDS)):
            content = client.get(url).content.decode()
        assert content.count("data-finding=") == count
        assert content.count("data-deadline-days=") == count + 1


class TestAuditorLeftToReview:
    def test_requirements_with_evidence_not_reviewed_yet(self, client_as, audit, officer, auditor):
        organisation = audit.cycle.organisation
        now = timezone.now()
        # Evidence is reviewed once the documentary audit is planned (workflow.REVIEWING).
        audit_schedule_stage1(
            audit=audit, start=timezone.localdate(), end=timezone.localdate(), actor=officer
        )
        invited, _raw = auditor_invite(
            audit=audit,
            email=auditor.email,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(hours=2),
            actor=officer,
        )
        auditor_accept_existing_user(access=invited, user=auditor)
        reviewed, pending = requirement("EXI 10"), requirement("EXI 11")
        item = evidence_item_create(
            organisation=organisation,
            data=ItemData(title="Register", requirements=[reviewed, pending]),
            actor=officer,
        )
        version = evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)
        client = client_as(auditor)
        page = client.get(reverse("audits:auditor-home")).content.decode()
        assert 'data-left-to-review="2"' in page

        pinned = PinnedVersion.objects.create(
            audit=audit, stage=Stage.DOCUMENTARY, requirement=reviewed, version=version
        )
        EvidenceReview.objects.create(
            audit=audit, pinned=pinned, decision=ReviewDecision.ACCEPTED, reviewer=auditor
        )
        # Another reviewer's review, or one of another stage, does not count for this one.
        other_pinned = PinnedVersion.objects.create(
            audit=audit, stage=Stage.ONSITE, requirement=pending, version=version
        )
        EvidenceReview.objects.create(
            audit=audit, pinned=other_pinned, decision=ReviewDecision.ACCEPTED, reviewer=auditor
        )
        page = client.get(reverse("audits:auditor-home")).content.decode()
        assert 'data-left-to-review="1"' in page
