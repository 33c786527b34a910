"""A real-looking ANS list of certified hosts, written as CSV or XLSX by the tests."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

HEADERS = (
    "Raison sociale",
    "SIREN",
    "N° de certificat",
    "Activités",
    "Date de début",
    "Date de fin",
    "Organisme certificateur",
)
ROWS = (
    (
        "OVH SAS",
        "424 761 419",
        "HDS-2024-0012",
        "1, 2, 3, 4, 5, 6",
        "15/03/2024",
        "14/03/2027",
        "LNE",
    ),
    (
        "Scaleway S.A.S.",
        "433115904",
        "HDS-2023-0101",
        "1;2;3;4;5;6",
        "01/06/2023",
        "31/05/2026",
        "AFNOR Certification",
    ),
    ("Cloud Temple", "", "HDS-2024-0230", "5 et 6", "2024-09-01", "2027-08-31", "Bureau Veritas"),
    (
        "Datacenter Lyonnais SARL",
        "552100554",
        "HDS-2022-0007",
        "1",
        "10/01/2025",
        "09/01/2028",
        "LNE",
    ),
    (
        "Sauvegarde Élysée",
        "350 889 456",
        "HDS-2025-0310",
        "Sauvegarde externalisée des données de santé",
        "01/02/2025",
        "31/01/2028",
        "AFNOR Certification",
    ),
)


def sample_csv(
    rows=ROWS, *, encoding: str = "utf-8", delimiter: str = ";", bom: bool = False
) -> bytes:
    lines = [delimiter.join(HEADERS)]
    for row in rows:
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in row))
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def sample_xlsx(rows=ROWS, *, title: str | None = "Liste des hébergeurs certifiés HDS") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(list(HEADERS))
    for row in rows:
        values: list[object] = list(row)
        for position in (4, 5):  # dates as real dates, as Excel keeps them
            day, month, year = ([*values[position].split("/"), "", ""])[:3]
            if year:
                values[position] = date(int(year), int(month), int(day))
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
