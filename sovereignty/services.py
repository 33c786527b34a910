"""Every change to the sovereignty register (HDS v2 EXI 28-30). Each checks its input, writes
in one transaction and records one trail event. A refusal names the field to correct."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.activities import ACTIVITIES_BY_NUMBER
from scopes.models import Subcontractor
from sovereignty.countries import country_of
from sovereignty.models import LawExposure, RemoteAccess, ResidualRisk, StorageLocation
from sovereignty.rules import PROBLEM_FIELDS, LegalBasis, Problem, access_problems
from sovereignty.selectors import scope_activity_numbers

# The longest free text kept: a few pages, not a document (which belongs in evidence).
TEXT_MAX = 5000


class SovereigntyError(Exception):
    """A change refused; the message says why in the active language, `field` where to look
    (None: the whole entry)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _text(value: str, name: str, *, max_length: int, required: bool = False) -> str:
    if "\x00" in value:
        raise SovereigntyError(_("This text contains a character that is not allowed."), field=name)
    value = value.strip()
    if len(value) > max_length:
        raise SovereigntyError(
            _("At most %(count)s characters.") % {"count": max_length}, field=name
        )
    if required and not value:
        raise SovereigntyError(_("This field is required."), field=name)
    return value


def _country(code: str, name: str = "country", *, required: bool = True) -> str:
    if not code.strip() and not required:
        return ""
    if "\x00" in code or country_of(code) is None:
        raise SovereigntyError(
            _("Unknown country: give an ISO 3166-1 code such as FR or DE."), field=name
        )
    return code.strip().upper()


def _subcontractor(
    organisation: Organisation, subcontractor: Subcontractor | None, name: str
) -> Subcontractor | None:
    if subcontractor is not None and subcontractor.organisation_id != organisation.pk:
        raise SovereigntyError(_("Unknown subcontractor."), field=name)
    return subcontractor


def _own(organisation: Organisation, row: object | None, message: str) -> None:
    if row is not None and getattr(row, "organisation_id", None) != organisation.pk:
        raise SovereigntyError(message)


def _changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def _record(
    kind: str, *, actor: User, organisation: Organisation, target: Model, created: bool,
    before: Mapping[str, object], after: Mapping[str, object],
) -> None:  # fmt: skip
    trail_record(
        kind=f"{kind}.created" if created else f"{kind}.updated",
        actor=actor,
        organisation=organisation,
        target=target,
        data=dict(after) if created else {"changes": _changes(before, after)},
    )


# Storage locations (EXI 28) ------------------------------------------------------------------


@dataclass(frozen=True)
class StorageData:
    country: str
    site: str
    provider: Subcontractor | None = None  # None: the host itself
    activities: list[int] = field(default_factory=list)
    data_stored: str = ""
    secnumcloud: bool = False
    secnumcloud_reference: str = ""
    secnumcloud_on: date | None = None


def storage_location_facts(location: StorageLocation) -> dict[str, object]:
    """What a location says, as the trail records it and as its form starts from."""
    return {
        "country": location.country,
        "site": location.site,
        "provider": location.provider.name if location.provider else "",
        "activities": list(location.activities),
        "data_stored": location.data_stored,
        "secnumcloud": location.secnumcloud,
        "secnumcloud_reference": location.secnumcloud_reference,
        "secnumcloud_on": location.secnumcloud_on,
    }


