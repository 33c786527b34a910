"""Each subcontractor checked against the ANS list of certified hosts (pure, no ORM).

DOMAIN: the Agence du numérique en santé publishes the list of HDS-certified hosts. A host that
relies on a subcontractor for an HDS activity must make sure that subcontractor is itself
certified for that activity (HDS v2 EXI 12 and chapter 8): the list is the public cross-check of
the certificates recorded here.

A subcontractor is found in the list by its SIREN first, then by its name once normalised (case,
accents, punctuation and legal forms such as SAS, SA or SARL do not count).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext, ngettext

from hdsready.dates import date_format

# Legal forms of French (and a few foreign) companies, as tokens once dots are removed: a
# list writes "OVH SAS" where the register says "OVH", "S.A.S." or "OVH (SAS)".
LEGAL_FORMS = frozenset(
    {
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sca",
        "scs",
        "snc",
        "sci",
        "scop",
        "scic",
        "sem",
        "gie",
        "gmbh",
        "ltd",
        "llc",
        "inc",
        "bv",
        "nv",
        "ag",
        "spa",
        "srl",
        "plc",
    }
)
_PUNCTUATION = re.compile(r"[^\w]+|_+")


def normalise_name(name: str) -> str:
    """A company name as compared: lower case, no accents, no punctuation, no legal form."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    bare = bare.replace("&", " et ")
    # "S.A.S." is "SAS": dots join what they separate; every other mark separates words.
    bare = bare.replace(".", "")
    words = [word for word in _PUNCTUATION.split(bare) if word and word not in LEGAL_FORMS]
    return " ".join(words)


def normalise_siren(value: str) -> str:
    """The nine digits of a SIREN (a SIRET's first nine), or "" when there is none."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 14:  # a SIRET: SIREN + establishment number
        digits = digits[:9]
    return digits if len(digits) == 9 else ""


def names_agree(first: str, second: str) -> bool:
    """Two normalised names designate the same company: equal, or the words of one are all in
    the other ("ovh" and "ovh groupe": a list often adds or drops a word)."""
    if not first or not second:
        return False
    if first == second:
        return True
    one, other = set(first.split()), set(second.split())
    return one <= other or other <= one


@dataclass(frozen=True)
class ListedHost:
    """One row of the imported list."""

    line: int  # the row of the file
    name: str
    siren: str  # normalised: nine digits or ""
    certificate_number: str
    activities: frozenset[int]
    valid_from: date | None
    valid_until: date | None
    certification_body: str = ""

    @property
    def name_key(self) -> str:
        return normalise_name(self.name)

    @property
    def activity_list(self) -> list[int]:
        return sorted(self.activities)

    def valid_on(self, day: date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class SubcontractorFacts:
    name: str
    siren: str  # as recorded; normalised here
    activities: frozenset[int]  # the HDS activities the host relies on it for


class Verdict(StrEnum):
    CONSISTENT = "consistent"
    NOT_LISTED = "not_listed"
    ACTIVITIES_NOT_COVERED = "activities_not_covered"
    NOT_VALID = "not_valid"
    SIREN_MISMATCH = "siren_mismatch"


@dataclass(frozen=True)
class HostCheck:
    verdict: Verdict
    entries: tuple[ListedHost, ...] = ()  # the rows of the list it was matched to
    missing: frozenset[int] = frozenset()  # activities relied on, not covered on the day
    matched_by: str = ""  # "siren" or "name"
    listed_siren: str = ""  # on a SIREN mismatch: what the list says
    listed_name: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.CONSISTENT

    @property
    def missing_sorted(self) -> list[int]:
        return sorted(self.missing)

    @property
    def last_valid_until(self) -> date | None:
        ends = [entry.valid_until for entry in self.entries if entry.valid_until]
        return max(ends, default=None)

    @property
    def first_valid_from(self) -> date | None:
        starts = [entry.valid_from for entry in self.entries if entry.valid_from]
        return min(starts, default=None)


@dataclass
class HostIndex:
    """The list's rows by SIREN and by normalised name."""

    by_siren: dict[str, list[ListedHost]] = field(default_factory=dict)
    by_name: dict[str, list[ListedHost]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[ListedHost]) -> HostIndex:
        index = cls()
        for entry in entries:
            if entry.siren:
                index.by_siren.setdefault(entry.siren, []).append(entry)
            if entry.name_key:
                index.by_name.setdefault(entry.name_key, []).append(entry)
        return index


