"""What a dossier contains: its render units, each a template and plain JSON data.

A unit starts on a page of its own and is identified by the SHA-256 of its template, its data,
its language and the PDF templates' own digest, so the same content is laid out once and reused
(the findings chapter that did not change, the manifest of an unchanged evidence register).
Everything here is read inside one organisation that the caller was allowed to print; values are
formatted for print in the dossier's language while the plan is built.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import deadlines
from audits.deadline_kinds import DEADLINE_KINDS, deadline_rows
from audits.delta import CHANGE_LABELS, Change
from audits.models import (
    Audit,
    AuditStatus,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    Stage,
    finding_numbers,
)
from audits.selectors.carryover import RECEIVING_KINDS, carried_over_findings
from audits.selectors.delta import change_rows, delta_counts, delta_of, delta_recent
from audits.timeline import cycle_timeline
from contracts.clauses import CLAUSES, HEALTH_PROFESSIONAL_REF, INCIDENT_REFERENT_REF
from contracts.models import ClauseState
from contracts.selectors import ClauseLine, register_on
from dossiers.models import DossierKind
from dossiers.typography import french
from evidence.models import EvidenceItem, EvidenceStatus, EvidenceVersion
from guarantees.display import guarantees_view
from guarantees.selectors import latest_publication_of
from hdsready.dates import date_format
from hdsready.models import Organisation, User
from scopes.activities import ACTIVITIES, activity_labels, certificate_types_for
from scopes.models import ActivityMode, ImplementationStatus, ReadinessStatus, Requirement
from scopes.selectors import (
    HDS_CODE,
    builtin_framework,
    hosting_chain_of,
    iso_check_of,
    readiness_rows,
    scope_of,
    soa_controls,
    subcontractors_of,
)
from sovereignty.countries import EEA_AS_OF, EEA_SOURCE
from sovereignty.selectors import register_facts

# Bump when the way units are laid out changes outside the templates (e.g. the renderer).
RENDERER_VERSION = "1"
PDF_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "pdf"
DASH = " \u2013 "  # an en dash between the dates of a period


@cache
def templates_digest() -> str:
    """The SHA-256 of every PDF template and the print stylesheet: editing one of them makes
    every unit new, so no dossier mixes old and new layouts."""
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    for path in sorted(PDF_TEMPLATES.glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def catalog_digest(language: str) -> str:
    """The SHA-256 of the language's compiled messages: a corrected translation makes new units."""
    catalog = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo"
    return hashlib.sha256(catalog.read_bytes() if catalog.exists() else b"").hexdigest()