def storage_location_save(
    *,
    organisation: Organisation,
    data: StorageData,
    actor: User,
    location: StorageLocation | None = None,
) -> StorageLocation:
    """Record where health data is stored (HDS v2 EXI 28: in the EEA). A location outside the
    EEA is recorded, and shown as a non-conformity: hiding it would hide the gap."""
    _own(organisation, location, _("Unknown storage location."))
    country = _country(data.country)
    site = _text(data.site, "site", max_length=200, required=True)
    provider = _subcontractor(organisation, data.provider, "provider")
    if any(n not in ACTIVITIES_BY_NUMBER for n in data.activities):
        raise SovereigntyError(_("Activities are numbered 1 to 6."), field="activities")
    in_scope = set(scope_activity_numbers(organisation=organisation))
    if not set(data.activities) <= in_scope:
        raise SovereigntyError(
            _("Only activities of the certification scope can be stored here."),
            field="activities",
        )
    data_stored = _text(data.data_stored, "data_stored", max_length=TEXT_MAX)
    reference = _text(data.secnumcloud_reference, "secnumcloud_reference", max_length=200)
    if not data.secnumcloud and (reference or data.secnumcloud_on):
        raise SovereigntyError(
            _("Tick the qualification to give its reference or date."), field="secnumcloud"
        )
    with transaction.atomic():
        created = location is None
        location = location or StorageLocation(organisation=organisation)
        before = {} if created else storage_location_facts(location)
        location.country, location.site, location.provider = country, site, provider
        location.activities = sorted(set(data.activities))
        location.data_stored = data_stored
        location.secnumcloud = data.secnumcloud
        location.secnumcloud_reference = reference
        location.secnumcloud_on = data.secnumcloud_on
        location.updated_at = timezone.now()
        location.save()
        _record(
            "storage_location",
            actor=actor,
            organisation=organisation,
            target=location,
            created=created,
            before=before,
            after=storage_location_facts(location),
        )
        return location


def storage_location_delete(*, location: StorageLocation, actor: User) -> None:
    with transaction.atomic():
        trail_record(
            kind="storage_location.deleted",
            actor=actor,
            organisation=location.organisation,
            target=location,
            data={"country": location.country, "site": location.site},
        )
        location.delete()


# Remote accesses (EXI 29) --------------------------------------------------------------------


@dataclass(frozen=True)
class AccessData:
    country: str
    legal_basis: str = LegalBasis.NONE.value
    safeguard_reference: str = ""
    actors: str = ""
    subcontractor: Subcontractor | None = None
    purpose: str = ""


def remote_access_facts(access: RemoteAccess) -> dict[str, object]:
    return {
        "country": access.country,
        "legal_basis": access.legal_basis,
        "safeguard_reference": access.safeguard_reference,
        "actors": access.actors,
        "subcontractor": access.subcontractor.name if access.subcontractor else "",
        "purpose": access.purpose,
    }


def _problem_message(problem: Problem) -> str:
    return {
        Problem.UNKNOWN_COUNTRY: _("Unknown country: give an ISO 3166-1 code such as FR or DE."),
        Problem.NO_ADEQUACY: _(
            "The European Commission has no adequacy decision for this country: art. 45 cannot "
            "be the basis. Name the safeguards (art. 46) or record the access without a basis."
        ),
        Problem.SAFEGUARD_MISSING: _(
            "Name the safeguard, e.g. the standard contractual clauses and their reference."
        ),
        Problem.SCOPE_MISSING: _(
            "The adequacy decision for this country is partial: give the reference showing the "
            "recipient is covered (e.g. its Data Privacy Framework certification)."
        ),
    }[problem]


