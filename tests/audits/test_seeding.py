"""The benchmark seed makes exactly what it is asked for; the demo cycle seed is idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from audits.deadlines import correction_deadline
from audits.models import (
    Audit,
    AuditStatus,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    Stage,
)
from bench.dossier_seed import seed_dossier_organisation
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import evidence_verify_all
from hdsready.models import Organisation
from hdsready.roles import MANAGE, PRINT_DOSSIER
from scopes.models import ReadinessEntry, Requirement, SoAEntry
from scopes.selectors import HDS_CODE, ISO_CODE, builtin_framework, readiness_rows

pytestmark = pytest.mark.django_db


def test_bench_seed_makes_the_requested_counts() -> None:
    seeded = seed_dossier_organisation(slug="bench-small", versions=42, findings=10)

    organisation = seeded.organisation
    versions = EvidenceVersion.objects.filter(item__organisation=organisation)
    assert versions.count() == 42
    assert EvidenceItem.objects.filter(organisation=organisation).count() == 11  # 4 each, then 2
    assert set(versions.values_list("content_type", flat=True)) == {"application/pdf"}
    assert len(set(versions.values_list("sha256", flat=True))) == 42
    findings = Finding.objects.filter(audit=seeded.audit)
    assert findings.count() == 10
    assert findings.filter(kind=FindingKind.MAJOR).count() == 1
    assert findings.filter(kind=FindingKind.MINOR).count() == 4
    assert findings.filter(kind=FindingKind.OBSERVATION).count() == 5
    assert findings.filter(status=FindingStatus.VERIFIED).count() == 2
    assert findings.filter(status=FindingStatus.CORRECTION_SUBMITTED).count() == 2
    assert findings.filter(status=FindingStatus.OPEN).count() == 1

    assert SoAEntry.objects.filter(organisation=organisation).count() == 93
    assert SoAEntry.objects.filter(organisation=organisation, applicable=False).count() == 3
    frameworks = [builtin_framework(code=HDS_CODE), builtin_framework(code=ISO_CODE)]
    assessable = Requirement.objects.filter(framework__in=frameworks, assessable=True).count()
    assert ReadinessEntry.objects.filter(organisation=organisation).count() == assessable
    # The host profile and the subcontracted activities make every HDS requirement apply.
    assert all(
        applies
        for _r, _e, applies in readiness_rows(organisation=organisation, framework=frameworks[0])
    )

    audit = Audit.objects.get(pk=seeded.audit.pk)
    assert audit.status == AuditStatus.CORRECTIONS
    assert audit.stage2_end is not None
    assert audit.correction_deadline == correction_deadline(onsite_audit_end=audit.stage2_end)
    hds_covered = (
        EvidenceItem.requirements.through.objects.filter(evidenceitem__organisation=organisation)
        .values("requirement_id")
        .distinct()
        .count()
    )
    for stage in (Stage.DOCUMENTARY, Stage.ONSITE):
        assert PinnedVersion.objects.filter(audit=audit, stage=stage).count() == hds_covered
    assert EvidenceReview.objects.filter(audit=audit).exists()
    assert seeded.officer.has_perm(f"hdsready.{MANAGE}", organisation)
    assert seeded.manager.has_perm(f"hdsready.{PRINT_DOSSIER}", organisation)
    assert not seeded.manager.has_perm(f"hdsready.{MANAGE}", organisation)


def test_bench_seed_works_with_a_single_finding_and_version() -> None:
    seeded = seed_dossier_organisation(slug="bench-tiny", versions=1, findings=1)

    assert EvidenceVersion.objects.filter(item__organisation=seeded.organisation).count() == 1
    assert Finding.objects.filter(audit=seeded.audit).count() == 1


def _demo_counts() -> dict[str, int]:
    organisation = Organisation.objects.get(slug="demo")
    return {
        "cycles": Cycle.objects.filter(organisation=organisation).count(),
        "audits": Audit.objects.filter(cycle__organisation=organisation).count(),
        "items": EvidenceItem.objects.filter(organisation=organisation).count(),
        "versions": EvidenceVersion.objects.filter(item__organisation=organisation).count(),
        "pins": PinnedVersion.objects.filter(audit__cycle__organisation=organisation).count(),
        "reviews": EvidenceReview.objects.filter(audit__cycle__organisation=organisation).count(),
        "findings": Finding.objects.filter(audit__cycle__organisation=organisation).count(),
    }


def test_seed_demo_cycle_runs_twice_without_duplicates() -> None:
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_scope", force=True, stdout=io.StringIO())

    call_command("seed_demo_cycle", force=True, stdout=io.StringIO())
    first = _demo_counts()
    call_command("seed_demo_cycle", force=True, stdout=io.StringIO())

    assert _demo_counts() == first
    assert first == {
        "cycles": 1,
        "audits": 1,
        "items": 5,
        "versions": 6,
        "pins": 8,
        "reviews": 3,
        "findings": 5,
    }
    audit = Audit.objects.get(cycle__organisation__slug="demo")
    assert audit.status == AuditStatus.CORRECTIONS
    assert audit.stage1_submitted_at is not None
    assert audit.correction_deadline is not None
    findings = Finding.objects.filter(audit=audit)
    assert findings.filter(status=FindingStatus.CORRECTION_SUBMITTED).count() == 1
    # The files are real: every stored version matches its recorded hash.
    checked = list(evidence_verify_all(organisation=audit.cycle.organisation))
    assert len(checked) == 6
    assert all(isinstance(result, EvidenceVersion) for result in checked)
