"""The Statement of Applicability: pages, printable French version, XLSX export and import."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hdsready.models import TrailEvent
from scopes.models import (
    Framework,
    FrameworkSource,
    ImplementationStatus,
    Requirement,
    SoAEntry,
)
from scopes.selectors import annex_a_controls
from scopes.services import ScopeError
from scopes.services.assessment import SoAData, soa_update
from scopes.services.soa import SoAImportError, soa_import
from scopes.soa_xlsx import (
    FIRST_DATA_ROW,
    KEY_ROW,
    SHEET,
    ExportRow,
    ImportRow,
    WorkbookError,
    build_workbook,
    implementation_labels_fr,
    parse_workbook,
)
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db

IMPLEMENTED = ImplementationStatus.IMPLEMENTED


def org_url(name, organisation, *args):
    return reverse(name, args=[organisation.slug, *args])


def in_english(client):
    """Messages built in the request are compared in English, as the `english` fixture does."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def control(ref: str) -> Requirement:
    return annex_a_controls().get(ref_id=ref)


def soa_events(organisation, kind="soa."):
    return TrailEvent.objects.filter(organisation=organisation, kind__startswith=kind)


def xlsx_upload(raw: bytes, name: str = "dda.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="application/octet-stream")


def edit_workbook(raw: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    """Change cells of the SoA sheet the way a user would in a spreadsheet: by control ref and
    column key (read from the hidden key row)."""
    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    sheet = workbook[SHEET]
    keys = {cell.value: cell.column for cell in sheet[KEY_ROW]}
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        ref = sheet.cell(row=row, column=keys["control_ref"]).value
        for key, value in changes.get(ref, {}).items():
            cell = sheet.cell(row=row, column=keys[key], value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text ('=... in a spreadsheet), not a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_of(rows: list[tuple[str, object, str, str, str, str]]) -> bytes:
    """A minimal SoA workbook: ref, applicable, justification, implementation, owner, notes."""
    raw = build_workbook([])
    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    sheet = workbook[SHEET]
    keys = {cell.value: cell.column for cell in sheet[KEY_ROW]}
    order = ["control_ref", "applicable", "justification", "implementation", "owner_email", "notes"]
    for offset, values in enumerate(rows):
        for key, value in zip(order, values, strict=True):
            sheet.cell(row=FIRST_DATA_ROW + offset, column=keys[key], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_all(organisation, actor) -> None:
    for index, each in enumerate(annex_a_controls()):
        soa_update(
            organisation=organisation,
            control=each,
            data=SoAData(
                applicable=index % 4 != 0,
                justification=f"raison {index}",
                implementation=IMPLEMENTED if index % 2 else ImplementationStatus.PLANNED,
                owner=actor,
                notes=f"note {index}",
            ),
            actor=actor,
        )


def import_row(line: int, ref: str, **overrides: object) -> ImportRow:
    values: dict[str, object] = {
        "applicable": True,
        "justification": "",
        "implementation": ImplementationStatus.NOT_STARTED.value,
        "owner_email": "",
        "notes": "",
    }
    values.update(overrides)
    return ImportRow(line=line, ref=ref, **values)


class TestWorkbook:
    def test_round_trip_of_plain_rows(self):
        rows = [
            ExportRow("A.5.1", "Politiques", True, "", "implemented", "a@b.test", "x\ny"),
            ExportRow("A.7.4", "Surveillance", False, "Pas de site", "not_started", "", ""),
        ]
        parsed, errors = parse_workbook(build_workbook(rows))
        assert errors == []
        assert [(r.line, r.ref, r.applicable, r.implementation) for r in parsed] == [
            (3, "A.5.1", True, "implemented"),
            (4, "A.7.4", False, "not_started"),
        ]
        assert parsed[0].owner_email == "a@b.test"
        assert parsed[0].notes == "x\ny"
        assert parsed[1].justification == "Pas de site"

    def test_layout_keys_frozen_header_and_validation_lists(self):
        raw = build_workbook([ExportRow("A.5.1", "Politiques", True, "", "planned", "", "")])
        workbook = openpyxl.load_workbook(io.BytesIO(raw))
        sheet = workbook[SHEET]
        assert workbook.sheetnames[0] == SHEET
        assert [c.value for c in sheet[KEY_ROW]] == [
            "control_ref",
            "title_fr",
            "applicable",
            "justification",
            "implementation",
            "owner_email",
            "notes",
        ]
        assert sheet.row_dimensions[KEY_ROW].hidden
        assert sheet.freeze_panes == "C3"
        assert sheet.column_dimensions["B"].width > 20
        assert sheet["C3"].value == "oui"
        assert sheet["E3"].value == implementation_labels_fr()["planned"]
        ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
        assert set(ranges) == {"C3", "E3"}

    def test_user_text_that_looks_like_a_formula_stays_text(self):
        raw = build_workbook(
            [ExportRow("A.5.1", "T", True, '=HYPERLINK("http://evil.test")', "planned", "", "")]
        )
        sheet = openpyxl.load_workbook(io.BytesIO(raw))[SHEET]
        assert sheet["D3"].data_type == "s"

    def test_accepts_labels_raw_values_and_usual_spellings(self):
        labels = implementation_labels_fr()
        raw = workbook_of(
            [
                ("A.5.1", "OUI", "", labels["implemented"], "", ""),
                ("5.2", "yes", "", "planned", " Owner@Clinicloud.TEST ", ""),
                ("a.5.3", True, "", "Partially implemented", "", ""),
                ("A.5.4", "False", "Sans objet", "NOT_STARTED", "", ""),
            ]
        )
        rows, errors = parse_workbook(raw)
        assert errors == []
        assert [(r.ref, r.applicable, r.implementation) for r in rows] == [
            ("A.5.1", True, "implemented"),
            ("A.5.2", True, "planned"),
            ("A.5.3", True, "partial"),
            ("A.5.4", False, "not_started"),
        ]
        assert rows[1].owner_email == "owner@clinicloud.test"

    def test_row_errors_name_their_row(self, english):
        raw = workbook_of(
            [
                ("A.5.1", "maybe", "", "planned", "", ""),
                ("A.5.2", "oui", "", "almost", "", ""),
                ("A.5.3", "oui", "", "planned", "", ""),
                ("A.5.3", "non", "dup", "planned", "", ""),
                ("", "oui", "", "planned", "", "orphan note"),
            ]
        )
        rows, errors = parse_workbook(raw)
        assert [r.ref for r in rows] == ["A.5.3"]
        assert [(e.line, e.message) for e in errors] == [
            (3, '"maybe" is not a valid applicability: write oui or non.'),
            (4, '"almost" is not a known implementation status.'),
            (6, "control A.5.3 already appears on row 5."),
            (7, "the control reference is missing."),
        ]

    def test_empty_rows_are_ignored(self):
        raw = workbook_of([("A.5.1", "oui", "", "planned", "", ""), ("", "", "", "", "", "")])
        rows, errors = parse_workbook(raw)
        assert len(rows) == 1
        assert errors == []

    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param(b"", id="empty"),
            pytest.param(b"ref;applicable\nA.5.1;oui\n", id="csv"),
            pytest.param(b"%PDF-1.7 not a spreadsheet", id="pdf"),
            pytest.param(b"PK\x03\x04 truncated zip", id="broken-zip"),
        ],
    )
    def test_files_that_are_not_xlsx_are_refused(self, raw):
        with pytest.raises(WorkbookError):
            parse_workbook(raw)

    def test_truncated_workbook_is_refused(self):
        raw = build_workbook([ExportRow("A.5.1", "T", True, "", "planned", "", "")])
        with pytest.raises(WorkbookError):
            parse_workbook(raw[: len(raw) // 2])

    def test_zip_without_workbook_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        with pytest.raises(WorkbookError):
            parse_workbook(buffer.getvalue())

    def test_damaged_workbook_xml_is_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types")
            archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
        with pytest.raises(WorkbookError):
            parse_workbook(buffer.getvalue())

    def test_zip_bomb_is_refused_before_it_is_unpacked(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
        assert len(buffer.getvalue()) < 200_000
        with pytest.raises(WorkbookError):
            parse_workbook(buffer.getvalue())

    def test_workbook_without_key_row_is_refused(self):
        workbook = openpyxl.Workbook()
        workbook.active.title = SHEET
        workbook.active.append(["Réf.", "Applicable"])
        workbook.active.append(["A.5.1", "oui"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        with pytest.raises(WorkbookError):
            parse_workbook(buffer.getvalue())

    def test_workbook_without_soa_sheet_is_refused(self):
        workbook = openpyxl.Workbook()
        buffer = io.BytesIO()
        workbook.save(buffer)
        with pytest.raises(WorkbookError):
            parse_workbook(buffer.getvalue())


class TestSoAImportService:
    def test_applies_changed_rows_with_one_event_each_and_a_summary(self, organisation, officer):
        soa_update(
            organisation=organisation,
            control=control("A.5.2"),
            data=SoAData(applicable=True, implementation=IMPLEMENTED),
            actor=officer,
        )
        before = soa_events(organisation).count()
        result = soa_import(
            organisation=organisation,
            rows=[
                import_row(3, "A.5.1", implementation="planned", owner_email=officer.email),
                import_row(4, "A.5.2", implementation="implemented"),  # unchanged
                import_row(5, "A.5.3"),  # same as a control never touched
                import_row(6, "A.7.4", applicable=False, justification="Pas de locaux"),
            ],
            actor=officer,
        )
        assert result.changed == ["A.5.1", "A.7.4"]
        assert result.unchanged == 2
        line = SoAEntry.objects.get(organisation=organisation, control=control("A.5.1"))
        assert (line.implementation, line.owner) == ("planned", officer)
        assert not SoAEntry.objects.get(
            organisation=organisation, control=control("A.7.4")
        ).applicable
        assert not SoAEntry.objects.filter(
            organisation=organisation, control=control("A.5.3")
        ).exists()
        kinds = list(soa_events(organisation).order_by("seq").values_list("kind", flat=True))
        assert kinds[before:] == ["soa.updated", "soa.updated", "soa.imported"]
        summary = soa_events(organisation, "soa.imported").get()
        assert summary.data["changed"] == ["A.5.1", "A.7.4"]
        assert summary.actor == officer

    def test_nothing_changed_records_nothing(self, organisation, officer):
        result = soa_import(organisation=organisation, rows=[import_row(3, "A.5.1")], actor=officer)
        assert result.changed == []
        assert not soa_events(organisation).exists()

    def test_one_wrong_row_and_nothing_is_applied(self, organisation, officer, english):
        outsider = make_member(OrganisationFactory(), "officer", email="x@elsewhere.test")
        rows = [
            import_row(3, "A.5.1", implementation="implemented"),
            import_row(4, "A.9.9"),
            import_row(5, "A.5.2", owner_email=outsider.email),
            import_row(6, "A.5.3", applicable=False, justification="  "),
        ]
        with pytest.raises(SoAImportError) as caught:
            soa_import(organisation=organisation, rows=rows, actor=officer)
        assert [(e.line, e.message) for e in caught.value.errors] == [
            (4, "A.9.9 is not an ISO 27001 Annex A control."),
            (5, "x@elsewhere.test is not a member of the organisation."),
            (6, "A control that does not apply needs a justification."),
        ]
        assert isinstance(caught.value, ScopeError)
        assert not SoAEntry.objects.filter(organisation=organisation).exists()
        assert not soa_events(organisation).exists()

    def test_an_hds_requirement_is_not_an_annex_a_control(self, organisation, officer):
        with pytest.raises(SoAImportError):
            soa_import(organisation=organisation, rows=[import_row(3, "EXI 08")], actor=officer)


class TestSoAList:
    def test_officer_sees_the_93_controls_counts_and_edit_links(
        self, client_as, officer, organisation
    ):
        soa_update(
            organisation=organisation,
            control=control("A.7.4"),
            data=SoAData(applicable=False, justification="Pas de locaux propres"),
            actor=officer,
        )
        soa_update(
            organisation=organisation,
            control=control("A.5.1"),
            data=SoAData(applicable=True, implementation=IMPLEMENTED, owner=officer),
            actor=officer,
        )
        response = client_as(officer).get(org_url("scopes:soa-list", organisation))
        assert response.status_code == 200
        lines = response.context["lines"]
        assert len(lines) == 93
        summary = response.context["summary"]
        assert (summary.applicable, summary.not_applicable, summary.implemented) == (92, 1, 1)
        html = response.content.decode()
        assert html.count('data-ref="A.') == 93
        assert "Pas de locaux propres" in html
        assert org_url("scopes:soa-edit", organisation, control("A.5.1").pk) in html
        assert 'id="soa-import"' in html

    def test_contributor_can_edit(self, client_as, contributor, organisation):
        response = client_as(contributor).get(org_url("scopes:soa-list", organisation))
        assert response.context["can_edit"]

    def test_manager_reads_without_edit_links(self, client_as, manager, organisation):
        response = client_as(manager).get(org_url("scopes:soa-list", organisation))
        assert response.status_code == 200
        html = response.content.decode()
        assert org_url("scopes:soa-edit", organisation, control("A.5.1").pk) not in html
        assert 'id="soa-import"' not in html

    def test_wrong_method(self, client_as, officer, organisation):
        assert client_as(officer).post(org_url("scopes:soa-list", organisation)).status_code == 405

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        assert client_as(outsider).get(org_url("scopes:soa-list", organisation)).status_code == 404

    def test_query_count_does_not_grow_with_entries(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        url = org_url("scopes:soa-list", organisation)
        client.get(url)  # warm the session and permission caches
        with django_assert_num_queries(11):
            client.get(url)
        fill_all(organisation, officer)
        assert SoAEntry.objects.filter(organisation=organisation).count() == 93
        with django_assert_num_queries(11):
            response = client.get(url)
        assert response.context["summary"].implemented > 0


class TestSoAEdit:
    def test_officer_saves_a_line_with_a_trail_event(self, client_as, officer, organisation):
        url = org_url("scopes:soa-edit", organisation, control("A.8.1").pk)
        client = client_as(officer)
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "applicable": "yes",
                "justification": "Postes fournis",
                "implementation": "partial",
                "owner": officer.pk,
                "notes": "MDM en cours",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == org_url("scopes:soa-list", organisation)
        line = SoAEntry.objects.get(organisation=organisation, control=control("A.8.1"))
        assert (line.implementation, line.owner, line.notes) == ("partial", officer, "MDM en cours")
        event = soa_events(organisation).get()
        assert event.kind == "soa.updated"
        assert event.data["control"] == "A.8.1"
        history = client.get(url).context["history"]
        assert [e.pk for e in history] == [event.pk]

    def test_contributor_can_save(self, client_as, contributor, organisation):
        url = org_url("scopes:soa-edit", organisation, control("A.8.1").pk)
        response = client_as(contributor).post(
            url, {"applicable": "yes", "implementation": "planned"}
        )
        assert response.status_code == 302
        assert SoAEntry.objects.filter(organisation=organisation).count() == 1

    def test_not_applicable_without_justification_is_refused(
        self, client_as, officer, organisation, english
    ):
        url = org_url("scopes:soa-edit", organisation, control("A.7.4").pk)
        response = in_english(client_as(officer)).post(
            url, {"applicable": "no", "justification": "   ", "implementation": "not_started"}
        )
        assert response.status_code == 200
        assert "A control that does not apply needs a justification." in (
            response.context["form"].non_field_errors()
        )
        assert not SoAEntry.objects.filter(organisation=organisation).exists()
        assert not soa_events(organisation).exists()

    def test_manager_reads_but_cannot_post(self, client_as, manager, organisation):
        url = org_url("scopes:soa-edit", organisation, control("A.8.1").pk)
        client = client_as(manager)
        response = client.get(url)
        assert response.status_code == 200
        assert 'id="soa-form"' not in response.content.decode()
        response = client.post(url, {"applicable": "yes", "implementation": "planned"})
        assert response.status_code == 404
        assert not SoAEntry.objects.exists()

    def test_not_an_annex_a_control_is_404(self, client_as, officer, organisation):
        clause = Requirement.objects.get(framework__code="iso27001", ref_id="4.1")
        hds = Requirement.objects.filter(framework__code="hds", assessable=True)[0]
        client = client_as(officer)
        for pk in (clause.pk, hds.pk, 999_999):
            url = org_url("scopes:soa-edit", organisation, pk)
            assert client.get(url).status_code == 404, pk

    def test_a_control_of_an_imported_framework_is_404(self, client_as, officer, organisation):
        imported = Framework.objects.create(
            organisation=organisation,
            code="iso27001",
            version="copy",
            urn="urn:test:iso-copy",
            name_fr="Copie",
            source=FrameworkSource.IMPORTED,
        )
        copy = Requirement.objects.create(framework=imported, urn="urn:test:a51", ref_id="A.5.1")
        url = org_url("scopes:soa-edit", organisation, copy.pk)
        assert client_as(officer).get(url).status_code == 404

    def test_wrong_method(self, client_as, officer, organisation):
        url = org_url("scopes:soa-edit", organisation, control("A.8.1").pk)
        assert client_as(officer).put(url).status_code == 405

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        url = org_url("scopes:soa-edit", organisation, control("A.8.1").pk)
        client = client_as(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"applicable": "yes", "implementation": "planned"}).status_code == (
            404
        )


class TestSoAPrint:
    def test_in_french_whatever_the_interface_language(
        self, client_as, officer, organisation, english
    ):
        soa_update(
            organisation=organisation,
            control=control("A.7.4"),
            data=SoAData(applicable=False, justification="Pas de locaux propres"),
            actor=officer,
        )
        client = in_english(client_as(officer))
        assert '<html lang="en">' in client.get(org_url("scopes:soa-list", organisation)).text
        response = client.get(org_url("scopes:soa-print", organisation))
        assert response.status_code == 200
        assert '<html lang="fr">' in response.text
        assert response["Content-Language"] == "fr"
        assert "Clinicloud" in response.text
        assert response.text.count("<tr data-ref=") == 93
        assert "<thead>" in response.text
        assert "Pas de locaux propres" in response.text
        assert response.context["summary"].not_applicable == 1
        assert response.context["today"] == timezone.localdate()

    def test_manager_can_print(self, client_as, manager, organisation):
        assert client_as(manager).get(org_url("scopes:soa-print", organisation)).status_code == 200

    def test_wrong_method(self, client_as, officer, organisation):
        response = client_as(officer).post(org_url("scopes:soa-print", organisation))
        assert response.status_code == 405

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        response = client_as(outsider).get(org_url("scopes:soa-print", organisation))
        assert response.status_code == 404


class TestSoAExport:
    def test_workbook_of_the_93_controls(self, client_as, manager, officer, organisation):
        soa_update(
            organisation=organisation,
            control=control("A.5.1"),
            data=SoAData(applicable=True, implementation=IMPLEMENTED, owner=officer),
            actor=officer,
        )
        response = client_as(manager).get(org_url("scopes:soa-export", organisation))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "clinicloud" in disposition
        assert timezone.localdate().isoformat() in disposition
        rows, errors = parse_workbook(response.content)
        assert errors == []
        assert len(rows) == 93
        first = rows[0]
        assert (first.ref, first.implementation, first.owner_email) == (
            "A.5.1",
            "implemented",
            officer.email,
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))[SHEET]
        assert sheet["B3"].value == control("A.5.1").name_fr

    def test_wrong_method(self, client_as, officer, organisation):
        response = client_as(officer).post(org_url("scopes:soa-export", organisation))
        assert response.status_code == 405

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        response = client_as(outsider).get(org_url("scopes:soa-export", organisation))
        assert response.status_code == 404


class TestSoAImportView:
    def test_round_trip(self, client_as, officer, contributor, organisation, english):
        client = in_english(client_as(officer))
        soa_update(
            organisation=organisation,
            control=control("A.5.2"),
            data=SoAData(applicable=True, notes="gardée"),
            actor=officer,
        )
        exported = client.get(org_url("scopes:soa-export", organisation)).content
        labels = implementation_labels_fr()
        edited = edit_workbook(
            exported,
            {
                "A.5.1": {
                    "implementation": labels["implemented"],
                    "owner_email": contributor.email,
                },
                "A.7.4": {"applicable": "non", "justification": "Pas de locaux propres"},
                "A.8.1": {"implementation": "planned", "notes": "=1+1 reste du texte"},
            },
        )
        events_before = soa_events(organisation).count()
        response = client.post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(edited)}
        )
        assert response.status_code == 302
        assert response["Location"] == org_url("scopes:soa-list", organisation)
        entries = {
            e.control.ref_id: e
            for e in SoAEntry.objects.filter(organisation=organisation).select_related("control")
        }
        assert set(entries) == {"A.5.1", "A.5.2", "A.7.4", "A.8.1"}
        assert (entries["A.5.1"].implementation, entries["A.5.1"].owner) == (
            "implemented",
            contributor,
        )
        assert not entries["A.7.4"].applicable
        assert entries["A.7.4"].justification == "Pas de locaux propres"
        assert entries["A.8.1"].notes == "=1+1 reste du texte"
        assert entries["A.5.2"].notes == "gardée"
        new_events = soa_events(organisation).order_by("seq")[events_before:]
        assert [e.kind for e in new_events] == ["soa.updated"] * 3 + ["soa.imported"]
        assert {e.data["control"] for e in new_events[:3]} == {"A.5.1", "A.7.4", "A.8.1"}
        page = client.get(response["Location"])
        assert "SoA imported: 3 lines changed, 90 unchanged." in page.text

        # The same file again changes nothing and records nothing.
        count = soa_events(organisation).count()
        response = client.post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(edited)}
        )
        assert response.status_code == 302
        assert soa_events(organisation).count() == count

    def test_one_good_row_and_one_bad_row_change_nothing(
        self, client_as, contributor, organisation, english
    ):
        client = in_english(client_as(contributor))
        exported = client.get(org_url("scopes:soa-export", organisation)).content
        edited = edit_workbook(
            exported,
            {
                "A.5.1": {"implementation": "implemented"},
                "A.7.4": {"applicable": "non", "justification": ""},
                "A.8.2": {"applicable": "peut-être"},
                "A.8.3": {"owner_email": "nobody@nowhere.test"},
            },
        )
        response = client.post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(edited)}
        )
        assert response.status_code == 200
        errors = response.context["errors"]
        by_line = {e.line: e.message for e in errors}
        line_of = {
            ref: FIRST_DATA_ROW + i for i, ref in enumerate(c.ref_id for c in annex_a_controls())
        }
        assert by_line == {
            line_of["A.7.4"]: "A control that does not apply needs a justification.",
            line_of["A.8.2"]: '"peut-être" is not a valid applicability: write oui or non.',
            line_of["A.8.3"]: "nobody@nowhere.test is not a member of the organisation.",
        }
        assert [e.line for e in errors] == sorted(by_line)
        assert f'data-line="{line_of["A.7.4"]}"' in response.text
        assert not SoAEntry.objects.filter(organisation=organisation).exists()
        assert not soa_events(organisation).exists()

    @pytest.mark.parametrize(
        ("name", "raw"),
        [
            pytest.param("dda.xlsx", b"ref;applicable\nA.5.1;oui\n", id="csv-renamed"),
            pytest.param("dda.xlsx", b"PK\x03\x04\x14\x00garbage", id="corrupt-zip"),
            pytest.param("dda.csv", b"ref;applicable\nA.5.1;oui\n", id="csv"),
            pytest.param("dda.xlsx", b"", id="empty"),
        ],
    )
    def test_hostile_or_corrupt_file_is_refused(self, client_as, officer, organisation, name, raw):
        response = client_as(officer).post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(raw, name)}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
        assert not SoAEntry.objects.exists()
        assert not soa_events(organisation).exists()

    def test_file_over_the_size_limit_is_refused(self, client_as, officer, organisation, english):
        raw = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
        response = in_english(client_as(officer)).post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(raw)}
        )
        assert response.context["form"].errors["file"] == ["The file is larger than 5 MB."]

    def test_no_file(self, client_as, officer, organisation):
        response = client_as(officer).post(org_url("scopes:soa-import", organisation))
        assert response.status_code == 200
        assert response.context["form"].errors["file"]

    def test_manager_gets_404(self, client_as, manager, officer, organisation):
        exported = client_as(officer).get(org_url("scopes:soa-export", organisation)).content
        edited = edit_workbook(exported, {"A.5.1": {"implementation": "implemented"}})
        response = client_as(manager).post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(edited)}
        )
        assert response.status_code == 404
        assert not SoAEntry.objects.exists()

    def test_wrong_method(self, client_as, officer, organisation):
        response = client_as(officer).get(org_url("scopes:soa-import", organisation))
        assert response.status_code == 405

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        raw = build_workbook([ExportRow("A.5.1", "T", True, "", "implemented", "", "")])
        response = client_as(outsider).post(
            org_url("scopes:soa-import", organisation), {"file": xlsx_upload(raw)}
        )
        assert response.status_code == 404
