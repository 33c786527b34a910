"""The clients' contacts as an XLSX workbook, for the authority on demand (HDS v2 EXI 11).

No ORM here: plain rows in, bytes out. Every value is written as text, so a name typed as
"=HYPERLINK(...)" stays a name and never becomes a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ContactRow:
    client: str
    siren: str
    name: str
    function: str
    email: str
    phone: str
    health_professional: bool
    incident_referent: bool


def build_contacts_workbook(rows: Iterable[ContactRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new workbook always has one sheet
        sheet = workbook.create_sheet()
    sheet.title = _("Contacts")[:31]
    headers = [
        _("Client"),
        _("SIREN"),
        _("Name"),
        _("Function"),
        _("E-mail address"),
        _("Phone"),
        _("Designated health professional (EXI 11)"),
        _("Incident referent (EXI 20)"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    yes, no = _("yes"), _("no")
    for row in rows:
        values = [
            row.client,
            row.siren,
            row.name,
            row.function,
            row.email,
            row.phone,
            yes if row.health_professional else no,
            yes if row.incident_referent else no,
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    for letter, width in zip("ABCDEFGH", (32, 12, 28, 24, 30, 16, 18, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
