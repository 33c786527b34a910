"""Reading the ANS list of certified hosts from a CSV or XLSX file (pure, no ORM).

`read_table` turns the uploaded bytes into a header and rows of cells, or refuses the file as a
whole with a `ListFileError` whose message is shown as it is. Nothing is evaluated: a formula
(=cmd|...) is read as the text it is, a NUL byte is dropped. Mapping the columns to our fields
and converting the rows is scopes/certified_hosts_rows.py.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 300
# Blank rows are skipped but still read: past this many rows read, the file is refused.
MAX_LINES_READ = MAX_ROWS + 5_000
# The header is the first row with at least two cells among the first rows (a title may come
# before it).
HEADER_SEARCH_ROWS = 20
# The ANS list is a few hundred rows: far below these, which refuse zip bombs, not real files.
MAX_UNZIPPED_BYTES = 80 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 200

Cell = str | date


class ListFileError(Exception):
    """The file as a whole cannot be read as a list; the message says why."""


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
