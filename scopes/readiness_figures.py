"""Figures computed from the registers, shown beside a requirement's manual readiness status.

The registers live in apps above scopes (the client contracts, for EXI 11 and 17-27): each
registers a source in its `AppConfig.ready()`, so the readiness pages never import them. A
figure informs the person assessing the requirement; it never replaces their status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from hdsready.models import Organisation


@dataclass(frozen=True)
class ComputedFigure:
    text: str  # e.g. "3 of 4 contracts in force have this clause", in the reader's language
    gaps: int  # how many objects of the register fall short (0: nothing to do)
    gaps_url: str  # the list of those objects
    gaps_label: str


# The figures of one organisation on one day, by requirement reference (HDS v2: "EXI 17"). A
# source reads them in a number of queries that does not grow with the register.
FigureSource = Callable[[Organisation, date], Mapping[str, list[ComputedFigure]]]

_SOURCES: list[FigureSource] = []


def readiness_figures_register(source: FigureSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def readiness_figures_of(
    *, organisation: Organisation, on: date
) -> dict[str, list[ComputedFigure]]:
    """Every registered figure of the organisation's HDS requirements, by reference."""
    figures: dict[str, list[ComputedFigure]] = {}
    for source in _SOURCES:
        for ref_id, found in source(organisation, on).items():
            figures.setdefault(ref_id, []).extend(found)
    return figures
