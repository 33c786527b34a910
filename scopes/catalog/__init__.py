"""The product's own catalogs: pure data, no ORM.

Each framework lives in one module (hds_v2.py, iso27001_2022.py) as a FrameworkData and a tuple of
NodeData. Official IDs are exact; titles and summaries are our own words, in French and English.
A data migration loads them (scopes.services.catalog.catalog_sync_builtin) and is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class AppliesWhen(StrEnum):
    """When a requirement applies (HDS v2 has no per-activity matrix, only these situations)."""

    ALWAYS = "always"
    SUBCONTRACTING = "subcontracting"  # EXI 06, 14
    STORAGE = "storage"  # EXI 28
    NON_EEA_ACCESS = "non_eea_access"  # EXI 29
    NON_EU_LAW = "non_eu_law"  # EXI 30


@dataclass(frozen=True)
class FrameworkData:
    code: str
    version: str
    urn: str
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    provider: str
    published: date | None


@dataclass(frozen=True)
class NodeData:
    ref_id: str
    parent_ref: str | None
    assessable: bool
    name_fr: str
    name_en: str
    summary_fr: str = ""
    summary_en: str = ""
    applies_when: AppliesWhen = AppliesWhen.ALWAYS
    # Grouping used by pages and scores: HDS chapter ("4".."7"), ISO clause group or theme.
    group: str = ""
