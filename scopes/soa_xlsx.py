"""The Statement of Applicability as an XLSX workbook (déclaration d'applicabilité, "DdA").

No ORM here: `build_workbook` turns plain rows into bytes, `parse_workbook` turns an uploaded
file into plain rows and per-row errors. Checks that need the database (does the control exist,
is the owner a member) belong to the import service.

The sheet is in French for the auditors (HDS v2 EXI 08). Its first row is hidden and holds
stable column keys, so the import reads columns by key, not by position or by French label.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from scopes.models import ImplementationStatus

SHEET = "DdA"
LISTS_SHEET = "Listes"
KEY_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3

YES, NO = "oui", "non"
TRUE_WORDS = frozenset({"oui", "yes", "true"})
FALSE_WORDS = frozenset({"non", "no", "false"})

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An SoA has 93 lines; anything far beyond is not an SoA and is refused before it costs much.
MAX_DATA_ROWS = 1000
# An exported SoA is about 20 KB once unzipped: this refuses zip bombs, not real files.
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 100

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("control_ref", gettext_lazy("Control"), 11),
    Column("title_fr", gettext_lazy("Title"), 48),
    Column("applicable", gettext_lazy("Applicable"), 12),
    Column("justification", gettext_lazy("Justification"), 48),
    Column("implementation", gettext_lazy("Implementation"), 24),
    Column("owner_email", gettext_lazy("Owner (e-mail)"), 30),
    Column("notes", gettext_lazy("Notes"), 40),
)
REQUIRED_KEYS = frozenset(c.key for c in COLUMNS) - {"title_fr"}
WRAPPED_KEYS = frozenset({"title_fr", "justification", "notes"})


@dataclass(frozen=True)
class ExportRow:
    ref: str
    title: str
    applicable: bool
    justification: str
    implementation: str  # an ImplementationStatus value
    owner_email: str
    notes: str


@dataclass(frozen=True)
class ImportRow:
    line: int  # the row number the user sees in the spreadsheet
    ref: str
    applicable: bool
    justification: str
    implementation: str  # an ImplementationStatus value
    owner_email: str
    notes: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class WorkbookError(Exception):
    """The file as a whole cannot be read as an SoA workbook; its message is shown as it is."""


def implementation_labels_fr() -> dict[str, str]:
    with translation.override("fr"):
        return {status.value: str(status.label) for status in ImplementationStatus}


def _implementation_lookup() -> dict[str, str]:
    """Raw values, French labels (what the export writes) and English labels, lower-cased."""
    lookup = {value.lower(): value for value in ImplementationStatus.values}
    for language in ("en", "fr"):
        with translation.override(language):
            for status in ImplementationStatus:
                lookup.setdefault(str(status.label).strip().lower(), status.value)
    return lookup


def _put_text(cell: Cell, value: str) -> None:
    cell.value = value
    # openpyxl stores a string starting with "=" as a formula: user text must stay text.
    cell.data_type = "s"


def build_workbook(rows: Iterable[ExportRow]) -> bytes:
    """The SoA as an XLSX file: French headers, frozen header, validation lists."""
    rows = list(rows)
    labels = implementation_labels_fr()
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = SHEET

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for index, word in enumerate((YES, NO), start=1):
        lists.cell(row=index, column=1, value=word)
    for index, label in enumerate(labels.values(), start=1):
        _put_text(lists.cell(row=index, column=2), label)

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="0B5CAD")
    with translation.override("fr"):
        for position, column in enumerate(COLUMNS, start=1):
            sheet.cell(row=KEY_ROW, column=position, value=column.key)
            header = sheet.cell(row=HEADER_ROW, column=position, value=str(column.label))
            header.font = header_font
            header.fill = header_fill
            header.alignment = Alignment(vertical="center", wrap_text=True)
            letter = header.column_letter
            sheet.column_dimensions[letter].width = column.width
    sheet.row_dimensions[KEY_ROW].hidden = True

    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for offset, row in enumerate(rows):
        values = {
            "control_ref": row.ref,
            "title_fr": row.title,
            "applicable": YES if row.applicable else NO,
            "justification": row.justification,
            "implementation": labels.get(row.implementation, row.implementation),
            "owner_email": row.owner_email,
            "notes": row.notes,
        }
        for position, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=FIRST_DATA_ROW + offset, column=position)
            _put_text(cell, values[column.key])
            cell.alignment = wrapped if column.key in WRAPPED_KEYS else top

    last = FIRST_DATA_ROW + len(rows) - 1
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)
    last_letter = sheet.cell(row=HEADER_ROW, column=len(COLUMNS)).column_letter
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_letter}{max(last, HEADER_ROW)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    if rows:
        with translation.override("fr"):
            _add_list(sheet, "applicable", f"{LISTS_SHEET}!$A$1:$A$2", last)
            _add_list(sheet, "implementation", f"{LISTS_SHEET}!$B$1:$B${len(labels)}", last)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_list(sheet: Any, key: str, source: str, last: int) -> None:
    position = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
    letter = sheet.cell(row=HEADER_ROW, column=position).column_letter
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=False,
        showErrorMessage=True,
        errorTitle=_("Value not allowed"),
        error=_("Choose a value from the list."),
    )
    sheet.add_data_validation(validation)
    validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")


def _check_archive(raw: bytes) -> None:
    if not raw.startswith(b"PK\x03\x04"):
        raise WorkbookError(_("This file is not an XLSX workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(_("This XLSX file is damaged and cannot be read.")) from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise WorkbookError(_("This file is not an XLSX workbook."))
    # zipfile stops at each member's declared size and checks its CRC, so the declared sizes
    # bound what reading the workbook can unpack.
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES
    ):
        raise WorkbookError(_("This workbook is too large to be an SoA."))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _applicable(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _ref(value: Any) -> str:
    ref = _text(value)
    if ref and not ref.upper().startswith("A."):
        ref = f"A.{ref}"  # "5.1" is how many people write A.5.1
    return ref[:1].upper() + ref[1:]


def parse_workbook(raw: bytes) -> tuple[list[ImportRow], list[RowError]]:
    """Read an edited SoA workbook. Raises WorkbookError when the file as a whole is unusable;
    a row with an error is reported and left out of the rows."""
    _check_archive(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl has no single error type for a damaged file: KeyError, ValueError,
        # TypeError, XML parse errors... all mean the same thing to the user.
        raise WorkbookError(_("This XLSX file is damaged and cannot be read.")) from exc
    try:
        return _parse_sheet(workbook)
    finally:
        workbook.close()


def _parse_sheet(workbook: Any) -> tuple[list[ImportRow], list[RowError]]:
    if SHEET not in workbook.sheetnames:
        raise WorkbookError(
            _('The workbook has no sheet named "%(sheet)s": export the SoA and edit that file.')
            % {"sheet": SHEET}
        )
    lines = workbook[SHEET].iter_rows(values_only=True)
    keys = [_text(value) for value in next(lines, ())]
    if not set(keys) >= REQUIRED_KEYS:
        raise WorkbookError(
            _(
                "The first row of the sheet does not hold the column keys of an exported SoA: "
                "export the SoA and edit that file."
            )
        )
    position = {key: keys.index(key) for key in REQUIRED_KEYS}
    implementations = _implementation_lookup()

    rows: list[ImportRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(lines, start=KEY_ROW + 1):
        if line < FIRST_DATA_ROW or not any(_text(value) for value in values):
            continue
        if line >= FIRST_DATA_ROW + MAX_DATA_ROWS:
            raise WorkbookError(_("This workbook has too many rows to be an SoA."))

        def cell(key: str, values: tuple[Any, ...] = values) -> Any:
            index = position[key]
            return values[index] if index < len(values) else None

        row_errors = []
        ref = _ref(cell("control_ref"))
        if not ref:
            row_errors.append(_("the control reference is missing."))
        elif ref in seen:
            row_errors.append(
                _("control %(ref)s already appears on row %(first)s.")
                % {"ref": ref, "first": seen[ref]}
            )
        else:
            seen[ref] = line
        applicable = _applicable(cell("applicable"))
        if applicable is None:
            row_errors.append(
                _('"%(value)s" is not a valid applicability: write oui or non.')
                % {"value": _text(cell("applicable"))}
            )
        implementation = implementations.get(_text(cell("implementation")).lower())
        if implementation is None:
            row_errors.append(
                _('"%(value)s" is not a known implementation status.')
                % {"value": _text(cell("implementation"))}
            )
        if row_errors or applicable is None or implementation is None:
            errors.extend(RowError(line, message) for message in row_errors)
            continue
        rows.append(
            ImportRow(
                line=line,
                ref=ref,
                applicable=applicable,
                justification=_text(cell("justification")),
                implementation=implementation,
                owner_email=_text(cell("owner_email")).lower(),
                notes=_text(cell("notes")),
            )
        )
    return rows, errors
