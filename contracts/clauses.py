"""The eleven clauses every HDS hosting contract must contain. Pure data, no ORM.

Source: art. R.1111-11 of the Code de la santé publique, one clause per item, which the HDS v2
référentiel turns into requirements EXI 17 to EXI 27 (chapter 6), as summarized in the project's
domain notes (shared/DOMAIN.md). The order is the article's and the référentiel's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Clause:
    code: str  # stored in the database; never shown
    ref_id: str  # the HDS v2 requirement it answers
    label: Promise


CLAUSES: tuple[Clause, ...] = (
    Clause("exi17", "EXI 17", _("Scope and dates of the host's certificate")),
    Clause("exi18", "EXI 18", _("Services provided and expected results")),
    Clause("exi19", "EXI 19", _("Data subjects' rights and notification of data breaches")),
    Clause("exi20", "EXI 20", _("Client's referent for security incidents")),
    Clause("exi21", "EXI 21", _("Quality indicators, service levels and penalties")),
    Clause("exi22", "EXI 22", _("Subcontractors taking part in the service")),
    Clause("exi23", "EXI 23", _("Modalities of access to the hosted data")),
    Clause(
        "exi24", "EXI 24", _("Client's prior agreement to technical changes that degrade levels")
    ),
    Clause("exi25", "EXI 25", _("Guarantees if the host fails")),
    Clause("exi26", "EXI 26", _("No use of the data for other purposes")),
    Clause("exi27", "EXI 27", _("Reversibility: return, destruction, costs and formats")),
)

CLAUSES_BY_CODE: dict[str, Clause] = {clause.code: clause for clause in CLAUSES}
CLAUSES_BY_REF: dict[str, Clause] = {clause.ref_id: clause for clause in CLAUSES}
CLAUSE_CHOICES: list[tuple[str, str]] = [(c.code, c.ref_id) for c in CLAUSES]

# EXI 11: per-client contacts, who may designate a health professional; the list goes to the
# authority on demand. Its readiness figure is read from the clients' contacts.
HEALTH_PROFESSIONAL_REF = "EXI 11"
# EXI 20 also asks for the client's incident referent among its contacts.
INCIDENT_REFERENT_REF = "EXI 20"


def effective_state(own: str | None, inherited: str | None) -> str | None:
    """A contract's answer to a clause: its own if it has one, else its template's (if any)."""
    return own if own is not None else inherited
