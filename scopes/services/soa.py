"""The Statement of Applicability as a whole: importing an edited workbook, all or nothing.

Each line still goes through `soa_update`, so an imported change is checked and recorded
exactly like a change made on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.models import Requirement, SoAEntry
from scopes.selectors import annex_a_controls, members_of
from scopes.services import ScopeError
from scopes.services.assessment import SoAData, soa_check, soa_update
from scopes.soa_xlsx import ImportRow, RowError


class SoAImportError(ScopeError):
    """The workbook has errors; nothing was applied. `errors` says which rows and why."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(_("The import was refused and nothing was changed."))
        self.errors = sorted(errors, key=lambda error: error.line)


@dataclass(frozen=True)
class SoAImportResult:
    changed: list[str]  # the references of the controls whose line changed
    unchanged: int


def _lines(text: str) -> str:
    # A spreadsheet gives back "\n" where a browser form sent "\r\n": not a change.
    return text.replace("\r\n", "\n")


def _as_data(entry: SoAEntry | None) -> SoAData:
    if entry is None:
        return SoAData(applicable=True)
    return SoAData(
        applicable=entry.applicable,
        justification=_lines(entry.justification),
        implementation=entry.implementation,
        owner=entry.owner,
        notes=_lines(entry.notes),
    )


def _plan(
    organisation: Organisation, rows: Sequence[ImportRow]
) -> tuple[list[tuple[Requirement, SoAData]], list[RowError]]:
    controls = {control.ref_id: control for control in annex_a_controls()}
    members = {user.email.lower(): user for user in members_of(organisation=organisation)}
    planned: list[tuple[Requirement, SoAData]] = []
    errors: list[RowError] = []
    for row in rows:
        problems = []
        control = controls.get(row.ref)
        if control is None:
            problems.append(_("%(ref)s is not an ISO 27001 Annex A control.") % {"ref": row.ref})
        owner = members.get(row.owner_email) if row.owner_email else None
        if row.owner_email and owner is None:
            problems.append(
                _("%(email)s is not a member of the organisation.") % {"email": row.owner_email}
            )
        data = SoAData(
            applicable=row.applicable,
            justification=_lines(row.justification),
            implementation=row.implementation,
            owner=owner,
            notes=_lines(row.notes),
        )
        try:
            soa_check(data)
        except ScopeError as exc:
            problems.append(str(exc))
        errors.extend(RowError(row.line, problem) for problem in problems)
        if control is not None and not problems:
            planned.append((control, data))
    return planned, errors


def soa_import_errors(*, organisation: Organisation, rows: Sequence[ImportRow]) -> list[RowError]:
    """What `soa_import` would refuse, without changing anything."""
    return _plan(organisation, rows)[1]


def soa_import(
    *, organisation: Organisation, rows: Sequence[ImportRow], actor: User
) -> SoAImportResult:
    """Apply an edited SoA workbook (ISO 27001 6.1.3 d; HDS v2 EXI 08), all or nothing: one
    wrong row and no line changes. One trail event per changed line, one summary event;
    a row equal to the current line changes nothing and records nothing."""
    with transaction.atomic():
        planned, errors = _plan(organisation, rows)
        if errors:
            raise SoAImportError(errors)
        current = {
            entry.control_id: entry
            for entry in SoAEntry.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(organisation=organisation)
        }
        changed = []
        for control, data in planned:
            if _as_data(current.get(control.pk)) == data:
                continue
            soa_update(organisation=organisation, control=control, data=data, actor=actor)
            changed.append(control.ref_id)
        if changed:
            trail_record(
                kind="soa.imported",
                actor=actor,
                organisation=organisation,
                data={"rows": len(rows), "changed": changed},
            )
    return SoAImportResult(changed=changed, unchanged=len(planned) - len(changed))