@dataclass(frozen=True)
class UnitSpec:
    template: str
    context: dict[str, Any]
    # A rough cost (rows, paragraphs) to share units fairly between rendering processes.
    weight: int = 1

    def content_hash(self, *, language: str) -> str:
        payload = json.dumps(
            {
                "templates": templates_digest(),
                "catalog": catalog_digest(language),
                "template": self.template,
                "language": language,
                "context": self.context,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class DossierPlan:
    title: str
    subtitle: str
    units: list[UnitSpec] = field(default_factory=list)


def _day(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _moment(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _short_moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _person(user: User | None) -> str:
    return str(user) if user else ""  # the full name, else the e-mail address


def _version(version: EvidenceVersion) -> dict[str, Any]:
    return {
        "item": version.item.title,
        "number": version.number,
        "file": version.original_name,
        "size": filesizeformat(version.size),
        "sha256": version.sha256,
        "uploaded_at": _short_moment(version.uploaded_at),
    }


def _requirement(requirement: Requirement | None) -> dict[str, str]:
    if requirement is None:
        return {"ref": "", "name": ""}
    return {"ref": requirement.ref_id, "name": requirement.name}


# Sections shared by the stage 1 and full dossiers -------------------------------------------


def _organisation_units(organisation: Organisation) -> list[UnitSpec]:
    scope = {row.activity: row for row in scope_of(organisation=organisation)}
    activities = []
    for activity in ACTIVITIES:
        row = scope.get(activity.number)
        if row is None:
            mode = _("Not in scope")
        elif row.mode == ActivityMode.SUBCONTRACTED:
            name = row.subcontractor.name if row.subcontractor else ""
            mode = _("Relied on a subcontractor: %(name)s") % {"name": name}
        else:
            mode = _("In-house")
        activities.append(
            {
                "number": activity.number,
                "wording": activity.label,
                "mode": mode,
                "in_scope": row is not None,
            }
        )
    types = certificate_types_for(scope)
    return [
        UnitSpec(
            "pdf/section_organisation.html",
            {
                "organisation": organisation.name,
                "activities": activities,
                "certificate_types": [t.label for t in types],
            },
            weight=10,
        )
    ]


def _chain_units(organisation: Organisation, today: date) -> list[UnitSpec]:
    lines = [
        {
            "number": line.activity.number,
            "cover": str(line.cover),
            "performer": (
                line.performer.subcontractor or organisation.name if line.performer else ""
            ),
            "certificate": line.certificate.number if line.certificate else "",
            "expires_on": _day(line.certificate.expires_on) if line.certificate else "",
            "days_left": line.days_left,
        }
        for line in hosting_chain_of(organisation=organisation, on=today)
    ]
    subcontractors = [
        {
            "name": subcontractor.name,
            "siren": subcontractor.siren,
            "certificates": [
                {
                    "kind": certificate.get_kind_display(),
                    "number": certificate.number,
                    "body": certificate.certification_body,
                    "activities": ", ".join(str(n) for n in sorted(certificate.activities)),
                    "issued_on": _day(certificate.issued_on),
                    "expires_on": _day(certificate.expires_on),
                    "valid": certificate.is_valid_on(today),
                }
                for certificate in subcontractor.certificates.all()
            ],
        }
        for subcontractor in subcontractors_of(organisation=organisation).order_by("name")
    ]
    return [
        UnitSpec(
            "pdf/section_chain.html",
            {"as_of": _day(today), "lines": lines, "subcontractors": subcontractors},
            weight=10 + 2 * len(subcontractors),
        )
    ]


ISO_STANDARD = "ISO/IEC 27001"


def iso_edition(standard_version: str) -> str:
    """The edition as printed: the certificate form takes "ISO/IEC 27001:2022" (its example) as
    well as a bare "2022", and the standard is named once either way."""
    edition = standard_version.strip()
    if edition.upper().startswith("ISO"):
        return edition
    return f"{ISO_STANDARD}:{edition}"


def _iso_units(organisation: Organisation, today: date) -> list[UnitSpec]:
    iso, check = iso_check_of(organisation=organisation, today=today)
    certificate = (
        {
            "number": iso.number,
            "body": iso.certification_body,
            "edition": iso_edition(iso.standard_version),
            "activities": ", ".join(str(n) for n in sorted(iso.activities)),
            "issued_on": _day(iso.issued_on),
            "expires_on": _day(iso.expires_on),
        }
        if iso
        else None
    )
    return [
        UnitSpec(
            "pdf/section_iso.html",
            {
                "as_of": _day(today),
                "certificate": certificate,
                "flags": [str(flag) for flag in check.flags],
                "activities_outside": ", ".join(str(n) for n in check.activities_outside),
            },
            weight=5,
        )
    ]


def _soa_units(organisation: Organisation) -> list[UnitSpec]:
    lines = []
    applicable = implemented = 0
    for control, entry in soa_controls(organisation=organisation):
        is_applicable = entry.applicable if entry else True
        implementation = entry.implementation if entry else ImplementationStatus.NOT_STARTED
        applicable += is_applicable
        implemented += is_applicable and implementation == ImplementationStatus.IMPLEMENTED
        lines.append(
            {
                "ref": control.ref_id,
                "title": control.name,  # in the dossier's language (translation.override)
                "applicable": is_applicable,
                "justification": entry.justification if entry else "",
                "implementation": str(ImplementationStatus(implementation).label),
                "owner": _person(entry.owner) if entry else "",
                "notes": entry.notes if entry else "",
            }
        )
    return [
        UnitSpec(
            "pdf/section_soa.html",
            {
                "lines": lines,
                "total": len(lines),
                "applicable": applicable,
                "not_applicable": len(lines) - applicable,
                "implemented": implemented,
            },
            weight=len(lines) * 2,
        )
    ]


def _readiness_units(organisation: Organisation) -> list[UnitSpec]:
    framework = builtin_framework(code=HDS_CODE)
    chapters: dict[str, dict[str, Any]] = {}
    for requirement, entry, applies in readiness_rows(
        organisation=organisation, framework=framework
    ):
        parent = requirement.parent
        key = parent.ref_id if parent else ""
        chapter = chapters.setdefault(
            key, {"title": parent.name if parent else _("Requirements"), "rows": []}
        )
        status = entry.status if entry else ReadinessStatus.NOT_ASSESSED
        chapter["rows"].append(
            {
                "ref": requirement.ref_id,
                "name": requirement.name,
                "applies": applies,
                "status": str(ReadinessStatus(status).label) if applies else _("Not applicable"),
                "status_key": str(status) if applies else "not_applicable",
                "owner": _person(entry.owner) if entry else "",
                "target_date": _day(entry.target_date) if entry else "",
                "justification": entry.justification if entry else "",
                "notes": entry.notes if entry else "",
            }
        )
    rows = sum(len(chapter["rows"]) for chapter in chapters.values())
    return [
        UnitSpec(
            "pdf/section_readiness.html",
            {"framework": framework.name, "chapters": list(chapters.values())},
            weight=rows * 2,
        )
    ]


# Client contracts (HDS v2 chapter 6, EXI 17-27; contacts EXI 11 and 20) -----------------------

# Contracts per unit after the first (the gaps and the contacts): a long register is laid out in
# several units that share the worker processes, and a changed contract lays out its part again.
CONTRACTS_PER_UNIT = 30


def _clause_row(line: ClauseLine) -> dict[str, str]:
    answer = line.effective
    if line.own is not None:
        source = _("Own answer")
    elif line.inherited is not None:
        source = _("From the template")
    else:
        source = ""
    return {
        "ref": line.clause.ref_id,
        "label": str(line.clause.label),
        "state_key": line.state or "unanswered",
        "state": str(ClauseState(line.state).label) if line.state else _("Not answered"),
        "source": source,
        "reference": answer.reference if answer else "",
    }


def _contracts_units(organisation: Organisation, today: date) -> list[UnitSpec]:
    """The register of client contracts as of the dossier's day: the gaps per clause, the
    clients' designated health professional and incident referent, then every contract in
    force with its eleven clauses (own answer, else its template's). A fixed number of
    queries (contracts.selectors.register_on), whatever the size of the register."""
    register = register_on(organisation=organisation, on=today)
    gaps: list[dict[str, Any]] = [
        {
            "ref": clause.ref_id,
            "label": str(clause.label),
            "present": 0,
            "missing": 0,
            "not_applicable": 0,
            "unanswered": 0,
            "without": [],
        }
        for clause in CLAUSES
    ]
    contracts: list[dict[str, Any]] = []
    for entry in register.contracts:
        contract = entry.contract
        for position, line in enumerate(entry.lines):
            gaps[position][line.state or "unanswered"] += 1
            if line.state in (None, ClauseState.MISSING):
                gaps[position]["without"].append(str(contract))
        contracts.append(
            {
                "title": contract.title,
                "client": contract.client.name if contract.client else "",
                "template": contract.template.title if contract.template else "",
                "activities": contract.activity_labels,
                "start_on": _day(contract.start_on),
                "end_on": _day(contract.end_on),
                "gaps": len(entry.gaps),
                "clauses": [_clause_row(line) for line in entry.lines],
            }
        )
    clients: list[dict[str, Any]] = [
        {
            "name": row.client.name,
            "siren": row.client.siren,
            "contacts": [
                {
                    "name": contact.name,
                    "function": contact.function,
                    "email": contact.email,
                    "phone": contact.phone,
                    "health_professional": contact.health_professional,
                    "incident_referent": contact.incident_referent,
                }
                for contact in row.contacts
            ],
            "without_health_professional": not row.has_health_professional,
            "without_incident_referent": not row.has_incident_referent,
        }
        for row in register.clients
    ]
    units = [
        UnitSpec(
            "pdf/section_contracts.html",
            {
                "part": "summary",
                "as_of": _day(today),
                "in_force": len(contracts),
                "gaps": gaps,
                "clients": clients,
                "health_professional_ref": HEALTH_PROFESSIONAL_REF,
                "incident_referent_ref": INCIDENT_REFERENT_REF,
                "clients_without_health_professional": sum(
                    1 for c in clients if c["without_health_professional"]
                ),
                "clients_without_incident_referent": sum(
                    1 for c in clients if c["without_incident_referent"]
                ),
            },
            weight=10 + len(clients) + sum(len(c["contacts"]) for c in clients),
        )
    ]
    for start in range(0, len(contracts), CONTRACTS_PER_UNIT):
        chunk = contracts[start : start + CONTRACTS_PER_UNIT]
        units.append(
            UnitSpec(
                "pdf/section_contracts.html",
                {
                    "part": "contracts",
                    "as_of": _day(today),
                    "continued": start > 0,
                    "contracts": chunk,
                },
                weight=sum(14 for _contract in chunk),
            )
        )
    return units


# Sovereignty register (HDS v2 chapter 7, EXI 28-30) -------------------------------------------


def _sovereignty_units(organisation: Organisation, today: date) -> list[UnitSpec]:
    """The sovereignty register as it stands when the dossier is made: where the health data is
    stored (EXI 28), every remote access with its legal basis (EXI 29), the non-EU laws the host
    or its providers are exposed to (EXI 30), and the source of the country data the flags rest
    on. Three queries (sovereignty.selectors.register_facts), whatever the register's size."""
    facts = register_facts(organisation=organisation)
    storage = [
        {
            "country": row.country,
            "country_name": row.country_name,
            "in_eea": row.in_eea,
            "site": row.site,
            "provider": row.provider,
            "activities": activity_labels(sorted(row.activities)),
            "data_stored": row.data_stored,
            "secnumcloud": row.secnumcloud,
            "secnumcloud_reference": row.secnumcloud_reference,
            "secnumcloud_on": _day(row.secnumcloud_on),
        }
        for row in facts.storage
    ]
    accesses = [
        {
            "country": row.country,
            "country_name": row.country_name,
            "in_eea": row.in_eea,
            "basis": row.basis_label,
            "safeguard": row.safeguard,
            "actors": row.actors,
            "purpose": row.purpose,
            "flagged": row.flagged,
        }
        for row in facts.remote_accesses
    ]
    exposures = [
        {
            "law": row.law,
            "jurisdiction": row.jurisdiction_name,
            "actor": row.actor,
            "mitigations": row.mitigations,
            "residual_risk_key": row.residual_risk,
            "residual_risk": row.residual_risk_label,
            "justification": row.justification,
            "flagged": row.flagged,
        }
        for row in facts.law_exposures
    ]
    return [
        UnitSpec(
            "pdf/section_sovereignty.html",
            {
                "as_of": _day(today),
                "storage": storage,
                "storage_outside_eea": sum(1 for row in storage if not row["in_eea"]),
                "accesses": accesses,
                "accesses_flagged": sum(1 for row in accesses if row["flagged"]),
                "exposures": exposures,
                "exposures_flagged": sum(1 for row in exposures if row["flagged"]),
                "eea_source": EEA_SOURCE,
                "eea_as_of": _day(EEA_AS_OF),
                "adequacy_source": facts.adequacy_source,
                "adequacy_as_of": _day(facts.adequacy_as_of),
            },
            weight=6 + 2 * (len(storage) + len(accesses) + len(exposures)),
        )
    ]


# Public guarantees page (HDS v2 chapter 8 and EXI 31) ------------------------------------------


def _guarantees_units(organisation: Organisation) -> list[UnitSpec]:
    """The latest published version of the public guarantees page, read from its frozen
    snapshot (guarantees.display, the public page's own reading), never from the live
    registers: the dossier shows what the host has told the public. Two queries (the latest
    publication, its publisher), whatever the size of the snapshot."""
    publication = latest_publication_of(organisation=organisation)
    if publication is None:
        return [UnitSpec("pdf/section_guarantees.html", {"published": False})]
    view = guarantees_view(publication.snapshot)
    actors = [
        {
            "name": actor.name,
            "role": actor.role,
            "activities": [
                {"label": f"{a.number}. {a.label}", "uncovered": a.number in actor.uncovered}
                for a in actor.activities
            ],
            "part_of_service": actor.part_of_service,
            "certificates": [
                {
                    "kind": c.kind,
                    "number": c.number,
                    "standard": c.standard,
                    "body": c.body,
                    "accreditation": c.accreditation,
                    "activities": ", ".join(str(n) for n in c.activities),
                    "issued_on": _day(c.issued_on),
                    "expires_on": _day(c.expires_on),
                }
                for c in actor.certificates
            ],
        }
        for actor in view.actors
    ]
    return [
        UnitSpec(
            "pdf/section_guarantees.html",
            {
                "published": True,
                "number": publication.number,
                "published_at": _day(timezone.localtime(publication.published_at).date()),
                "published_by": _person(publication.published_by),
                "facts_as_of": _day(view.as_of),
                "host": view.host_name,
                "actors": actors,
                "recorded": view.recorded,
                "statement": view.statement,
                # The mandatory wording is French whatever the dossier's language.
                "statement_quoted": french(f"« {view.statement_fr} »"),
                "storage": [
                    {
                        "country": row.country,
                        "in_eea": row.in_eea,
                        "provider": row.provider,
                        "activities": ", ".join(str(n) for n in row.activities),
                        "secnumcloud": row.secnumcloud,
                        "secnumcloud_reference": row.secnumcloud_reference,
                    }
                    for row in view.storage
                ],
                "accesses": [
                    {
                        "country": row.country,
                        "basis": row.basis,
                        "safeguard": row.safeguard,
                        "actors": row.actors,
                        "purpose": row.purpose,
                    }
                    for row in view.remote_accesses
                ],
                "exposures": [
                    {
                        "law": row.law,
                        "country": row.country,
                        "actor": row.actor,
                        "mitigations": row.mitigations,
                        "residual_risk": row.residual_risk,
                    }
                    for row in view.law_exposures
                ],
            },
            weight=6
            + sum(2 + len(a["certificates"]) for a in actors)
            + len(view.storage)
            + len(view.remote_accesses)
            + len(view.law_exposures),
        )
    ]


# Audit sections --------------------------------------------------------------------------------


def _stage1_versions(audit: Audit) -> tuple[bool, list[dict[str, Any]]]:
    """The stage 1 evidence index: the frozen versions once documents were submitted, before
    that the latest version of every active item linked to an HDS requirement."""
    frozen = audit.stage1_submitted_at is not None
    rows: list[dict[str, Any]] = []
    if frozen:
        pins = (
            PinnedVersion.objects.filter(audit=audit, stage=Stage.DOCUMENTARY)
            .select_related("requirement", "version__item")
            .order_by("requirement__order", "version__item__title", "version__number")
        )
        for pin in pins:
            rows.append({"requirement": pin.requirement.ref_id, **_version(pin.version)})
        return True, rows
    framework = builtin_framework(code=HDS_CODE)
    items = (
        EvidenceItem.objects.filter(
            organisation=audit.cycle.organisation, status=EvidenceStatus.ACTIVE
        )
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.filter(framework=framework).order_by("order"),
            ),
            Prefetch("versions", queryset=EvidenceVersion.objects.order_by("-number")),
        )
        .order_by("title")
    )
    by_requirement: list[tuple[int, dict[str, Any]]] = []
    for item in items:
        versions = list(item.versions.all())
        if not versions:
            continue
        for requirement in item.requirements.all():
            by_requirement.append(
                (requirement.order, {"requirement": requirement.ref_id, **_version(versions[0])})
            )
    by_requirement.sort(key=lambda pair: (pair[0], pair[1]["item"]))
    return False, [row for _order, row in by_requirement]


def _stage1_units(audit: Audit, label: str) -> list[UnitSpec]:
    frozen, rows = _stage1_versions(audit)
    return [
        UnitSpec(
            "pdf/section_stage1_evidence.html",
            {
                "audit": label,
                "frozen": frozen,
                "submitted_at": _moment(audit.stage1_submitted_at),
                "stage1_start": _day(audit.stage1_start),
                "stage1_end": _day(audit.stage1_end),
                "rows": rows,
            },
            weight=len(rows) + 5,
        )
    ]


def _carried_over_units(audit: Audit, label: str) -> list[UnitSpec]:
    """The findings of earlier audits carried over to this one (audits/selectors/carryover.py),
    with their history, for the auditor to check: only on a surveillance or renewal audit."""
    if audit.kind not in RECEIVING_KINDS:
        return []
    rows = [
        {
            "kind": finding.get_kind_display(),
            "from": finding.audit.label,
            "requirement": finding.requirement.ref_id,
            "description": finding.description,
            "raised_at": _moment(finding.raised_at),
            "raised_by": _person(finding.raised_by),
            "correction": finding.correction,
            "action_plan": finding.action_plan,
            "due_on": _day(finding.action_plan_due_on),
            "verified_at": _moment(finding.verified_at),
            "verified_by": _person(finding.verified_by),
            "checks": [
                {
                    "outcome": check.get_outcome_display(),
                    "at": _moment(check.checked_at),
                    "by": _person(check.checked_by),
                    "audit": check.audit.label,
                    "comment": check.comment,
                }
                for check in finding.carryover_checks.all()
            ],
        }
        for finding in carried_over_findings(audit=audit)
    ]
    return [
        UnitSpec(
            "pdf/section_carried_over.html",
            {"audit": label, "rows": rows},
            weight=3 * len(rows) + 5,
        )
    ]


def _stage2_units(audit: Audit, label: str) -> list[UnitSpec]:
    reviews = [
        {
            "requirement": review.pinned.requirement.ref_id,
            "stage": review.pinned.stage,
            "item": review.pinned.version.item.title,
            "number": review.pinned.version.number,
            "decision": review.get_decision_display(),
            "decision_key": review.decision,
            "comment": review.comment,
            "reviewer": _person(review.reviewer),
            "reviewed_at": _moment(review.reviewed_at),
            "answer": review.answer,
        }
        for review in EvidenceReview.objects.filter(audit=audit)
        .select_related("pinned__requirement", "pinned__version__item", "reviewer")
        .order_by("pinned__requirement__order", "reviewed_at", "pk")
    ]
    return [
        UnitSpec(
            "pdf/section_stage2.html",
            {
                "audit": label,
                "status": audit.get_status_display(),
                "stage1_start": _day(audit.stage1_start),
                "stage1_end": _day(audit.stage1_end),
                "stage1_outcome": audit.stage1_outcome,
                "stage2_start": _day(audit.stage2_start),
                "stage2_end": _day(audit.stage2_end),
                "sites": audit.stage2_sites,
                "outcome": audit.stage2_outcome,
                "reviews": reviews,
            },
            weight=len(reviews) * 2 + 5,
        )
    ]


def _findings(audit: Audit) -> list[Finding]:
    return list(
        Finding.objects.filter(audit=audit)
        .select_related(
            "requirement",
            "evidence__item",
            "correction_evidence__item",
            "owner",
            "raised_by",
            "verified_by",
            "verification_letter__item",
        )
        .order_by("requirement__order", "raised_at", "pk")
    )


def _finding_row(finding: Finding, number: str) -> dict[str, Any]:
    return {
        "number": number,
        "kind": finding.get_kind_display(),
        "kind_key": finding.kind,
        "stage": finding.get_stage_display(),
        "requirement": _requirement(finding.requirement),
        "description": finding.description,
        "status": finding.get_status_display(),
        "status_key": finding.status,
        "raised_by": _person(finding.raised_by),
        "raised_at": _moment(finding.raised_at),
        "evidence": _version(finding.evidence) if finding.evidence else None,
    }


def _findings_units(audit: Audit, label: str, findings: list[Finding]) -> list[UnitSpec]:
    """A summary, then one unit per chapter of the référentiel: changing one finding lays out
    again only its chapter's pages."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    chapters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    chapter_titles: dict[str, str] = {}
    parents = {
        node.pk: node
        for node in Requirement.objects.filter(
            pk__in={f.requirement.parent_id for f in findings if f.requirement.parent_id}
        )
    }
    numbers = finding_numbers(findings)
    for finding in findings:
        number = numbers[finding.pk]
        counts[finding.kind][finding.status] += 1
        parent = parents.get(finding.requirement.parent_id or 0)
        key = parent.ref_id if parent else ""
        chapter_titles[key] = parent.name if parent else _("Other requirements")
        chapters[key].append(_finding_row(finding, number))
    summary = [
        {
            "kind": str(FindingKind(kind).label),
            "total": sum(counts[kind].values()),
            "open": counts[kind][FindingStatus.OPEN],
            "submitted": counts[kind][FindingStatus.CORRECTION_SUBMITTED],
            "verified": counts[kind][FindingStatus.VERIFIED],
            "noted": counts[kind][FindingStatus.NOTED],
        }
        for kind in FindingKind.values
    ]
    units = [
        UnitSpec(
            "pdf/section_findings.html",
            {"audit": label, "summary": summary, "total": len(findings)},
            weight=5,
        )
    ]
    for key, rows in chapters.items():
        units.append(
            UnitSpec(
                "pdf/section_findings_chapter.html",
                {"audit": label, "chapter": chapter_titles[key], "rows": rows},
                weight=sum(2 + len(row["description"]) // 200 for row in rows),
            )
        )
    return units


def _corrections_units(audit: Audit, label: str, findings: list[Finding]) -> list[UnitSpec]:
    """The correction window, then one sheet per non-conformity (fiche d'écart), numbered
    apart from the observations (NC 1, NC 2, ...)."""
    nonconformities = [f for f in findings if f.is_nonconformity]
    deadline = audit.correction_deadline
    units = [
        UnitSpec(
            "pdf/section_corrections.html",
            {
                "audit": label,
                "stage2_end": _day(audit.stage2_ended_on or audit.stage2_end),
                "deadline": _day(deadline),
                "status": audit.get_status_display(),
                "awaiting_verification": audit.status == AuditStatus.AWAITING_VERIFICATION,
                "redo": audit.status == AuditStatus.ONSITE_REDO,
                "total": len(nonconformities),
                "verified": sum(1 for f in nonconformities if f.status == FindingStatus.VERIFIED),
                "submitted": sum(
                    1 for f in nonconformities if f.status == FindingStatus.CORRECTION_SUBMITTED
                ),
            },
            weight=3,
        )
    ]
    numbers = finding_numbers(findings)
    for finding in nonconformities:
        # Whether the host acted in time: its first correction, not a later resubmission.
        acted = finding.first_submitted_at or finding.submitted_at
        acted_on = deadlines.paris_date(now=acted) if acted else None
        units.append(
            UnitSpec(
                "pdf/section_correction_sheet.html",
                {
                    "audit": label,
                    **_finding_row(finding, numbers[finding.pk]),
                    "correction": finding.correction,
                    "root_cause": finding.root_cause,
                    "action_plan": finding.action_plan,
                    "owner": _person(finding.owner),
                    "correction_evidence": (
                        _version(finding.correction_evidence)
                        if finding.correction_evidence
                        else None
                    ),
                    "submitted_at": _moment(finding.submitted_at),
                    "deadline": _day(deadline),
                    "in_time": (
                        None if acted_on is None or deadline is None else acted_on <= deadline
                    ),
                    "verified_by": _person(finding.verified_by),
                    "verified_at": _moment(finding.verified_at),
                    "verification_comment": finding.verification_comment,
                    "verification_letter": (
                        _version(finding.verification_letter)
                        if finding.verification_letter
                        else None
                    ),
                },
                weight=4,
            )
        )
    return units


def _cycle_units(cycle: Cycle, audits: list[Audit], today: date) -> list[UnitSpec]:
    rows = [
        {
            "label": audit.label,
            "status": audit.get_status_display(),
            "due_on": _day(audit.due_on),
            "stage1": DASH.join(filter(None, [_day(audit.stage1_start), _day(audit.stage1_end)])),
            "stage2": DASH.join(filter(None, [_day(audit.stage2_start), _day(audit.stage2_end)])),
            "deadline": _day(audit.correction_deadline),
        }
        for audit in audits
    ]
    decisions = [
        {
            "outcome": audit.decision.get_outcome_display(),
            "number": audit.decision.certificate_number,
            "decided_on": _day(audit.decision.decided_on),
            "expires_on": _day(audit.decision.expires_on),
            "activities": ", ".join(str(n) for n in sorted(audit.decision.activities)),
        }
        for audit in audits
        if hasattr(audit, "decision")
    ]
    # The deadlines ahead, from the one registry (audits/deadline_kinds.py).
    upcoming = [
        {"day": _day(row.day), "label": str(DEADLINE_KINDS[row.kind].label), "subject": row.subject}
        for row in deadline_rows(
            organisations=[cycle.organisation],
            start=today,
            end=today + timedelta(days=DOSSIER_DEADLINES_DAYS),
        )
    ]
    timeline = [
        {"day": _day(entry.day), "label": entry.label, "past": entry.past}
        for entry in cycle_timeline(audits, today=today)
    ]
    return [
        UnitSpec(
            "pdf/section_cycle.html",
            {
                "body": cycle.certification_body,
                "accreditation": cycle.accreditation,
                "referential": cycle.referential_version,
                "activities": ", ".join(str(n) for n in sorted(cycle.activities)),
                "audits": rows,
                "decisions": decisions,
                "timeline": timeline,
                "deadlines": upcoming,
            },
            weight=10 + len(timeline) + len(upcoming),
        )
    ]


# How far ahead the full dossier lists the deadlines of the registry: the cycle's 3 years.
DOSSIER_DEADLINES_DAYS = 3 * 366

# Versions per manifest unit: a long register is laid out in several units (each starting a
# page), so they share the worker processes and a new version lays out only the last one again.
MANIFEST_UNIT_VERSIONS = 250


def _manifest_units(versions: Iterable[EvidenceVersion], *, whole_register: bool) -> list[UnitSpec]:
    """Every version, grouped by evidence item: one line per version, the item's title once.
    An item is never split between two units."""
    items: dict[int, dict[str, Any]] = {}
    ordered = sorted(versions, key=lambda v: (v.item.title.casefold(), v.item_id, v.number))
    for version in ordered:
        item = items.setdefault(version.item_id, {"title": version.item.title, "versions": []})
        item["versions"].append(_version(version))
    chunks: list[list[dict[str, Any]]] = [[]]
    count = 0
    for item in items.values():
        if chunks[-1] and count + len(item["versions"]) > MANIFEST_UNIT_VERSIONS:
            chunks.append([])
            count = 0
        chunks[-1].append(item)
        count += len(item["versions"])
    return [
        UnitSpec(
            "pdf/section_manifest.html",
            {
                "items": chunk,
                "whole_register": whole_register,
                "continued": index > 0,
                "versions": len(ordered),
            },
            # Single-line rows lay out about twice as fast as the other tables' rows.
            weight=sum(len(item["versions"]) for item in chunk) // 2 + 2,
        )
        for index, chunk in enumerate(chunks)
    ]


def _referenced_versions(audit: Audit, findings: list[Finding]) -> dict[int, EvidenceVersion]:
    versions: dict[int, EvidenceVersion] = {}
    for pin in PinnedVersion.objects.filter(audit=audit).select_related("version__item"):
        versions[pin.version.pk] = pin.version
    for finding in findings:
        for version in (finding.evidence, finding.correction_evidence):
            if version is not None:
                versions[version.pk] = version
    answered = EvidenceVersion.objects.filter(
        pk__in=EvidenceReview.objects.filter(audit=audit, answered_with__isnull=False).values(
            "answered_with"
        )
    ).select_related("item")
    for version in answered:
        versions[version.pk] = version
    return versions


# The most recent changes a dossier prints per section of the delta; the others are counted
# (and on the audit's delta page, paged).
DELTA_ROWS_PER_SECTION = 30


def _delta_units(audit: Audit, label: str) -> list[UnitSpec]:
    """The audit's delta since the previous audit's outcome (audits/delta.py): the counts per
    section and change, then the most recent DELTA_ROWS_PER_SECTION changes of each section
    and how many more. Four queries whatever the history; none for an audit without a delta."""
    delta = delta_of(audit=audit)
    if delta is None:
        return []
    counts = delta_counts(delta=delta)
    rows = change_rows(delta_recent(delta=delta, per_section=DELTA_ROWS_PER_SECTION))
    sections = []
    for count in counts:
        shown = [row for row in rows if row.section == count.section]
        sections.append(
            {
                "label": count.label,
                "more": count.total - len(shown),
                "rows": [
                    {
                        "change": row.change_label,
                        "label": row.label,
                        "at": _short_moment(row.at),
                        "by": row.by,
                        "lines": [
                            {
                                "label": line.label,
                                "text": line.text,
                                "hash": line.key in ("sha256", "replaced"),
                            }
                            for line in row.lines
                        ],
                    }
                    for row in shown
                ],
            }
        )
    return [
        UnitSpec(
            "pdf/section_delta.html",
            {
                "audit": label,
                "previous": delta.previous.label,
                "closed": delta.window.until_seq is not None,
                "change_labels": [str(CHANGE_LABELS[change]) for change in Change],
                "summary": [
                    {"label": count.label, "counts": [n for _change, n in count.cells()]}
                    for count in counts
                ],
                "sections": sections,
                "total": sum(count.total for count in counts),
            },
            weight=5 + 2 * len(rows),
        )
    ]


def _audit_units(
    audit: Audit, kinds: set[str], *, label: str, delta: bool = False
) -> tuple[list[UnitSpec], dict[int, EvidenceVersion]]:
    findings = _findings(audit)
    units: list[UnitSpec] = _delta_units(audit, label) if delta else []
    if DossierKind.STAGE1 in kinds:
        units += _stage1_units(audit, label)
        units += _carried_over_units(audit, label)
    if DossierKind.STAGE2 in kinds:
        units += _stage2_units(audit, label)
        units += _findings_units(audit, label, findings)
    if DossierKind.CORRECTIONS in kinds:
        units += _corrections_units(audit, label, findings)
    versions = _referenced_versions(audit, findings)
    if DossierKind.STAGE1 in kinds and audit.stage1_submitted_at is None:
        # Not frozen yet: the index lists the current versions, so the manifest does too.
        for row_version in _current_versions_of(audit.cycle.organisation):
            versions.setdefault(row_version.pk, row_version)
    return units, versions


def _current_versions_of(organisation: Organisation) -> list[EvidenceVersion]:
    latest: dict[int, EvidenceVersion] = {}
    for version in (
        EvidenceVersion.objects.filter(
            item__organisation=organisation,
            item__status=EvidenceStatus.ACTIVE,
            item__requirements__framework__code=HDS_CODE,
        )
        .select_related("item")
        .order_by("item_id", "-number")
        .distinct()
    ):
        latest.setdefault(version.item_id, version)
    return list(latest.values())


def _scope_units(organisation: Organisation, today: date) -> list[UnitSpec]:
    """The host as of the dossier's day: in the stage 1 dossier (the documentary review reads
    the client contracts for EXI 17-27 and the contacts for EXI 11 and 20, the sovereignty
    register for EXI 28-30 and the published guarantees page for EXI 31) and in the full one.
    The on-site, correction and SoA dossiers are about their audit or the ISO controls only."""
    return [
        *_organisation_units(organisation),
        *_chain_units(organisation, today),
        *_iso_units(organisation, today),
        *_soa_units(organisation),
        *_readiness_units(organisation),
        *_contracts_units(organisation, today),
        *_sovereignty_units(organisation, today),
        *_guarantees_units(organisation),
    ]


def dossier_plan(
    *,
    organisation: Organisation,
    kind: str,
    audit: Audit | None,
    cycle: Cycle | None,
    today: date,
) -> DossierPlan:
    """The units of a dossier, in print order, without the cover, the table of contents and
    the generation data, which are laid out when the dossier is assembled. Call it inside
    `translation.override(language)`."""
    if kind == DossierKind.SOA:
        return DossierPlan(
            title=str(DossierKind.SOA.label),
            subtitle="ISO/IEC 27001:2022",
            units=_soa_units(organisation),
        )
    if kind == DossierKind.FULL:
        assert cycle is not None  # noqa: S101  (the service checks the target)
        audits = list(
            cycle.audits.exclude(status__in=(AuditStatus.DRAFT, AuditStatus.CANCELLED))
            .select_related("decision", "cycle__organisation")
            .order_by("created_at", "pk")
        )
        units = [*_cycle_units(cycle, audits, today), *_scope_units(organisation, today)]
        for audit_in_cycle in audits:
            kinds: set[str] = {DossierKind.STAGE2, DossierKind.CORRECTIONS}
            if audit_in_cycle.stage1_start or audit_in_cycle.stage1_submitted_at:
                kinds.add(DossierKind.STAGE1)
            audit_units, _versions = _audit_units(
                audit_in_cycle, kinds, label=audit_in_cycle.label, delta=True
            )
            units += audit_units
        register = EvidenceVersion.objects.filter(item__organisation=organisation).select_related(
            "item"
        )
        units += _manifest_units(register, whole_register=True)
        return DossierPlan(
            title=str(DossierKind.FULL.label),
            subtitle=f"{cycle.certification_body} · {cycle.referential_version}",
            units=units,
        )
    assert audit is not None  # noqa: S101  (the service checks the target)
    label = audit.label
    units = _scope_units(organisation, today) if kind == DossierKind.STAGE1 else []
    audit_units, versions = _audit_units(
        audit, {kind}, label=label, delta=kind == DossierKind.STAGE1
    )
    units += audit_units
    units += _manifest_units(versions.values(), whole_register=False)
    return DossierPlan(title=str(DossierKind(kind).label), subtitle=label, units=units)