def remote_access_save(
    *,
    organisation: Organisation,
    data: AccessData,
    actor: User,
    access: RemoteAccess | None = None,
) -> RemoteAccess:
    """Record a country from which the hosted data can be reached (HDS v2 EXI 29: from outside
    the EEA only under GDPR art. 45 or 46). Without a basis the access is recorded and flagged;
    a basis that cannot apply is refused."""
    _own(organisation, access, _("Unknown remote access."))
    country = _country(data.country)
    if data.legal_basis not in RemoteAccess.Basis.values:
        raise SovereigntyError(_("Unknown legal basis."), field="legal_basis")
    reference = _text(data.safeguard_reference, "safeguard_reference", max_length=300)
    for problem in access_problems(country, data.legal_basis, reference):
        raise SovereigntyError(_problem_message(problem), field=PROBLEM_FIELDS[problem])
    actors = _text(data.actors, "actors", max_length=TEXT_MAX)
    subcontractor = _subcontractor(organisation, data.subcontractor, "subcontractor")
    purpose = _text(data.purpose, "purpose", max_length=TEXT_MAX)
    if not actors and subcontractor is None:
        raise SovereigntyError(
            _("Say who has this access: describe them or choose the subcontractor."),
            field="actors",
        )
    with transaction.atomic():
        created = access is None
        access = access or RemoteAccess(organisation=organisation)
        before = {} if created else remote_access_facts(access)
        access.country, access.legal_basis = country, data.legal_basis
        access.safeguard_reference, access.actors = reference, actors
        access.subcontractor, access.purpose = subcontractor, purpose
        access.updated_at = timezone.now()
        access.save()
        _record(
            "remote_access",
            actor=actor,
            organisation=organisation,
            target=access,
            created=created,
            before=before,
            after=remote_access_facts(access),
        )
        return access


def remote_access_delete(*, access: RemoteAccess, actor: User) -> None:
    with transaction.atomic():
        trail_record(
            kind="remote_access.deleted",
            actor=actor,
            organisation=access.organisation,
            target=access,
            data={"country": access.country, "legal_basis": access.legal_basis},
        )
        access.delete()


# Exposures to non-EU laws (EXI 30) -----------------------------------------------------------


@dataclass(frozen=True)
class ExposureData:
    law: str
    residual_risk: str
    justification: str
    jurisdiction: str = ""
    actor: str = ""
    subcontractor: Subcontractor | None = None
    mitigations: str = ""


def law_exposure_facts(exposure: LawExposure) -> dict[str, object]:
    return {
        "law": exposure.law,
        "jurisdiction": exposure.jurisdiction,
        "actor": exposure.actor,
        "subcontractor": exposure.subcontractor.name if exposure.subcontractor else "",
        "mitigations": exposure.mitigations,
        "residual_risk": exposure.residual_risk,
        "justification": exposure.justification,
    }


def law_exposure_save(
    *,
    organisation: Organisation,
    data: ExposureData,
    actor: User,
    exposure: LawExposure | None = None,
) -> LawExposure:
    """Record a non-EU law the host or a provider is exposed to, with its mitigations and the
    residual risk, justified (HDS v2 EXI 30: disclosed to the clients)."""
    _own(organisation, exposure, _("Unknown exposure."))
    law = _text(data.law, "law", max_length=200, required=True)
    jurisdiction = _country(data.jurisdiction, "jurisdiction", required=False)
    actor_text = _text(data.actor, "actor", max_length=200)
    subcontractor = _subcontractor(organisation, data.subcontractor, "subcontractor")
    mitigations = _text(data.mitigations, "mitigations", max_length=TEXT_MAX)
    if data.residual_risk not in ResidualRisk.values:
        raise SovereigntyError(_("Choose the residual risk."), field="residual_risk")
    justification = _text(data.justification, "justification", max_length=TEXT_MAX, required=True)
    with transaction.atomic():
        created = exposure is None
        exposure = exposure or LawExposure(organisation=organisation)
        before = {} if created else law_exposure_facts(exposure)
        exposure.law, exposure.jurisdiction, exposure.actor = law, jurisdiction, actor_text
        exposure.subcontractor, exposure.mitigations = subcontractor, mitigations
        exposure.residual_risk, exposure.justification = data.residual_risk, justification
        exposure.updated_at = timezone.now()
        exposure.save()
        _record(
            "law_exposure",
            actor=actor,
            organisation=organisation,
            target=exposure,
            created=created,
            before=before,
            after=law_exposure_facts(exposure),
        )
        return exposure


def law_exposure_delete(*, exposure: LawExposure, actor: User) -> None:
    with transaction.atomic():
        trail_record(
            kind="law_exposure.deleted",
            actor=actor,
            organisation=exposure.organisation,
            target=exposure,
            data={"law": exposure.law},
        )
        exposure.delete()