def check_subcontractor(
    subcontractor: SubcontractorFacts, index: HostIndex, *, on: date
) -> HostCheck:
    """The subcontractor against the list on the day `on`. The worst finding wins: a SIREN that
    the list gives to another name, then no row valid on the day, then activities not covered."""
    siren = normalise_siren(subcontractor.siren)
    name_key = normalise_name(subcontractor.name)
    by_siren = index.by_siren.get(siren, []) if siren else []
    if by_siren:
        if not any(names_agree(name_key, entry.name_key) for entry in by_siren):
            return HostCheck(
                Verdict.SIREN_MISMATCH,
                entries=tuple(by_siren),
                matched_by="siren",
                listed_siren=siren,
                listed_name=by_siren[0].name,
            )
        return _judge(subcontractor, by_siren, on=on, matched_by="siren")
    by_name = index.by_name.get(name_key, []) if name_key else []
    if not by_name:
        return HostCheck(Verdict.NOT_LISTED)
    listed_sirens = {entry.siren for entry in by_name if entry.siren}
    if siren and listed_sirens and siren not in listed_sirens:
        return HostCheck(
            Verdict.SIREN_MISMATCH,
            entries=tuple(by_name),
            matched_by="name",
            listed_siren=sorted(listed_sirens)[0],
            listed_name=by_name[0].name,
        )
    return _judge(subcontractor, by_name, on=on, matched_by="name")


def _judge(
    subcontractor: SubcontractorFacts, entries: Sequence[ListedHost], *, on: date, matched_by: str
) -> HostCheck:
    valid = [entry for entry in entries if entry.valid_on(on)]
    if not valid:
        return HostCheck(Verdict.NOT_VALID, entries=tuple(entries), matched_by=matched_by)
    covered = frozenset().union(*(entry.activities for entry in valid))
    missing = subcontractor.activities - covered
    verdict = Verdict.ACTIVITIES_NOT_COVERED if missing else Verdict.CONSISTENT
    return HostCheck(verdict, entries=tuple(valid), missing=missing, matched_by=matched_by)


def check_subcontractors(
    subcontractors: Mapping[int, SubcontractorFacts], entries: Iterable[ListedHost], *, on: date
) -> dict[int, HostCheck]:
    """Every subcontractor (by key) against the list's rows."""
    index = HostIndex.of(entries)
    return {key: check_subcontractor(facts, index, on=on) for key, facts in subcontractors.items()}


def _numbers(activities: Iterable[int]) -> str:
    return ", ".join(str(number) for number in sorted(activities))


def _day(day: date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def explanation(check: HostCheck, subcontractor: SubcontractorFacts, *, on: date) -> str:
    """What the check found, in a sentence for the chain page and the API."""
    if check.verdict == Verdict.NOT_LISTED:
        return gettext("Not in the list: no row has its SIREN or its name.")
    if check.verdict == Verdict.SIREN_MISMATCH:
        if check.matched_by == "siren":
            return gettext(
                "The list gives the SIREN %(siren)s to “%(listed)s”, not to “%(name)s”: "
                "check the SIREN recorded here."
            ) % {
                "siren": check.listed_siren,
                "listed": check.listed_name,
                "name": subcontractor.name,
            }
        return gettext(
            "Listed as “%(listed)s” with the SIREN %(listed_siren)s, recorded here with "
            "the SIREN %(siren)s."
        ) % {
            "listed": check.listed_name,
            "listed_siren": check.listed_siren,
            "siren": normalise_siren(subcontractor.siren) or subcontractor.siren,
        }
    if check.verdict == Verdict.NOT_VALID:
        return gettext("Listed, but not valid on %(day)s: valid from %(start)s until %(end)s.") % {
            "day": _day(on),
            "start": _day(check.first_valid_from),
            "end": _day(check.last_valid_until),
        }
    covered = frozenset().union(*(entry.activities for entry in check.entries))
    if check.verdict == Verdict.ACTIVITIES_NOT_COVERED:
        return ngettext(
            "Listed, but activity %(missing)s relied on is not covered (the list gives: "
            "%(covered)s).",
            "Listed, but activities %(missing)s relied on are not covered (the list gives: "
            "%(covered)s).",
            len(check.missing),
        ) % {"missing": _numbers(check.missing), "covered": _numbers(covered) or "—"}
    return gettext("Listed and consistent: activities %(covered)s, valid until %(end)s.") % {
        "covered": _numbers(covered) or "—",
        "end": _day(check.last_valid_until),
    }
