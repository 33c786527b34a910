"""The standards that meet the ISO 27001 prerequisite of HDS certification. Pure data, no ORM.

Source: /work/shared/DOMAIN.md, "ISO 27001 prerequisite". The ANS account of certification reads
« un des pré-requis est l'obtention de la certification ISO 27001 ou un équivalent »; HDS v2 is
built on ISO/IEC 27001:2022, whose French adoption is NF EN ISO/IEC 27001:2023 (the same text,
published by AFNOR). The 2013 edition and its French adoption NF EN ISO/IEC 27001:2017 are kept so
that an old certificate can be recorded and flagged: the IAF transition to the 2022 edition
(IAF MD 26) ended on 31 October 2025.
A certificate against another standard counts only when the host records it as an equivalent
and names it, so that the auditor sees what the host relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IsoStandard(StrEnum):
    """What an ISO 27001 certificate was issued against (Certificate.iso_standard)."""

    ISO_27001_2022 = "iso27001_2022"
    NF_EN_27001_2023 = "nf_en_iso27001_2023"
    ISO_27001_2013 = "iso27001_2013"
    NF_EN_27001_2017 = "nf_en_iso27001_2017"
    EQUIVALENT = "equivalent"  # another standard the host records as equivalent, by name


@dataclass(frozen=True)
class StandardFacts:
    label: str  # how certificates print it; a proper name, not translated
    accepted: bool  # meets the prerequisite


STANDARDS: dict[IsoStandard, StandardFacts] = {
    IsoStandard.ISO_27001_2022: StandardFacts("ISO/IEC 27001:2022", accepted=True),
    IsoStandard.NF_EN_27001_2023: StandardFacts("NF EN ISO/IEC 27001:2023", accepted=True),
    IsoStandard.ISO_27001_2013: StandardFacts("ISO/IEC 27001:2013", accepted=False),
    IsoStandard.NF_EN_27001_2017: StandardFacts("NF EN ISO/IEC 27001:2017", accepted=False),
    IsoStandard.EQUIVALENT: StandardFacts("", accepted=True),
}


def standard_accepted(code: str) -> bool:
    """Whether a certificate against `code` meets the prerequisite; an unknown or empty code
    (a certificate recorded before the standard was asked for) does not."""
    try:
        return STANDARDS[IsoStandard(code)].accepted
    except ValueError:
        return False


def standard_label(code: str, *, equivalent_name: str = "") -> str:
    """The name to print for a certificate's standard: the equivalent's own name if it is one."""
    if code == IsoStandard.EQUIVALENT:
        return equivalent_name.strip()
    try:
        return STANDARDS[IsoStandard(code)].label
    except ValueError:
        return ""
