"""Reading the ANS list from a file (scopes/certified_hosts_file.py) and converting its rows
(scopes/certified_hosts_rows.py): encodings, separators, XLSX, the column mapping, the row
errors, and hostile files."""

import io
import zipfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from scopes.certified_hosts_file import MAX_CELL_CHARS, MAX_ROWS, ListFileError, read_table
from scopes.certified_hosts_rows import Field, convert_rows, propose_mapping
from tests.scopes.host_list_samples import HEADERS, ROWS, sample_csv, sample_xlsx

# Messages are compared in English.
pytestmark = pytest.mark.usefixtures("english")


def converted(raw, filename="liste.csv"):
    table = read_table(raw, filename=filename)
    return table, *convert_rows(table, propose_mapping(table.headers, []))


class TestReading:
    @pytest.mark.parametrize(
        ("encoding", "delimiter", "bom"),
        [
            ("utf-8", ";", False),
            ("utf-8", ";", True),
            ("utf-8", ",", False),
            ("cp1252", ";", False),
            ("latin-1", ",", False),
            ("utf-16", ";", False),
        ],
    )
    def test_csv_in_any_common_encoding(self, encoding, delimiter, bom):
        table, hosts, errors = converted(
            sample_csv(
                ROWS,
                encoding=encoding,
                delimiter=delimiter,
                bom=bom,
            )
        )
        assert errors == []
        assert table.headers == HEADERS
        assert [h.name for h in hosts][:2] == ["OVH SAS", "Scaleway S.A.S."]
        assert hosts[0].siren == "424761419"
        assert hosts[0].activities == {1, 2, 3, 4, 5, 6}
        assert hosts[0].valid_until == date(2027, 3, 14)
        assert hosts[2].valid_from == date(2024, 9, 1)
        assert hosts[2].activities == {5, 6}

    def test_cp1252_accents_are_read(self):
        _table, hosts, errors = converted(sample_csv(encoding="cp1252"))
        assert errors == []
        assert hosts[4].name == "Sauvegarde Élysée"
        assert hosts[4].activities == {6}

    def test_xlsx_with_a_title_above_the_header(self):
        table, hosts, errors = converted(sample_xlsx(), "liste.xlsx")
        assert errors == []
        assert table.header_line == 3
        assert hosts[0].line == 4
        assert hosts[0].valid_from == date(2024, 3, 15)
        assert len(hosts) == len(ROWS)

    def test_the_mapping_is_guessed_from_french_headers(self):
        table = read_table(sample_csv(), filename="l.csv")
        proposal = propose_mapping(table.headers, [])
        assert proposal == {
            Field.NAME: 0,
            Field.SIREN: 1,
            Field.CERTIFICATE: 2,
            Field.ACTIVITIES: 3,
            Field.CERTIFICATE_TYPE: None,
            Field.VALID_FROM: 4,
            Field.VALID_UNTIL: 5,
            Field.BODY: 6,
        }

    def test_a_remembered_mapping_comes_first(self):
        table = read_table(sample_csv(), filename="l.csv")
        proposal = propose_mapping(table.headers, [{"company_name": "Organisme certificateur"}])
        assert proposal[Field.NAME] == 6
        assert proposal[Field.BODY] is None  # its column is taken

    def test_the_mapping_of_these_very_headers_is_kept_as_it_was(self):
        table = read_table(sample_csv(), filename="l.csv")
        exact = {"company_name": "Raison sociale", "valid_until": "Date de fin", "siren": ""}
        proposal = propose_mapping(table.headers, [], exact=exact)
        assert proposal[Field.NAME] == 0
        assert proposal[Field.VALID_UNTIL] == 5
        # Left out by the officer: not guessed again from "SIREN" nor "Activités".
        assert proposal[Field.SIREN] is None
        assert proposal[Field.ACTIVITIES] is None

    def test_a_certificate_type_column(self):
        raw = (
            "Raison sociale;Type de certificat;Date de fin\n"
            "OVH;Hébergeur d’infrastructure physique et hébergeur infogéreur;31/12/2027\n"
            "Foo;Hébergeur infogéreur;31/12/2027\n"
        ).encode()
        _table, hosts, errors = converted(raw)
        assert errors == []
        assert [h.activities for h in hosts] == [{1, 2, 3, 4, 5, 6}, {3, 4, 5, 6}]


