"""The audit programme of a certification cycle, as pure rules (no ORM, no clock).

ISO/IEC 17021-1:2015, which the HDS certification bodies follow (/work/shared/DOMAIN.md, "The
certification cycle", item 8):
- the initial audit (clause 9.3) and the renewal (recertification) audit (clause 9.6.3) cover
  the whole management system in scope;
- a surveillance audit (clause 9.6.2) need not cover the whole system, but the programme covers
  every requirement in scope over the cycle (clause 9.1.3): here, the surveillance audits
  between a full audit and the renewal audit, together, cover every applicable requirement, so
  none waits for the renewal to be audited again;
- every surveillance audit covers the topics of clause 9.6.2.2 (a to h), MANDATORY_TOPICS below,
  each mapped to the HDS v2 requirements and ISO/IEC 27001:2022 clauses it stands for.

A requirement is named by a key "<framework code>:<reference>" ("hds:EXI 16",
"iso27001:9.2.1"), the same for every organisation (the built-in catalogs, scopes/catalog/).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Where the list of mandatory topics comes from.
SOURCE = "ISO/IEC 17021-1:2015, 9.6.2.2"


def requirement_key(framework_code: str, ref_id: str) -> str:
    return f"{framework_code}:{ref_id}"


@dataclass(frozen=True)
class MandatoryTopic:
    """A topic of every surveillance audit and the requirements that stand for it."""

    code: str
    label: Promise
    source: str  # the clause of ISO/IEC 17021-1 that names it
    requirements: tuple[str, ...]  # requirement keys
    why: Promise  # why these requirements stand for the topic


MANDATORY_TOPICS: tuple[MandatoryTopic, ...] = (
    MandatoryTopic(
        "internal_audits_review",
        _("Internal audits and management review"),
        f"{SOURCE} a)",
        (
            "iso27001:9.2.1",
            "iso27001:9.2.2",
            "iso27001:9.3.1",
            "iso27001:9.3.2",
            "iso27001:9.3.3",
            "hds:EXI 16",
        ),
        _(
            "ISO/IEC 27001 9.2 (internal audit) and 9.3 (management review); HDS v2 EXI 16 "
            "adds HDS conformity and the audit of staff access traces to the internal audits."
        ),
    ),
    MandatoryTopic(
        "previous_nonconformities",
        _("Actions taken on the non-conformities of the previous audit"),
        f"{SOURCE} b)",
        ("iso27001:10.2",),
        _("ISO/IEC 27001 10.2: nonconformity and corrective action."),
    ),
    MandatoryTopic(
        "complaints",
        _("Complaints"),
        f"{SOURCE} c)",
        ("iso27001:9.3.2", "hds:EXI 07"),
        _(
            "Feedback from interested parties is an input of the management review "
            "(ISO/IEC 27001 9.3.2); clients reach the host through the interfaces and first-level "
            "support of HDS v2 EXI 07."
        ),
    ),
    MandatoryTopic(
        "effectiveness",
        _("Effectiveness of the system against its objectives"),
        f"{SOURCE} d)",
        ("iso27001:6.2", "iso27001:9.1", "hds:EXI 09"),
        _(
            "ISO/IEC 27001 6.2 (objectives) and 9.1 (monitoring, measurement); HDS v2 EXI 09: "
            "the objectives include health-data protection."
        ),
    ),
    MandatoryTopic(
        "continual_improvement",
        _("Progress of continual improvement"),
        f"{SOURCE} e)",
        ("iso27001:10.1",),
        _("ISO/IEC 27001 10.1: continual improvement."),
    ),
    MandatoryTopic(
        "operational_control",
        _("Continuing operational control"),
        f"{SOURCE} f)",
        ("iso27001:8.1",),
        _("ISO/IEC 27001 8.1: operational planning and control."),
    ),
    MandatoryTopic(
        "changes",
        _("Changes to the system"),
        f"{SOURCE} g)",
        ("iso27001:6.3", "iso27001:A.8.32"),
        _("ISO/IEC 27001 6.3 (planning of changes) and Annex A 8.32 (change management)."),
    ),
    MandatoryTopic(
        "certificate_use",
        _("Use of the certificate and its marks"),
        f"{SOURCE} h)",
        ("hds:EXI 12", "hds:EXI 17"),
        _(
            "HDS v2 EXI 12 (the certificate given to clients) and EXI 17 (its scope and dates "
            "stated in client contracts)."
        ),
    ),
)

MANDATORY_KEYS: frozenset[str] = frozenset(
    key for topic in MANDATORY_TOPICS for key in topic.requirements
)


def topics_of(key: str) -> list[MandatoryTopic]:
    """The mandatory topics a requirement stands for (none for most)."""
    return [topic for topic in MANDATORY_TOPICS if key in topic.requirements]


def propose_rotation(*, applicable: Sequence[str], surveillance_count: int) -> list[frozenset[str]]:
    """The requirements of each of `surveillance_count` surveillance audits before a renewal.

    Deterministic: the applicable requirements in the order given (the catalog's), the mandatory
    ones in every audit, the others dealt in turn, so each audit gets as many as the others,
    give or take one, and each chapter is shared out the same way. Together they cover every
    applicable requirement."""
    if surveillance_count <= 0:
        return []
    mandatory = [key for key in applicable if key in MANDATORY_KEYS]
    others = [key for key in dict.fromkeys(applicable) if key not in MANDATORY_KEYS]
    audits: list[set[str]] = [set(mandatory) for _ in range(surveillance_count)]
    for position, key in enumerate(others):
        audits[position % surveillance_count].add(key)
    return [frozenset(audit) for audit in audits]


@dataclass(frozen=True)
class Gaps:
    """What a programme of surveillance audits misses before the renewal."""

    # Applicable requirements no surveillance audit covers: audited again only at renewal.
    never: tuple[str, ...]
    # For each surveillance audit (by position), the mandatory requirements it leaves out.
    mandatory_missing: tuple[tuple[str, ...], ...]

    @property
    def any(self) -> bool:
        return bool(self.never) or any(self.mandatory_missing)


def programme_gaps(*, applicable: Sequence[str], surveillance: Sequence[Iterable[str]]) -> Gaps:
    """The gaps of the surveillance audits' programmes against the applicable requirements (in
    their order). With no surveillance audit planned there is nothing to warn about yet."""
    if not surveillance:
        return Gaps((), ())
    covered_by = [frozenset(audit) for audit in surveillance]
    covered = frozenset().union(*covered_by)
    mandatory = [key for key in applicable if key in MANDATORY_KEYS]
    return Gaps(
        never=tuple(key for key in dict.fromkeys(applicable) if key not in covered),
        mandatory_missing=tuple(
            tuple(key for key in mandatory if key not in audit) for audit in covered_by
        ),
    )


@dataclass(frozen=True)
class ProgrammeFacts:
    """What a planned audit covers, as reminders and the calendar feed say it (worded when
    read, in the reader's language)."""

    full: bool  # an initial or renewal audit: every applicable requirement
    refs: tuple[str, ...] = ()  # a surveillance audit's requirements, in catalog order

    def summary(self) -> str:
        if self.full:
            return str(_("Programme: every applicable requirement."))
        if not self.refs:
            return str(_("Programme: not planned yet."))
        return ngettext(
            "Programme: %(count)d requirement (%(refs)s).",
            "Programme: %(count)d requirements (%(refs)s).",
            len(self.refs),
        ) % {"count": len(self.refs), "refs": ", ".join(self.refs)}

    def short(self) -> str:
        if self.full or not self.refs:
            return self.summary()
        return ngettext(
            "Programme: %(count)d requirement.",
            "Programme: %(count)d requirements.",
            len(self.refs),
        ) % {"count": len(self.refs)}
