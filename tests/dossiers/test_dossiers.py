"""Dossier PDFs: the request, the layout chain on the (eager) worker pool, the printed PDF read
back with pdftotext and pikepdf, reuse of laid-out units, the trail, failures and retries."""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from audits.models import Audit, Finding, PinnedVersion, Stage, finding_numbers
from bench.dossier_seed import SeededOrganisation, seed_dossier_organisation
from dossiers.content import iso_edition
from dossiers.models import Dossier, DossierKind, DossierStatus, DossierUnit, RenderUnit, UnitStatus
from dossiers.services import DossierError
from dossiers.services.layout import balanced_batches, dossiers_stale_sweep
from dossiers.services.request import (
    DossierTarget,
    dossier_downloaded,
    dossier_request,
    dossier_retry,
)
from evidence.models import EvidenceVersion
from hdsready.models import Organisation, TrailEvent, User
from scopes.selectors import soa_controls
from tests.evidence.conftest import Store

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# French titles whose msgids were translated before this feature (stable in the catalog).
SOA_FR = "Déclaration d\u2019applicabilité"  # msgid "Statement of Applicability"
FINDINGS_FR = "Constats"  # msgid "Findings"
ON_SITE_FR = "Audit sur site"  # msgid "On-site audit"
CYCLE_FR = "Cycle de certification"  # msgid "Certification cycle"

SCOPE_TEMPLATES = [
    "pdf/section_organisation.html",
    "pdf/section_chain.html",
    "pdf/section_iso.html",
    "pdf/section_soa.html",
    "pdf/section_readiness.html",
    # The seeded organisation has no contract in force: the gaps and contacts part only.
    "pdf/section_contracts.html",
    "pdf/section_sovereignty.html",
    # Nothing published: the line that says so (EXI 31).
    "pdf/section_guarantees.html",
]


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeededOrganisation]:
    """One seeded organisation for the module (seeding takes seconds): each test runs in a
    savepoint inside this transaction, which is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_dossier_organisation(slug="dossier-test", versions=60, findings=12)
        transaction.set_rollback(True)


def target_for(kind: str, seeded: SeededOrganisation) -> DossierTarget:
    return DossierTarget(kind=kind, audit=seeded.audit, cycle=seeded.cycle)


def request_and_print(
    capture: Capture, seeded: SeededOrganisation, kind: str, *, language: str = "fr"
) -> Dossier:
    """Ask for a dossier and run the whole chain: the eager tasks enqueued inside the on_commit
    callbacks register callbacks of their own, which the capture runs in turn."""
    with capture(execute=True):
        dossier = dossier_request(
            organisation=seeded.organisation,
            target=target_for(kind, seeded),
            language=language,
            actor=seeded.officer,
        )
    dossier.refresh_from_db()
    return dossier


def compact(text: str) -> str:
    """Text without its spaces (pdftotext breaks lines; French typography adds no-break
    spaces), with plain apostrophes (headings are printed as translated, the contents and the
    data with typographic ones)."""
    return re.sub(r"\s+", "", text).replace("\u2019", "'")


def pdf_pages(path: Path) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed)."""
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = text.split("\f")
    assert pages[-1].strip() == ""
    return pages[:-1]


def stored_path(dossier: Dossier) -> Path:
    """A decrypted copy of the dossier's stored PDF, after checking that what the storage holds
    is not a PDF (it is encrypted at rest)."""
    stored = Path(default_storage.path(dossier.file.name))
    with stored.open("rb") as raw:
        assert not raw.read(4).startswith(b"%PDF")
    copy = (
        Path(tempfile.gettempdir())
        / "hdsready-test-dossiers"
        / stored.relative_to(default_storage.path(""))
    )
    copy.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(dossier.file.name) as plain:
        copy.write_bytes(plain.read())
    return copy


@dataclass(frozen=True)
class Placed:
    unit: RenderUnit
    first_page: int  # 0-based index in the whole dossier
    page_count: int


def placed_units(dossier: Dossier) -> list[Placed]:
    """Where each unit landed: after the cover and the contents, in the dossier's order."""
    links = list(DossierUnit.objects.filter(dossier=dossier).select_related("unit"))
    body_pages = sum(link.unit.page_count for link in links)
    page = dossier.page_count - body_pages  # cover + contents
    placed = []
    for link in links:
        placed.append(Placed(link.unit, page, link.unit.page_count))
        page += link.unit.page_count
    return placed