class TestRowErrors:
    def test_a_bad_date_names_the_row_and_column(self):
        rows = [*ROWS] * 70  # 350 rows
        rows[315] = (*rows[315][:5], "31/02/2027", rows[315][6])
        _table, _hosts, errors = converted(sample_csv(rows))
        assert len(errors) == 1
        assert (errors[0].line, errors[0].column) == (317, "Date de fin")
        assert "31/02/2027" in errors[0].message

    def test_an_unknown_activity(self):
        rows = [*ROWS]
        rows[1] = (*rows[1][:3], "1, 7", *rows[1][4:])
        _table, _hosts, errors = converted(sample_csv(rows))
        assert [(e.line, e.column) for e in errors] == [(3, "Activités")]
        assert "7" in errors[0].message

    def test_a_bad_siren_and_a_missing_name(self):
        rows = [("", "12", "", "1", "", "01/01/2027", "")]
        _table, _hosts, errors = converted(sample_csv(rows))
        assert {e.column for e in errors} == {"Raison sociale", "SIREN"}

    def test_the_end_before_the_start(self):
        rows = [("A", "", "", "1", "01/01/2027", "01/01/2026", "")]
        _table, _hosts, errors = converted(sample_csv(rows))
        assert [e.column for e in errors] == ["Date de fin"]

    def test_required_columns_must_be_mapped(self):
        table = read_table(b"Nom;Autre\nA;B\n", filename="l.csv")
        _hosts, errors = convert_rows(table, propose_mapping(table.headers, []))
        assert errors
        assert all(e.line == 0 for e in errors)


class TestHostileFiles:
    def test_formulas_and_nul_bytes_are_text(self):
        raw = (
            "Raison sociale;Activités;Date de fin\n"
            "\"=cmd|' /C calc'!A0\";1;31/12/2027\n"
            "Ev\x00il;2;31/12/2027\n"
        ).encode()
        _table, hosts, errors = converted(raw)
        assert errors == []
        assert hosts[0].name == "=cmd|' /C calc'!A0"
        assert hosts[1].name == "Evil"

    def test_a_formula_in_a_workbook_is_its_text(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Raison sociale", "Activités", "Date de fin"])
        sheet.append(['=HYPERLINK("http://evil.test","x")', "1", date(2027, 1, 1)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        _table, hosts, errors = converted(buffer.getvalue(), "l.xlsx")
        assert errors == []
        assert hosts[0].name == '=HYPERLINK("http://evil.test","x")'

    @pytest.mark.parametrize(
        ("raw", "filename"),
        [
            (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "liste.csv"),
            (bytes(range(256)) * 40, "liste.csv"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "liste.csv"),
            (b"Raison sociale;SIREN\n", "liste.csv"),
            (b"", "liste.csv"),
            (b"just one word\n", "liste.csv"),
            (b"PK\x03\x04 broken", "liste.xlsx"),
            (b"Raison sociale;SIREN\nA;1\n", "liste.xlsx"),
        ],
    )
    def test_refused_with_a_message(self, raw, filename):
        with pytest.raises(ListFileError) as refused:
            read_table(raw, filename=filename)
        assert str(refused.value)

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (100 * 1024 * 1024))
        assert len(buffer.getvalue()) < 1024 * 1024
        with pytest.raises(ListFileError, match="too much"):
            read_table(buffer.getvalue(), filename="bomb.xlsx")

    def test_too_many_rows(self):
        rows = "\n".join(f"H{i};1;31/12/2027" for i in range(MAX_ROWS + 1))
        with pytest.raises(ListFileError, match="rows"):
            read_table(f"Raison sociale;Activités;Date de fin\n{rows}\n".encode(), filename="l.csv")

    def test_a_cell_too_long(self):
        raw = f"Raison sociale;Activités;Date de fin\n{'x' * (MAX_CELL_CHARS + 1)};1;01/01/2027\n"
        with pytest.raises(ListFileError, match="Row 2"):
            read_table(raw.encode(), filename="l.csv")

    def test_a_huge_declared_dimension_is_not_trusted(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Raison sociale", "Activités", "Date de fin"])
        sheet.append(["OVH", "1", date(2027, 1, 1)])
        sheet.cell(row=2, column=16000, value="far away")
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), filename="l.xlsx")
        assert all(len(cells) <= 41 for _line, cells in table.rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["liste.csv", "liste.xlsx", "liste.txt"]))
def test_any_bytes_are_read_or_refused_with_a_message(raw, filename):
    message = "read"
    try:
        read_table(raw, filename=filename)
    except ListFileError as refused:
        message = str(refused)
    assert message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=7, max_size=7), min_size=1, max_size=5))
def test_any_cells_convert_or_give_row_errors(rows):
    table = read_table(sample_csv([tuple(row) for row in ROWS[:1]]), filename="l.csv")
    table = type(table)(
        headers=table.headers,
        header_line=1,
        rows=tuple((line, tuple(row)) for line, row in enumerate(rows, start=2)),
    )
    hosts, errors = convert_rows(table, propose_mapping(table.headers, []))
    assert len(hosts) + len({error.line for error in errors}) == len(rows)
    assert all(error.column in table.headers for error in errors)


def test_entity_expansion_in_a_workbook_is_refused():
    """A "billion laughs" sheet: the XML parser refuses the expansion, the file is refused."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    source = io.BytesIO(sample_xlsx())
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for member in original.infolist():
            data = original.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                assert "OVH SAS" in text
                text = text.replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1)
                data = text.replace("OVH SAS", "&lol9;").encode()
            copy.writestr(member, data)
    with pytest.raises(ListFileError):
        read_table(target.getvalue(), filename="lol.xlsx")
