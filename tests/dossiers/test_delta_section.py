"""The delta since the previous audit (audits/delta.py) as a section of the stage 1 and full
dossiers of a surveillance audit: the counts per section, the most recent changes of each and
how many more, in a fixed number of queries; printed in the dossier's language and read back
with pdftotext."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audits.models import Audit, AuditKind, AuditStatus
from audits.services.cycle import audit_schedule_stage1
from bench.dossier_seed import SeededOrganisation
from dossiers.content import DELTA_ROWS_PER_SECTION, _delta_units, dossier_plan
from dossiers.models import DossierKind
from evidence.models import EvidenceVersion
from evidence.services import evidence_version_add
from scopes.models import ReadinessStatus
from scopes.services.scope import certificate_save
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audit's people)
from tests.audits.test_delta import (
    hds_certificate,
    set_status,
    subcontractor_with_certificate,
)
from tests.audits.workflow_helpers import Cast, audit_in
from tests.dossiers.test_dossiers import (
    Capture,
    assert_well_formed,
    compact,
    only,
    pages_of,
    placed_units,
    request_and_print,
)
from tests.evidence.helpers import PDF, hashed_upload

pytestmark = pytest.mark.django_db

RENEWED = "HDS-DC-1-R1"


@pytest.fixture
def surveillance(cast: Cast) -> Audit:  # noqa: F811
    """The first surveillance audit after the initial decision, its documentary audit planned,
    and three changes since the decision: a subcontractor's certificate renewed, a readiness
    status, a new version of an evidence file."""
    subcontractor = subcontractor_with_certificate(cast)
    decided = audit_in(AuditStatus.DECIDED, cast)
    certificate_save(
        organisation=cast.organisation,
        subcontractor=subcontractor,
        data=hds_certificate(RENEWED, expires_on=date(2030, 1, 1)),
        actor=cast.officer,
        certificate=subcontractor.certificates.get(),
    )
    set_status(cast, "EXI 13", ReadinessStatus.COMPLIANT)
    evidence_version_add(
        item=cast.version.item, upload=hashed_upload(PDF + b"v2"), actor=cast.officer
    )
    audit = (
        Audit.objects.filter(cycle=decided.cycle, kind=AuditKind.SURVEILLANCE)
        .order_by("due_on")
        .first()
    )
    assert audit is not None
    today = timezone.localdate()
    audit_schedule_stage1(
        audit=audit,
        start=today + timedelta(days=30),
        end=today + timedelta(days=31),
        actor=cast.officer,
    )
    return Audit.objects.select_related("cycle__organisation").get(pk=audit.pk)


def templates_of(kind: str, audit: Audit) -> list[str]:
    plan = dossier_plan(
        organisation=audit.cycle.organisation,
        kind=kind,
        audit=audit,
        cycle=audit.cycle,
        today=timezone.localdate(),
    )
    return [unit.template for unit in plan.units]


def test_which_dossiers_carry_it(surveillance: Audit) -> None:
    delta = "pdf/section_delta.html"
    stage1 = templates_of(DossierKind.STAGE1, surveillance)
    assert stage1.count(delta) == 1
    # Right before the audit's own sections.
    assert stage1[stage1.index(delta) + 1] == "pdf/section_stage1_evidence.html"
    assert templates_of(DossierKind.FULL, surveillance).count(delta) == 1  # not the initial's
    for kind in (DossierKind.STAGE2, DossierKind.CORRECTIONS, DossierKind.SOA):
        assert delta not in templates_of(kind, surveillance)
    initial = Audit.objects.get(cycle=surveillance.cycle, kind=AuditKind.INITIAL)
    assert delta not in templates_of(DossierKind.STAGE1, initial)


def test_a_long_delta_prints_the_latest_and_counts_the_rest(
    surveillance: Audit,
    cast: Cast,  # noqa: F811
) -> None:
    def units() -> tuple[int, dict]:
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            [unit] = _delta_units(surveillance, "Surveillance")
        return len(queries), unit.context

    short_cost, short = units()
    evidence = next(s for s in short["sections"] if s["label"] == "Evidence versions")
    assert (len(evidence["rows"]), evidence["more"]) == (1, 0)
    for n in range(DELTA_ROWS_PER_SECTION + 5):
        evidence_version_add(
            item=cast.version.item, upload=hashed_upload(PDF + f"{n}".encode()), actor=cast.officer
        )
    long_cost, long = units()
    assert long_cost == short_cost
    evidence = next(s for s in long["sections"] if s["label"] == "Evidence versions")
    assert (len(evidence["rows"]), evidence["more"]) == (DELTA_ROWS_PER_SECTION, 6)
    latest = EvidenceVersion.objects.filter(item=cast.version.item).order_by("-number").first()
    assert latest is not None
    assert any(line["text"] == latest.sha256 for line in evidence["rows"][0]["lines"])


@pytest.mark.parametrize(
    ("language", "title", "section"),
    [
        ("fr", "Changements depuis l’audit précédent", "Sous-traitants et leurs certificats"),
        ("en", "Changes since the previous audit", "Subcontractors and their certificates"),
    ],
)
def test_printed_in_the_dossier_language(
    language: str,
    title: str,
    section: str,
    surveillance: Audit,
    cast: Cast,  # noqa: F811
    django_capture_on_commit_callbacks: Capture,
) -> None:
    seeded = SeededOrganisation(
        organisation=cast.organisation,
        officer=cast.officer,
        manager=cast.officer,
        auditor=cast.auditor,
        cycle=surveillance.cycle,
        audit=surveillance,
    )
    dossier = request_and_print(
        django_capture_on_commit_callbacks, seeded, DossierKind.STAGE1, language=language
    )
    pages = assert_well_formed(dossier, seeded)
    text = compact("".join(pages_of(only(placed_units(dossier), "pdf/section_delta.html"), pages)))
    version = EvidenceVersion.objects.filter(item=cast.version.item).order_by("-number").first()
    assert version is not None
    for printed in (title, section, RENEWED, "EXI 13", version.sha256, cast.version.sha256):
        assert compact(printed) in text, printed
