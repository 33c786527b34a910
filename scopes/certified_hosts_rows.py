"""Mapping a list file's columns to our fields and converting its rows (pure, no ORM).

`propose_mapping` proposes a column for each field (a remembered mapping first, then the usual
header wordings); `convert_rows` gives the list's rows under a mapping and every wrong cell, by
row and column, so an import can be refused whole with errors one can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scopes.activities import ACTIVITIES
from scopes.certified_hosts import ListedHost, normalise_siren
from scopes.certified_hosts_file import Cell, Table, header_key

PREVIEW_ROWS = 10


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


@dataclass(frozen=True)
class CellError:
    line: int
    column: str  # the file's header, "" for the file as a whole
    message: str


# --- Mapping the columns -------------------------------------------------------------------


def propose_mapping(
    headers: Sequence[str],
    remembered: Iterable[Mapping[str, str]],
    *,
    exact: Mapping[str, str] | None = None,
) -> dict[Field, int | None]:
    """Each field's column: the mapping chosen for these very headers (`exact`) as it was, a
    field left out included; else from the latest mappings, then the usual header wordings."""
    proposal: dict[Field, int | None] = dict.fromkeys(Field)
    if exact is not None:
        for field in Field:
            header = exact.get(field.value, "")
            proposal[field] = headers.index(header) if header in headers else None
        return proposal
    keys = [header_key(header) for header in headers]
    taken: set[int] = set()
    for mapping in remembered:
        for name, header in mapping.items():
            if name not in set(Field) or proposal[Field(name)] is not None:
                continue
            if header and header in headers and headers.index(header) not in taken:
                proposal[Field(name)] = headers.index(header)
                taken.add(headers.index(header))
    for whole in (True, False):
        for field in Field:
            if proposal[field] is not None:
                continue
            for synonym in SYNONYMS[field]:
                found = next(
                    (
                        position
                        for position, key in enumerate(keys)
                        if position not in taken and _matches(key, synonym, whole=whole)
                    ),
                    None,
                )
                if found is not None:
                    proposal[field] = found
                    taken.add(found)
                    break
    return proposal


def _matches(key: str, synonym: str, *, whole: bool) -> bool:
    """The header is the wording (`whole`), or holds it as words."""
    return key == synonym if whole else f" {synonym} " in f" {key} "


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
