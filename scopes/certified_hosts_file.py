"""Reading the ANS list of certified hosts from a CSV or XLSX file (pure, no ORM).

`read_table` turns the uploaded bytes into a header and rows of cells, or refuses the file as a
whole with a `ListFileError` whose message is shown as it is. `convert_rows` applies a mapping of
our fields to the file's columns and gives the list's rows and the errors of each cell, by row and
column. Nothing here is evaluated: a formula (=cmd|...) is read as the text it is, a NUL byte is
dropped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from scopes.activities import ACTIVITIES
from scopes.certified_hosts import ListedHost, normalise_siren

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 300
# Blank rows are skipped but still read: past this many rows read, the file is refused.
MAX_LINES_READ = MAX_ROWS + 5_000
# The header is the first row with at least two cells among the first rows (a title may come
# before it).
HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = 10
# The ANS list is a few hundred rows: far below these, which refuse zip bombs, not real files.
MAX_UNZIPPED_BYTES = 80 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 200

Cell = str | date


class ListFileError(Exception):
    """The file as a whole cannot be read as a list; the message says why."""


class Field(StrEnum):
    NAME = "company_name"
    SIREN = "siren"
    CERTIFICATE = "certificate_number"
    ACTIVITIES = "activities"
    CERTIFICATE_TYPE = "certificate_type"
    VALID_FROM = "valid_from"
    VALID_UNTIL = "valid_until"
    BODY = "certification_body"


FIELD_LABELS: dict[Field, str | Promise] = {
    Field.NAME: gettext_lazy("Company name"),
    Field.SIREN: gettext_lazy("SIREN"),
    Field.CERTIFICATE: gettext_lazy("Certificate number"),
    Field.ACTIVITIES: gettext_lazy("Activities"),
    Field.CERTIFICATE_TYPE: gettext_lazy("Certificate type"),
    Field.VALID_FROM: gettext_lazy("Valid from"),
    Field.VALID_UNTIL: gettext_lazy("Valid until"),
    Field.BODY: gettext_lazy("Certification body"),
}
REQUIRED_FIELDS = (Field.NAME, Field.VALID_UNTIL)

# Header wordings seen in lists, normalised by `header_key`: exact matches first, then a header
# that contains one of them.
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.NAME: (
        "raison sociale",
        "denomination",
        "nom de l hebergeur",
        "hebergeur",
        "societe",
        "entreprise",
        "titulaire",
        "company name",
        "company",
        "nom",
    ),
    Field.SIREN: ("siren", "numero siren", "siret"),
    Field.CERTIFICATE: (
        "numero de certificat",
        "n de certificat",
        "n certificat",
        "reference du certificat",
        "certificate number",
        "certificat",
    ),
    Field.ACTIVITIES: ("activites", "activites certifiees", "activities", "perimetre"),
    Field.CERTIFICATE_TYPE: ("type de certificat", "type de certification", "certificate type"),
    Field.VALID_FROM: (
        "date de debut",
        "date de debut de validite",
        "debut de validite",
        "date de certification",
        "date d obtention",
        "valid from",
    ),
    Field.VALID_UNTIL: (
        "date de fin",
        "date de fin de validite",
        "fin de validite",
        "date d expiration",
        "expiration",
        "valid until",
    ),
    Field.BODY: ("organisme certificateur", "organisme de certification", "certification body"),
}

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"MZ", b"\x1f\x8b")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls)
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    header_line: int
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (row of the file, cells)

    @property
    def key(self) -> str:
        return headers_key(self.headers)


@dataclass(frozen=True)
class CellError:
    line: int
    column: str  # the file's header, "" for the file as a whole
    message: str


def header_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.split(r"[^\w]+|_+", bare)).strip()


def headers_key(headers: Sequence[str]) -> str:
    """What a remembered mapping is keyed by: the file's header names, in order."""
    joined = "\x1f".join(header_key(header) for header in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


# --- Reading the file ----------------------------------------------------------------------


def read_table(raw: bytes, *, filename: str) -> Table:
    if not raw:
        raise ListFileError(_("The file is empty."))
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ListFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if raw.startswith(_ZIP_MAGIC):
        lines: Iterator[Sequence[Any]] = _xlsx_lines(raw)
    elif raw.startswith(_OLE_MAGIC):
        raise ListFileError(
            _("This is an Excel 97-2003 file (.xls): save it as XLSX or CSV and import that.")
        )
    elif filename.lower().endswith(".xlsx"):
        raise ListFileError(_("This file is not an XLSX workbook."))
    else:
        lines = _csv_lines(raw)
    return _table(lines)


def _table(lines: Iterable[Sequence[Any]]) -> Table:
    headers: tuple[str, ...] | None = None
    header_line = 0
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    for line, values in enumerate(lines, start=1):
        if line > MAX_LINES_READ:
            raise ListFileError(
                _("The file has more than %(rows)s rows: it is not a list of certified hosts.")
                % {"rows": f"{MAX_ROWS:,}".replace(",", "\u202f")}
            )
        cells = [_cell(value) for value in values]
        while cells and cells[-1] == "":
            cells.pop()
        if headers is None:
            if sum(1 for cell in cells if cell != "") >= 2:
                headers = _headers(cells, line)
                header_line = line
            elif line >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(cell != "" for cell in cells):
            continue
        for position, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                column = headers[position] if position < len(headers) else str(position + 1)
                raise ListFileError(
                    _(
                        "Row %(line)s, column “%(column)s”: more than %(max)s characters, "
                        "this is not a list of certified hosts."
                    )
                    % {"line": line, "column": column, "max": MAX_CELL_CHARS}
                )
        if len(rows) >= MAX_ROWS:
            raise ListFileError(
                _("The file has more than %(rows)s rows: it is not a list of certified hosts.")
                % {"rows": f"{MAX_ROWS:,}".replace(",", "\u202f")}
            )
        rows.append((line, tuple(cells)))
    if headers is None:
        raise ListFileError(
            _("No header row found: the first rows should name the columns (e.g. Raison sociale).")
        )
    if not rows:
        raise ListFileError(_("The file has a header row but no data rows."))
    return Table(headers=headers, header_line=header_line, rows=tuple(rows))


def _headers(cells: list[Cell], line: int) -> tuple[str, ...]:
    if len(cells) > MAX_COLUMNS:
        raise ListFileError(
            _("The header row has more than %(max)s columns.") % {"max": MAX_COLUMNS}
        )
    headers: list[str] = []
    for position, cell in enumerate(cells, start=1):
        text = cell.isoformat() if isinstance(cell, date) else cell
        if len(text) > MAX_CELL_CHARS:
            raise ListFileError(
                _("Row %(line)s: a column name is longer than %(max)s characters.")
                % {"line": line, "max": MAX_CELL_CHARS}
            )
        name = text or _("Column %(number)s") % {"number": position}
        base, suffix = name, 2
        while name in headers:  # two columns with one name stay two columns
            name = f"{base} ({suffix})"
            suffix += 1
        headers.append(name)
    return tuple(headers)


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ListFileError(_("This file is not a CSV text file.")) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return controls > max(8, len(sample) // 100)


def _csv_lines(raw: bytes) -> Iterator[list[str]]:
    if raw.startswith(_BINARY_MAGIC):
        raise ListFileError(_("This file is not a CSV text file."))
    text = _decode(raw)
    if _looks_binary(text):
        raise ListFileError(_("This file is not a CSV text file."))
    text = text.replace("\x00", "")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS * 4:
                raise ListFileError(
                    _("Row %(line)s has more than %(max)s cells.")
                    % {"line": reader.line_num, "max": MAX_COLUMNS * 4}
                )
            yield row[: MAX_COLUMNS + 1]
    except csv.Error as exc:
        raise ListFileError(
            _("Row %(line)s cannot be read as CSV.") % {"line": reader.line_num}
        ) from exc


def _check_archive(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ListFileError(_("This XLSX file is damaged and cannot be read.")) from exc
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ListFileError(_("This file is not an XLSX workbook."))
    # zipfile stops at each member's declared size and checks its CRC, so the declared sizes
    # bound what reading the workbook can unpack.
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES
    ):
        raise ListFileError(_("This workbook unpacks to too much data to be a list of hosts."))


def _xlsx_lines(raw: bytes) -> Iterator[Sequence[Any]]:
    _check_archive(raw)
    try:
        # data_only=False: a formula comes back as its text ("=..."), never as a computed value.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:
        # openpyxl has no single error type for a damaged file.
        raise ListFileError(_("This XLSX file is damaged and cannot be read.")) from exc
    try:
        if not workbook.worksheets:
            raise ListFileError(_("This workbook has no sheet."))
        sheet = workbook.worksheets[0]
        # A declared dimension is not trusted: rows are cut at MAX_COLUMNS + 1 cells.
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        try:
            yield from sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        except ListFileError:
            raise
        except Exception as exc:
            raise ListFileError(_("This XLSX file is damaged and cannot be read.")) from exc
    finally:
        workbook.close()


# --- Mapping the columns -------------------------------------------------------------------


def propose_mapping(
    headers: Sequence[str], remembered: Iterable[Mapping[str, str]]
) -> dict[Field, int | None]:
    """Each field's column: from the remembered mappings (the one for these very headers first,
    then the latest ones), else from the usual header wordings."""
    keys = [header_key(header) for header in headers]
    proposal: dict[Field, int | None] = dict.fromkeys(Field)
    taken: set[int] = set()
    for mapping in remembered:
        for field, header in mapping.items():
            if field not in Field.__members__.values() or proposal[Field(field)] is not None:
                continue
            if header in headers and headers.index(header) not in taken:
                proposal[Field(field)] = headers.index(header)
                taken.add(headers.index(header))
    for exact in (True, False):
        for field in Field:
            if proposal[field] is not None:
                continue
            for synonym in SYNONYMS[field]:
                found = next(
                    (
                        position
                        for position, key in enumerate(keys)
                        if position not in taken and _matches(key, synonym, exact=exact)
                    ),
                    None,
                )
                if found is not None:
                    proposal[field] = found
                    taken.add(found)
                    break
    return proposal


def _matches(key: str, synonym: str, *, exact: bool) -> bool:
    return key == synonym if exact else f" {synonym} " in f" {key} "


def mapping_errors(mapping: Mapping[Field, int | None], headers: Sequence[str]) -> list[str]:
    errors = [
        _("Choose the column of “%(field)s”.") % {"field": FIELD_LABELS[field]}
        for field in REQUIRED_FIELDS
        if mapping.get(field) is None
    ]
    if mapping.get(Field.ACTIVITIES) is None and mapping.get(Field.CERTIFICATE_TYPE) is None:
        errors.append(_("Choose the column of the activities or of the certificate type."))
    chosen = [position for position in mapping.values() if position is not None]
    for position in sorted({p for p in chosen if chosen.count(p) > 1}):
        errors.append(
            _("The column “%(column)s” is chosen for more than one field.")
            % {"column": headers[position]}
        )
    return errors


# --- Converting the rows -------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")
_PHYSICAL = frozenset({1, 2})
_MANAGED = frozenset({3, 4, 5, 6})
# A word or two of each activity's wording (activities.py), normalised by header_key.
_ACTIVITY_WORDS: tuple[tuple[str, int], ...] = (
    ("sites physiques", 1),
    ("infrastructure materielle", 2),
    ("infrastructure virtuelle", 3),
    ("plateforme", 4),
    ("administration", 5),
    ("exploitation", 5),
    ("sauvegarde", 6),
)
_KNOWN_ACTIVITIES = frozenset(activity.number for activity in ACTIVITIES)


def _date(cell: Cell) -> date | None:
    if isinstance(cell, date):
        return cell
    text = cell.strip()
    if " " in text and text[:4].isdigit():  # "2027-01-31 00:00:00", as some exports write
        text = text.split(" ", 1)[0]
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a calendar day)
        except ValueError:
            continue
        if 1990 <= day.year <= 2100:
            return day
    return None


def _certificate_type(text: str) -> frozenset[int] | None:
    key = header_key(text)
    found: set[int] = set()
    if "physique" in key:
        found |= _PHYSICAL
    if "infogere" in key or "infogerance" in key:
        found |= _MANAGED
    return frozenset(found) if found else None


def _activities(text: str) -> tuple[frozenset[int], str | None]:
    """The activity numbers a cell names, or the first thing in it that is not one."""
    numbers = re.findall(r"\d+", text)
    if numbers:
        unknown = next((n for n in numbers if int(n) not in _KNOWN_ACTIVITIES), None)
        if unknown is not None:
            return frozenset(), unknown
        return frozenset(int(n) for n in numbers), None
    certificate_type = _certificate_type(text)
    if certificate_type:
        return certificate_type, None
    key = header_key(text)
    found = frozenset(number for words, number in _ACTIVITY_WORDS if words in key)
    return (found, None) if found else (frozenset(), text)


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, date) else cell


