"""Whether a storage location or a remote access conforms to HDS v2 EXI 28 and 29. Pure
functions over the country data of sovereignty.countries: no ORM, no clock.

- EXI 28: health data is stored in the European Economic Area. A location outside it is a
  non-conformity (the register keeps it, flagged, so the gap shows instead of being hidden).
- EXI 29: access from outside the EEA happens only under GDPR chapter V: an adequacy decision
  (art. 45) for that country, or appropriate safeguards (art. 46: standard contractual clauses,
  binding corporate rules...) that are named. Access from inside the EEA needs no basis.
  An access without a basis is flagged; a basis that cannot apply (art. 45 for a country the
  Commission has not found adequate, art. 46 with no safeguard named) is refused at entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sovereignty.countries import country_of


class LegalBasis(StrEnum):
    NONE = "none"  # no transfer tool: flagged when outside the EEA
    ADEQUACY = "art45"  # GDPR art. 45: the Commission's adequacy decision
    SAFEGUARDS = "art46"  # GDPR art. 46: SCC, BCR, other appropriate safeguards


class Problem(StrEnum):
    """Why an entry is refused, each tied to the field the person must change."""

    UNKNOWN_COUNTRY = "unknown_country"  # field: country
    NO_ADEQUACY = "no_adequacy"  # field: legal_basis
    SAFEGUARD_MISSING = "safeguard_missing"  # field: safeguard_reference
    SCOPE_MISSING = "scope_missing"  # field: safeguard_reference (partial adequacy)


PROBLEM_FIELDS: dict[Problem, str] = {
    Problem.UNKNOWN_COUNTRY: "country",
    Problem.NO_ADEQUACY: "legal_basis",
    Problem.SAFEGUARD_MISSING: "safeguard_reference",
    Problem.SCOPE_MISSING: "safeguard_reference",
}


@dataclass(frozen=True)
class Verdict:
    flagged: bool  # a non-conformity of `requirement` shown on the register
    requirement: str  # "EXI 28" or "EXI 29"
    in_eea: bool


def storage_verdict(country: str) -> Verdict:
    """EXI 28: a storage location outside the EEA is a non-conformity. Unknown code: ValueError."""
    found = country_of(country)
    if found is None:
        raise ValueError(f"Unknown country code: {country!r}")
    return Verdict(flagged=not found.in_eea, requirement="EXI 28", in_eea=found.in_eea)


def access_problems(country: str, basis: str, safeguard_reference: str) -> list[Problem]:
    """What makes this remote access impossible to record as typed (empty: it can be recorded).
    Inside the EEA any basis is accepted (none is needed); outside it, art. 45 needs an
    adequacy decision for the country (and, when the decision is partial, the reference showing
    the recipient is covered), art. 46 needs the safeguard named."""
    found = country_of(country)
    if found is None:
        return [Problem.UNKNOWN_COUNTRY]
    if found.in_eea:
        return []
    reference = safeguard_reference.strip()
    if basis == LegalBasis.ADEQUACY:
        if found.adequacy is None:
            return [Problem.NO_ADEQUACY]
        if found.adequacy.partial and not reference:
            return [Problem.SCOPE_MISSING]
    if basis == LegalBasis.SAFEGUARDS and not reference:
        return [Problem.SAFEGUARD_MISSING]
    return []


def access_verdict(country: str, basis: str, safeguard_reference: str) -> Verdict:
    """EXI 29: access from outside the EEA without a valid basis is flagged. A stored access whose
    basis no longer holds (an adequacy decision withdrawn since) is flagged too."""
    found = country_of(country)
    if found is None:
        raise ValueError(f"Unknown country code: {country!r}")
    if found.in_eea:
        return Verdict(flagged=False, requirement="EXI 29", in_eea=True)
    valid = basis in (LegalBasis.ADEQUACY, LegalBasis.SAFEGUARDS) and not access_problems(
        country, basis, safeguard_reference
    )
    return Verdict(flagged=not valid, requirement="EXI 29", in_eea=False)
