"""Which requirements apply, and readiness scores (pure, no ORM).

HDS v2 applies every requirement to every host, some only when their situation exists
(EXI 06 and 14: subcontracting; 28: storage; 29: access from outside the EEA; 30: exposure to
non-EU laws). ISO 27001 clauses always apply; an Annex A control applies unless the SoA says not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scopes.catalog import AppliesWhen

# A requirement counts for this much of its weight, by status. Not applicable is left out.
STATUS_CREDIT: dict[str, float] = {
    "not_assessed": 0.0,
    "not_compliant": 0.0,
    "partial": 0.5,
    "compliant": 1.0,
}


@dataclass(frozen=True)
class Situation:
    subcontracting: bool
    storage: bool
    non_eea_access: bool
    non_eu_law: bool


def requirement_applies(*, applies_when: str, situation: Situation) -> bool:
    match AppliesWhen(applies_when):
        case AppliesWhen.ALWAYS:
            return True
        case AppliesWhen.SUBCONTRACTING:
            return situation.subcontracting
        case AppliesWhen.STORAGE:
            return situation.storage
        case AppliesWhen.NON_EEA_ACCESS:
            return situation.non_eea_access
        case AppliesWhen.NON_EU_LAW:
            return situation.non_eu_law


@dataclass(frozen=True)
class Score:
    counted: int
    credit: float
    counts: dict[str, int]

    @property
    def percent(self) -> int:
        return round(100 * self.credit / self.counted) if self.counted else 0


def readiness_score(statuses: Iterable[str]) -> Score:
    """The share of applicable requirements met: compliant 1, partial 1/2, others 0."""
    counts: dict[str, int] = {}
    counted = 0
    credit = 0.0
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
        if status in STATUS_CREDIT:
            counted += 1
            credit += STATUS_CREDIT[status]
    return Score(counted, credit, counts)