def convert_row(
    line: int, cells: Sequence[Cell], mapping: Mapping[Field, int | None], headers: Sequence[str]
) -> tuple[ListedHost | None, list[CellError]]:
    errors: list[CellError] = []

    def cell(field: Field) -> Cell:
        position = mapping.get(field)
        if position is None or position >= len(cells):
            return ""
        return cells[position]

    def error(field: Field, message: str) -> None:
        position = mapping.get(field)
        errors.append(CellError(line, headers[position] if position is not None else "", message))

    name = _text(cell(Field.NAME))
    if not name:
        error(Field.NAME, _("the company name is missing."))
    siren_text = _text(cell(Field.SIREN))
    siren = normalise_siren(siren_text)
    if siren_text and not siren:
        error(Field.SIREN, _("“%(value)s” is not a SIREN (9 digits).") % {"value": siren_text})
    activities: frozenset[int] = frozenset()
    for field in (Field.ACTIVITIES, Field.CERTIFICATE_TYPE):
        text = _text(cell(field))
        if not text:
            continue
        if field == Field.ACTIVITIES:
            found, unknown = _activities(text)
        else:
            type_found = _certificate_type(text)
            found, unknown = (type_found, None) if type_found else (frozenset(), text)
        if unknown is not None:
            message = (
                _("“%(value)s” is not an HDS activity (1 to 6).")
                if field == Field.ACTIVITIES
                else _("“%(value)s” is not an HDS certificate type.")
            )
            error(field, message % {"value": unknown})
        activities |= found
    if not activities and not errors:
        field = (
            Field.ACTIVITIES
            if mapping.get(Field.ACTIVITIES) is not None
            else (Field.CERTIFICATE_TYPE)
        )
        error(field, _("no activity is given."))
    dates: dict[Field, date | None] = {}
    for field in (Field.VALID_FROM, Field.VALID_UNTIL):
        value = cell(field)
        if value == "":
            dates[field] = None
            if field == Field.VALID_UNTIL:
                error(field, _("the end of validity is missing."))
            continue
        dates[field] = _date(value)
        if dates[field] is None:
            error(
                field,
                _("“%(value)s” is not a date (write it as DD/MM/YYYY).") % {"value": _text(value)},
            )
    start, end = dates[Field.VALID_FROM], dates[Field.VALID_UNTIL]
    if start and end and end < start:
        error(Field.VALID_UNTIL, _("the end of validity is before its start."))
    if errors:
        return None, errors
    return (
        ListedHost(
            line=line,
            name=name,
            siren=siren,
            certificate_number=_text(cell(Field.CERTIFICATE)),
            activities=activities,
            valid_from=start,
            valid_until=end,
            certification_body=_text(cell(Field.BODY)),
        ),
        [],
    )


def convert_rows(
    table: Table, mapping: Mapping[Field, int | None], *, limit: int | None = None
) -> tuple[list[ListedHost], list[CellError]]:
    """The list's rows under a mapping, and every cell that is wrong (by row and column)."""
    problems = mapping_errors(mapping, table.headers)
    if problems:
        return [], [CellError(0, "", problem) for problem in problems]
    hosts: list[ListedHost] = []
    errors: list[CellError] = []
    for line, cells in table.rows[:limit]:
        host, row_errors = convert_row(line, cells, mapping, table.headers)
        errors.extend(row_errors)
        if host is not None:
            hosts.append(host)
    return hosts, errors