def outline_of(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, depth first."""
    entries: list[tuple[int, str, int]] = []
    with pikepdf.open(path) as pdf:
        page_of = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}

        def walk(items: list[pikepdf.OutlineItem], depth: int) -> None:
            for item in items:
                destination = item.destination
                assert isinstance(destination, pikepdf.Array)
                entries.append((depth, str(item.title), page_of[destination[0].objgen]))
                walk(list(item.children), depth + 1)

        with pdf.open_outline() as outline:
            walk(list(outline.root), 1)
    return entries


def contents_links(path: Path, contents_pages: range) -> list[int]:
    """The page index each link of the contents jumps to."""
    with pikepdf.open(path) as pdf:
        page_of = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        return [
            page_of[annotation.Dest[0].objgen]
            for index in contents_pages
            for annotation in pdf.pages[index].obj.get("/Annots", pikepdf.Array())
            if annotation.get("/Subtype") == pikepdf.Name.Link
        ]


def assert_well_formed(dossier: Dossier, seeded: SeededOrganisation) -> list[str]:
    """The checks every dossier passes; returns the text of its pages."""
    assert dossier.status == DossierStatus.READY, dossier.error
    path = stored_path(dossier)
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    assert len(data) == dossier.size
    pages = pdf_pages(path)
    total = len(pages)
    assert total == dossier.page_count

    # The cover: the organisation, no header or footer.
    cover = pages[0]
    assert compact(seeded.organisation.name) in compact(cover)
    assert "Page 1 /" not in cover
    assert f"Page {total} / {total}" in pages[-1]
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} / {total}" in text, f"no footer on page {number}"
        # The running header: the organisation, the audit (or what the dossier is for).
        assert compact(seeded.organisation.name) in compact(text), f"no header on page {number}"
        assert compact(dossier.subtitle) in compact(text), f"no header on page {number}"

    # Every section's level 1 heading is a top-level bookmark on the page it starts.
    placed = placed_units(dossier)
    outline = outline_of(path)
    top_level = [(title, page) for depth, title, page in outline if depth == 1]
    contents_pages = range(1, placed[0].first_page)
    assert top_level[0][1] == 1  # "Contents"
    expected_top = [
        (label, spot.first_page + page)
        for spot in placed
        for level, label, page in spot.unit.outline
        if level == 1
    ]
    assert top_level[1:] == expected_top
    every_unit_starts_with_a_heading = all(spot.unit.outline for spot in placed)
    assert every_unit_starts_with_a_heading
    for _depth, title, page in outline[1:]:
        assert compact(title) in compact(pages[page]), f"{title!r} not on page {page + 1}"

    # The contents: each entry's page number is the page where its title is printed.
    contents = compact("".join(pages[index] for index in contents_pages))
    position = 0
    entries = [(title, page) for depth, title, page in outline[1:] if depth <= 2]
    for title, page in entries:
        found = re.compile(re.escape(compact(title)) + r"\.+(\d+)").search(contents, position)
        assert found is not None, f"{title!r} missing from the contents"
        assert int(found.group(1)) == page + 1, title
        position = found.end()
    # WeasyPrint makes a link per box of an entry (its text, the leader, the number).
    assert set(contents_links(path, contents_pages)) == {page for _title, page in entries}
    return pages


def pages_of(spot: Placed, pages: list[str]) -> list[str]:
    return pages[spot.first_page : spot.first_page + spot.page_count]


def only(placed: list[Placed], template: str) -> Placed:
    [spot] = [spot for spot in placed if spot.unit.template == template]
    return spot


def assert_manifest_lists(
    versions: list[EvidenceVersion], dossier: Dossier, pages: list[str]
) -> None:
    manifest = pages_of(only(placed_units(dossier), "pdf/section_manifest.html"), pages)
    text = compact("".join(manifest))
    assert versions
    for version in versions:
        assert version.sha256 in text
    assert text.count(compact("SHA-256")) >= len(manifest)


def audit_versions(audit: Audit) -> list[EvidenceVersion]:
    """The versions a stage dossier refers to: pinned ones and those findings point at."""
    ids = set(PinnedVersion.objects.filter(audit=audit).values_list("version", flat=True))
    for evidence, correction in Finding.objects.filter(audit=audit).values_list(
        "evidence", "correction_evidence"
    ):
        ids |= {evidence, correction} - {None}
    return list(EvidenceVersion.objects.filter(pk__in=ids))


def test_stage1_dossier(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.STAGE1)

    pages = assert_well_formed(dossier, seeded)
    placed = placed_units(dossier)
    assert [spot.unit.template for spot in placed] == [
        *SCOPE_TEMPLATES,
        "pdf/section_stage1_evidence.html",
        "pdf/section_manifest.html",
        "pdf/section_generation.html",
    ]
    iso = "".join(pages_of(only(placed, "pdf/section_iso.html"), pages))
    # The edition names the standard once (it printed "ISO/IEC 27001:ISO/IEC 27001:2022").
    assert "ISO/IEC 27001:2022" in iso
    assert "27001:ISO" not in compact(iso)
    soa = compact("".join(pages_of(only(placed, "pdf/section_soa.html"), pages)))
    assert compact(SOA_FR) in soa
    assert "A.5.1" in soa
    assert "A.8.34" in soa
    index = compact("".join(pages_of(only(placed, "pdf/section_stage1_evidence.html"), pages)))
    pins = PinnedVersion.objects.filter(audit=seeded.audit, stage=Stage.DOCUMENTARY)
    assert pins.exists()
    for ref, sha256 in pins.values_list("requirement__ref_id", "version__sha256"):
        assert compact(ref) in index
        assert sha256 in index
    assert "EXI01" in index
    assert_manifest_lists(audit_versions(seeded.audit), dossier, pages)


def test_stage2_dossier(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.STAGE2)

    pages = assert_well_formed(dossier, seeded)
    placed = placed_units(dossier)
    templates = [spot.unit.template for spot in placed]
    assert templates[:2] == ["pdf/section_stage2.html", "pdf/section_findings.html"]
    assert set(templates[2:-2]) == {"pdf/section_findings_chapter.html"}
    assert templates[-2:] == ["pdf/section_manifest.html", "pdf/section_generation.html"]
    titles = [title for _depth, title, _page in outline_of(stored_path(dossier))]
    assert any(title.endswith(f"· {ON_SITE_FR}") for title in titles)
    assert any(title.endswith(f"· {FINDINGS_FR}") for title in titles)
    chapters = compact("".join(pages[placed[2].first_page : placed[-2].first_page]))
    findings = Finding.objects.filter(audit=seeded.audit)
    assert findings.count() == 12
    for ref, description in findings.values_list("requirement__ref_id", "description"):
        assert compact(ref) in chapters
        # Printed with French spacing: compare the words, not the spaces before the signs.
        assert compact(description) in chapters
    assert_manifest_lists(audit_versions(seeded.audit), dossier, pages)


def test_corrections_dossier(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.CORRECTIONS)

    pages = assert_well_formed(dossier, seeded)
    placed = placed_units(dossier)
    nonconformities = [f for f in Finding.objects.filter(audit=seeded.audit) if f.is_nonconformity]
    assert len(nonconformities) >= 3
    assert [spot.unit.template for spot in placed] == [
        "pdf/section_corrections.html",
        *["pdf/section_correction_sheet.html"] * len(nonconformities),
        "pdf/section_manifest.html",
        "pdf/section_generation.html",
    ]
    sheets = [compact("".join(pages_of(spot, pages))) for spot in placed[1:-2]]
    numbers = finding_numbers(Finding.objects.filter(audit=seeded.audit))
    for sheet, finding in zip(sheets, sorted(nonconformities, key=_finding_order), strict=True):
        assert compact(finding.requirement.ref_id) in sheet
        assert compact(finding.description) in sheet
        # Non-conformity sheets are numbered on their own, apart from the observations.
        assert compact(f"Fiche d'écart {numbers[finding.pk]}") in sheet
        assert numbers[finding.pk].startswith("NC ")
    window = compact("".join(pages_of(placed[0], pages)))
    # The ANS wording: correct AND have the corrections audited; redone only without action.
    assert compact("faire auditer ses corrections") in window
    assert compact("sans action de l'hébergeur") in window
    assert_manifest_lists(audit_versions(seeded.audit), dossier, pages)


def _finding_order(finding: Finding) -> tuple[int, Any, int]:
    return (finding.requirement.order, finding.raised_at, finding.pk)


def test_full_dossier_lists_every_version(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.FULL)

    pages = assert_well_formed(dossier, seeded)
    placed = placed_units(dossier)
    templates = [spot.unit.template for spot in placed]
    assert templates[: 1 + len(SCOPE_TEMPLATES)] == ["pdf/section_cycle.html", *SCOPE_TEMPLATES]
    assert templates[-2:] == ["pdf/section_manifest.html", "pdf/section_generation.html"]
    assert compact(CYCLE_FR) in compact(pages[placed[0].first_page])
    assert compact(seeded.cycle.certification_body) in compact(pages[placed[0].first_page])
    register = list(EvidenceVersion.objects.filter(item__organisation=seeded.organisation))
    assert len(register) == 60
    assert_manifest_lists(register, dossier, pages)


def test_soa_dossier(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.SOA)

    pages = assert_well_formed(dossier, seeded)
    placed = placed_units(dossier)
    assert [spot.unit.template for spot in placed] == [
        "pdf/section_soa.html",
        "pdf/section_generation.html",
    ]
    assert compact(SOA_FR) in compact(pages[0])  # the cover's title
    printed = "".join(pages_of(placed[0], pages))
    refs = [control.ref_id for control, _entry in soa_controls(organisation=seeded.organisation)]
    assert len(refs) == 93
    assert {"A.5.1", "A.5.37", "A.6.1", "A.7.9", "A.8.34"} <= set(refs)
    for ref in refs:
        # Whole: a column too narrow would print "A." and "5.10" on two lines.
        assert re.search(rf"(?<![\w.]){re.escape(ref)}(?![\w.])", printed), ref
    soa = compact(printed)
    assert compact("n'est utilisé hors des locaux maîtrisés") in soa


def test_long_tables_never_split_a_row(django_capture_on_commit_callbacks: Capture) -> None:
    seeded = seed_dossier_organisation(slug="dossier-long", versions=300, findings=12)
    filler = " ".join(["Le contrôle d'accès aux journaux n'est pas documenté"] * 18)
    findings = list(Finding.objects.filter(audit=seeded.audit).order_by("pk"))
    for number, finding in enumerate(findings):
        finding.description = f"Debutconstat{number:03d}x {filler} Finconstat{number:03d}x"
        finding.save(update_fields=["description"])

    dossier = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.STAGE2)
    pages = [compact(text) for text in pdf_pages(stored_path(dossier))]
    full = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.FULL)
    full_pages = [compact(text) for text in pdf_pages(stored_path(full))]

    def page_with(marker: str, texts: list[str]) -> int:
        [page] = [index for index, text in enumerate(texts) if marker in text]
        return page

    for number in range(len(findings)):
        assert page_with(f"Debutconstat{number:03d}x", pages) == page_with(
            f"Finconstat{number:03d}x", pages
        )

    # 300 versions: the manifest is laid out as two units (250 versions at most each).
    manifest_units = [
        spot for spot in placed_units(full) if spot.unit.template == "pdf/section_manifest.html"
    ]
    assert len(manifest_units) == 2
    manifest_pages = [page for spot in manifest_units for page in pages_of(spot, full_pages)]
    assert len(manifest_pages) >= 3
    for text in manifest_pages:
        assert "SHA-256" in text  # the column titles, repeated on every page
        assert "Déposé" in text or "Uploaded" in text  # msgid "Uploaded", being translated
    versions = EvidenceVersion.objects.filter(item__organisation=seeded.organisation)
    assert versions.count() == 300
    for name, sha256 in versions.values_list("original_name", "sha256"):
        page = page_with(sha256, manifest_pages)
        assert compact(name) in manifest_pages[page], f"{name} apart from its hash"


def test_same_content_reuses_the_file_then_lays_out_only_what_changed(
    seeded: SeededOrganisation, django_capture_on_commit_callbacks: Capture
) -> None:
    first = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.FULL)
    assert first.status == DossierStatus.READY
    units_before = dict(RenderUnit.objects.values_list("pk", "rendered_at"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = dossier_request(
            organisation=seeded.organisation,
            target=target_for(DossierKind.FULL, seeded),
            language="fr",
            actor=seeded.manager,
        )
    assert callbacks == []  # nothing enqueued
    again.refresh_from_db()
    assert again.pk != first.pk
    assert again.status == DossierStatus.READY
    assert again.reused_from == first
    assert again.sha256 == first.sha256
    assert again.file.name == first.file.name
    assert again.content_hash == first.content_hash
    assert dict(RenderUnit.objects.values_list("pk", "rendered_at")) == units_before

    nonconformity = next(
        f for f in Finding.objects.filter(audit=seeded.audit).order_by("pk") if f.is_nonconformity
    )
    nonconformity.description += " Les journaux ne sont conservés que six mois."
    nonconformity.save(update_fields=["description"])
    changed = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.FULL)

    assert changed.status == DossierStatus.READY
    assert changed.reused_from is None
    assert changed.sha256 != first.sha256
    new_units = RenderUnit.objects.exclude(pk__in=units_before)
    assert sorted(new_units.values_list("template", "status")) == [
        ("pdf/section_correction_sheet.html", UnitStatus.READY),
        ("pdf/section_findings_chapter.html", UnitStatus.READY),
        ("pdf/section_generation.html", UnitStatus.READY),
    ]
    for unit in new_units:
        assert "six mois" in str(unit.context) or unit.template == "pdf/section_generation.html"
    assert dict(
        RenderUnit.objects.filter(pk__in=units_before).values_list("pk", "rendered_at")
    ) == (units_before)
    assert "sixmois" in compact("".join(pdf_pages(stored_path(changed))))


def request_with_a_missing_template(
    capture: Capture, seeded: SeededOrganisation
) -> tuple[Dossier, dict[int, str]]:
    """Ask for the SoA, then make its layout fail for real before the tasks run: the units'
    template is gone (as after a bad deploy). Returns the dossier and the units' templates."""
    with capture(execute=False) as callbacks:
        dossier = dossier_request(
            organisation=seeded.organisation,
            target=target_for(DossierKind.SOA, seeded),
            language="fr",
            actor=seeded.officer,
        )
    units = RenderUnit.objects.filter(
        pk__in=DossierUnit.objects.filter(dossier=dossier).values("unit")
    )
    templates = dict(units.values_list("pk", "template"))
    units.update(template="pdf/missing.html")

    def run_the_tasks() -> None:
        with capture(execute=True):
            for callback in callbacks:
                callback()

    with pytest.raises(TemplateDoesNotExist):
        run_the_tasks()
    return dossier, templates


def put_templates_back(templates: dict[int, str]) -> None:
    for pk, template in templates.items():
        RenderUnit.objects.filter(pk=pk).update(template=template)


def test_failed_layout_then_retry_and_the_trail(
    seeded: SeededOrganisation,
    django_capture_on_commit_callbacks: Capture,
    store: Store,
    settings: Any,
) -> None:
    settings.DOSSIER_RENDER_BATCHES = 1  # one batch: every unit meets the failure
    _dossier, templates = request_with_a_missing_template(
        django_capture_on_commit_callbacks, seeded
    )

    dossier = Dossier.objects.get(organisation=seeded.organisation)
    assert dossier.status == DossierStatus.FAILED
    assert dossier.error
    assert dossier.finished_at is not None
    assert dossier.file.name == ""
    units = RenderUnit.objects.filter(pk__in=DossierUnit.objects.values("unit"))
    assert {unit.status for unit in units} == {UnitStatus.FAILED}
    assert all("missing.html" in unit.error for unit in units)
    assert store.stored_files() == []

    put_templates_back(templates)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_retry(dossier=dossier, actor=seeded.manager)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.READY
    assert dossier.error == ""
    assert {unit.status for unit in units.all()} == {UnitStatus.READY}
    stored = stored_path(dossier).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == dossier.sha256

    dossier_downloaded(dossier=dossier, actor=seeded.auditor)
    events = list(
        TrailEvent.objects.filter(kind__startswith="dossier.", object_id=str(dossier.pk))
        .order_by("seq")
        .values_list("kind", "actor", "data")
    )
    assert [(kind, actor) for kind, actor, _data in events] == [
        ("dossier.requested", seeded.officer.pk),
        ("dossier.retried", seeded.manager.pk),
        ("dossier.ready", None),
        ("dossier.downloaded", seeded.auditor.pk),
    ]
    assert events[0][2]["content_hash"] == dossier.content_hash
    assert events[2][2]["sha256"] == dossier.sha256
    assert events[2][2]["pages"] == dossier.page_count
    assert events[3][2] == {"sha256": dossier.sha256}

    with pytest.raises(DossierError):
        dossier_retry(dossier=dossier, actor=seeded.officer)


def test_a_new_request_lays_out_again_the_units_that_failed(
    seeded: SeededOrganisation,
    django_capture_on_commit_callbacks: Capture,
    settings: Any,
) -> None:
    """A failed dossier that nobody retried must not block the next request of its content."""
    settings.DOSSIER_RENDER_BATCHES = 1
    _dossier, templates = request_with_a_missing_template(
        django_capture_on_commit_callbacks, seeded
    )
    put_templates_back(templates)

    again = request_and_print(django_capture_on_commit_callbacks, seeded, DossierKind.SOA)

    assert again.status == DossierStatus.READY, again.status
    assert not RenderUnit.objects.filter(status=UnitStatus.FAILED).exists()


def make_dossier(organisation: Organisation, actor: User, **fields: Any) -> Dossier:
    return Dossier.objects.create(
        organisation=organisation,
        kind=DossierKind.SOA,
        title="SoA",
        content_hash="0" * 64,
        requested_by=actor,
        **fields,
    )


def test_retry_refuses_a_dossier_that_did_not_fail(
    organisation: Organisation, officer: User, english: None
) -> None:
    for status in (DossierStatus.READY, DossierStatus.QUEUED, DossierStatus.RENDERING):
        dossier = make_dossier(organisation, officer, status=status)
        with pytest.raises(DossierError, match="Only a dossier that failed"):
            dossier_retry(dossier=dossier, actor=officer)
        dossier.refresh_from_db()
        assert dossier.status == status
    assert not TrailEvent.objects.filter(kind="dossier.retried").exists()


def test_stale_sweep_fails_old_dossiers_and_leaves_recent_ones(
    organisation: Organisation, officer: User, settings: Any
) -> None:
    settings.DOSSIER_TIMEOUT_MINUTES = 15
    now = timezone.now()
    old = now - timedelta(minutes=16)
    recent = now - timedelta(minutes=5)
    stale = make_dossier(organisation, officer, status=DossierStatus.QUEUED, requested_at=old)
    stuck_assembly = make_dossier(
        organisation, officer, status=DossierStatus.ASSEMBLING, requested_at=old
    )
    waiting = make_dossier(
        organisation, officer, status=DossierStatus.RENDERING, requested_at=recent
    )
    # A recent dossier waits for a unit a dead worker claimed long ago.
    dead_unit = RenderUnit.objects.create(
        content_hash="d" * 64,
        template="pdf/section_soa.html",
        context={},
        language="fr",
        status=UnitStatus.RENDERING,
        claimed_at=old,
    )
    blocked = make_dossier(
        organisation, officer, status=DossierStatus.RENDERING, requested_at=recent
    )
    DossierUnit.objects.create(dossier=blocked, unit=dead_unit, position=0)
    live_unit = RenderUnit.objects.create(
        content_hash="e" * 64,
        template="pdf/section_soa.html",
        context={},
        language="fr",
        status=UnitStatus.RENDERING,
        claimed_at=recent,
    )
    DossierUnit.objects.create(dossier=waiting, unit=live_unit, position=0)
    done = make_dossier(
        organisation, officer, status=DossierStatus.READY, requested_at=old, finished_at=old
    )

    assert dossiers_stale_sweep(now=now) == 3

    statuses = dict(Dossier.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: DossierStatus.FAILED,
        stuck_assembly.pk: DossierStatus.FAILED,
        blocked.pk: DossierStatus.FAILED,
        waiting.pk: DossierStatus.RENDERING,
        done.pk: DossierStatus.READY,
    }
    stale.refresh_from_db()
    assert stale.error
    assert stale.finished_at == now
    dead_unit.refresh_from_db()
    live_unit.refresh_from_db()
    assert dead_unit.status == UnitStatus.FAILED
    assert live_unit.status == UnitStatus.RENDERING

    assert dossiers_stale_sweep(now=now) == 0
    assert dict(Dossier.objects.values_list("pk", "status")) == statuses
    stale.refresh_from_db()
    assert stale.finished_at == now


def unit(pk: int, weight: int) -> RenderUnit:
    return RenderUnit(pk=pk, weight=weight)


def test_balanced_batches_share_units_fairly() -> None:
    units = [unit(1, 10), unit(2, 1), unit(3, 7), unit(4, 3), unit(5, 3), unit(6, 186)]
    weights = {u.pk: u.weight for u in units}

    batches = balanced_batches(units, batches=3)

    assert len(batches) == 3
    assert sorted(pk for batch in batches for pk in batch) == [1, 2, 3, 4, 5, 6]
    assert batches == [[6], [1, 5], [3, 4, 2]]
    # The heaviest unit alone; the others share out to within one unit's weight.
    totals = sorted(sum(weights[pk] for pk in batch) for batch in batches)
    assert totals == [11, 13, 186]


def test_balanced_batches_heaviest_first_and_no_empty_group() -> None:
    units = [unit(pk, weight) for pk, weight in [(1, 5), (2, 5), (3, 5), (4, 5), (5, 20)]]

    assert balanced_batches(units, batches=2) == [[5], [1, 2, 3, 4]]
    assert balanced_batches(units[:1], batches=4) == [[1]]
    assert balanced_batches([], batches=4) == []
    assert balanced_batches(units, batches=0) == [[5, 1, 2, 3, 4]]
    for batches in range(1, 7):
        groups = balanced_batches(units, batches=batches)
        assert len(groups) == min(batches, len(units))
        assert sorted(pk for group in groups for pk in group) == [1, 2, 3, 4, 5]
        for group in groups:
            group_weights = [next(u.weight for u in units if u.pk == pk) for pk in group]
            assert group_weights == sorted(group_weights, reverse=True)


@pytest.fixture
def other(db: None) -> SeededOrganisation:
    return seed_dossier_organisation(slug="dossier-other", versions=4, findings=2)


def test_request_refuses_a_target_of_another_organisation(
    seeded: SeededOrganisation, other: SeededOrganisation, english: None
) -> None:
    refused = [
        (DossierTarget(kind=DossierKind.STAGE2, audit=other.audit), "fr", "Choose the audit"),
        (DossierTarget(kind=DossierKind.STAGE1), "fr", "Choose the audit"),
        (DossierTarget(kind=DossierKind.CORRECTIONS), "fr", "Choose the audit"),
        (DossierTarget(kind=DossierKind.FULL, cycle=other.cycle), "fr", "certification cycle"),
        (DossierTarget(kind=DossierKind.FULL, audit=seeded.audit), "fr", "certification cycle"),
        (DossierTarget(kind="minutes", audit=seeded.audit), "fr", "Unknown kind"),
        (DossierTarget(kind=DossierKind.SOA), "de", "Unknown language"),
        (DossierTarget(kind=DossierKind.STAGE1, audit=seeded.audit), "xx", "Unknown language"),
    ]
    events = TrailEvent.objects.count()
    for target, language, message in refused:
        with pytest.raises(DossierError, match=message):
            dossier_request(
                organisation=seeded.organisation,
                target=target,
                language=language,
                actor=seeded.officer,
            )
    assert not Dossier.objects.exists()
    assert not RenderUnit.objects.exists()
    assert not DossierUnit.objects.exists()
    assert TrailEvent.objects.count() == events


@pytest.mark.parametrize(
    ("stored", "printed"),
    [
        ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022"),
        ("2022", "ISO/IEC 27001:2022"),
        (" 2013 ", "ISO/IEC 27001:2013"),
        ("iso/iec 27001:2013", "iso/iec 27001:2013"),
    ],
)
def test_iso_edition_names_the_standard_once(stored: str, printed: str) -> None:
    assert iso_edition(stored) == printed
