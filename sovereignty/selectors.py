"""Permission-scoped reads of the sovereignty register (HDS v2 EXI 28-30). Organisation access is
checked by the core selectors; every object here is looked up inside that organisation, so an id
from elsewhere is a 404. Every read runs in a fixed number of queries, whatever the number of
locations, accesses and exposures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from hdsready.models import Organisation
from scopes.models import HostProfile, ScopeActivity, Subcontractor
from scopes.readiness_figures import ComputedFigure
from sovereignty.countries import ADEQUACY_AS_OF, ADEQUACY_SOURCE, country_name, country_of
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from sovereignty.rules import access_verdict

# The register's rows ---------------------------------------------------------------------------


def storage_locations_of(*, organisation: Organisation) -> QuerySet[StorageLocation]:
    return (
        StorageLocation.objects.filter(organisation=organisation)
        .select_related("provider")
        .order_by("country", "site", "pk")
    )


def remote_accesses_of(*, organisation: Organisation) -> QuerySet[RemoteAccess]:
    return (
        RemoteAccess.objects.filter(organisation=organisation)
        .select_related("subcontractor")
        .order_by("country", "pk")
    )


def law_exposures_of(*, organisation: Organisation) -> QuerySet[LawExposure]:
    return (
        LawExposure.objects.filter(organisation=organisation)
        .select_related("subcontractor")
        .order_by("law", "pk")
    )


def storage_location_get(*, organisation: Organisation, pk: int) -> StorageLocation:
    found = storage_locations_of(organisation=organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def remote_access_get(*, organisation: Organisation, pk: int) -> RemoteAccess:
    found = remote_accesses_of(organisation=organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def law_exposure_get(*, organisation: Organisation, pk: int) -> LawExposure:
    found = law_exposures_of(organisation=organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def scope_activity_numbers(*, organisation: Organisation) -> list[int]:
    """The HDS activities (1-6) of the organisation's certification scope."""
    return list(
        ScopeActivity.objects.filter(organisation=organisation)
        .order_by("activity")
        .values_list("activity", flat=True)
    )


def subcontractors_for_register(*, organisation: Organisation) -> QuerySet[Subcontractor]:
    """The subcontractors a location, an access or an exposure may name: the organisation's."""
    return Subcontractor.objects.filter(organisation=organisation).order_by("name")


# Facts for the public guarantees page and the dossier ------------------------------------------


@dataclass(frozen=True)
class StorageFact:
    country: str  # ISO 3166-1 alpha-2
    country_name: str  # in the language active when the facts were read
    in_eea: bool
    site: str
    provider: str  # the subcontractor's name, or the host's own name
    provider_is_host: bool
    activities: tuple[int, ...]
    data_stored: str
    secnumcloud: bool
    secnumcloud_reference: str
    secnumcloud_on: date | None


@dataclass(frozen=True)
class AccessFact:
    country: str
    country_name: str
    basis: str  # sovereignty.rules.LegalBasis value
    basis_label: str
    safeguard: str
    actors: str  # the free text, then the subcontractor's name when one is named
    purpose: str
    flagged: bool  # no valid basis (EXI 29)
    in_eea: bool = False


@dataclass(frozen=True)
class ExposureFact:
    law: str
    jurisdiction: str  # ISO code or ""
    jurisdiction_name: str
    actor: str  # the free text, then the subcontractor's name when one is named
    mitigations: str
    residual_risk: str  # low, medium, high
    residual_risk_label: str
    justification: str
    flagged: bool = False  # disclosed without any mitigation (EXI 30)


@dataclass(frozen=True)
class SovereigntyFacts:
    storage: tuple[StorageFact, ...]
    # sovereignty_facts: only the accesses from outside the EEA, the transfers EXI 29 and 31 speak
    # of; register_facts: every access of the register.
    remote_accesses: tuple[AccessFact, ...]
    law_exposures: tuple[ExposureFact, ...]
    adequacy_source: str
    adequacy_as_of: date

    @property
    def all_storage_in_eea(self) -> bool:
        return all(fact.in_eea for fact in self.storage)


def _who(text: str, subcontractor: Subcontractor | None) -> str:
    return ", ".join(part for part in (text, subcontractor.name if subcontractor else "") if part)


def sovereignty_facts(*, organisation: Organisation) -> SovereigntyFacts:
    """The register as plain data, names in the active language: where the data is stored, who
    reaches it from outside the EEA and on what basis, the non-EU laws it is exposed to. Three
    queries, whatever the size of the register. The caller has checked the reader's right."""
    return _facts(organisation, outside_eea_only=True)


def register_facts(*, organisation: Organisation) -> SovereigntyFacts:
    """The whole register as plain data (the dossier's copy of it): as sovereignty_facts, but
    with every remote access, from inside the EEA as well. Three queries, whatever its size."""
    return _facts(organisation, outside_eea_only=False)


def _facts(organisation: Organisation, *, outside_eea_only: bool) -> SovereigntyFacts:
    storage = tuple(
        StorageFact(
            country=row.country,
            country_name=country_name(row.country),
            in_eea=_in_eea(row.country),
            site=row.site,
            provider=row.provider.name if row.provider else organisation.name,
            provider_is_host=row.provider is None,
            activities=tuple(row.activities),
            data_stored=row.data_stored,
            secnumcloud=row.secnumcloud,
            secnumcloud_reference=row.secnumcloud_reference,
            secnumcloud_on=row.secnumcloud_on,
        )
        for row in storage_locations_of(organisation=organisation)
    )
    accesses = tuple(
        AccessFact(
            country=row.country,
            country_name=country_name(row.country),
            basis=row.legal_basis,
            basis_label=str(row.get_legal_basis_display()),
            safeguard=row.safeguard_reference,
            actors=_who(row.actors, row.subcontractor),
            purpose=row.purpose,
            flagged=_access_flagged(row),
            in_eea=_in_eea(row.country),
        )
        for row in remote_accesses_of(organisation=organisation)
        if not (outside_eea_only and _in_eea(row.country))
    )
    exposures = tuple(
        ExposureFact(
            law=row.law,
            jurisdiction=row.jurisdiction,
            jurisdiction_name=country_name(row.jurisdiction) if row.jurisdiction else "",
            actor=_who(row.actor, row.subcontractor),
            mitigations=row.mitigations,
            residual_risk=row.residual_risk,
            residual_risk_label=str(row.get_residual_risk_display()),
            justification=row.justification,
            flagged=exposure_flagged(row),
        )
        for row in law_exposures_of(organisation=organisation)
    )
    return SovereigntyFacts(
        storage=storage,
        remote_accesses=accesses,
        law_exposures=exposures,
        adequacy_source=ADEQUACY_SOURCE,
        adequacy_as_of=ADEQUACY_AS_OF,
    )


def _in_eea(code: str) -> bool:
    found = country_of(code)
    return bool(found and found.in_eea)


def _access_flagged(access: RemoteAccess) -> bool:
    return _flagged(access.country, access.legal_basis, access.safeguard_reference)


def _flagged(country: str, basis: str, safeguard_reference: str) -> bool:
    if country_of(country) is None:
        return True  # a code withdrawn from the data since: look at it again
    return access_verdict(country, basis, safeguard_reference).flagged


def storage_flagged(location: StorageLocation) -> bool:
    """EXI 28: stored outside the EEA (or under a code the country data no longer knows)."""
    return not _in_eea(location.country)


def access_flagged(access: RemoteAccess) -> bool:
    """EXI 29: reached from outside the EEA without a valid basis."""
    return _access_flagged(access)


def exposure_flagged(exposure: LawExposure) -> bool:
    """EXI 30: an exposure disclosed without any mitigation."""
    return not exposure.mitigations.strip()


# Figures and the host profile ------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterCounts:
    locations: int
    locations_outside_eea: int
    accesses_outside_eea: int
    accesses_flagged: int
    exposures: int
    exposures_without_mitigation: int


def register_counts_of(*, organisation: Organisation) -> RegisterCounts:
    """The counts behind the flags, read from the rows in one query (the three sections as one
    UNION: the rules are Python, and a register has tens of rows, not thousands)."""
    empty = Value("", output_field=TextField())

    def lines(model: type[Model], kind: str, **columns: Any) -> QuerySet[Any]:
        picked = {"a": empty, "b": empty, "c": empty, **columns}
        return (
            model._default_manager.filter(organisation=organisation)
            .annotate(kind=Value(kind, output_field=TextField()), **picked)
            .values_list("kind", "a", "b", "c")
            .order_by()
        )

    rows = list(
        lines(StorageLocation, "storage", a=Cast("country", TextField()))
        .union(
            lines(
                RemoteAccess,
                "access",
                a=Cast("country", TextField()),
                b=Cast("legal_basis", TextField()),
                c=Cast("safeguard_reference", TextField()),
            ),
            lines(LawExposure, "law", a=Cast("mitigations", TextField())),
            all=True,
        )
        .order_by()  # the models' orderings name columns the UNION does not have
    )
    locations = [a for kind, a, _b, _c in rows if kind == "storage"]
    outside = [(a, b, c) for kind, a, b, c in rows if kind == "access" and not _in_eea(a)]
    exposures = [a for kind, a, _b, _c in rows if kind == "law"]
    return RegisterCounts(
        locations=len(locations),
        locations_outside_eea=sum(1 for code in locations if not _in_eea(code)),
        accesses_outside_eea=len(outside),
        accesses_flagged=sum(1 for a, b, c in outside if _flagged(a, b, c)),
        exposures=len(exposures),
        exposures_without_mitigation=sum(1 for text in exposures if not text.strip()),
    )


@dataclass(frozen=True)
class ProfileMismatch:
    field: str  # the HostProfile field
    says: bool
    register_says: bool


def profile_mismatches_of(
    *, organisation: Organisation, counts: RegisterCounts
) -> list[ProfileMismatch]:
    """Where the host profile (which decides whether EXI 29 and 30 apply) says otherwise than the
    register. Shown on the register page; neither is changed silently."""
    profile = HostProfile.objects.filter(organisation=organisation).first()
    if profile is None:
        return []
    found = []
    has_access = counts.accesses_outside_eea > 0
    if profile.non_eea_access != has_access:
        found.append(ProfileMismatch("non_eea_access", profile.non_eea_access, has_access))
    has_exposure = counts.exposures > 0
    if profile.non_eu_law_exposure != has_exposure:
        found.append(
            ProfileMismatch("non_eu_law_exposure", profile.non_eu_law_exposure, has_exposure)
        )
    return found


def register_readiness_figures(
    organisation: Organisation, on: date
) -> Mapping[str, list[ComputedFigure]]:
    """The figures shown beside the manual status of EXI 28, 29 and 30 (scopes' readiness
    pages), each linking to the flagged lines of the register."""
    counts = register_counts_of(organisation=organisation)
    url = reverse("sovereignty:register", args=[organisation.slug])
    storage = ComputedFigure(
        text=ngettext(
            "Stored in the EEA: %(inside)s of %(total)s storage location",
            "Stored in the EEA: %(inside)s of %(total)s storage locations",
            counts.locations,
        )
        % {"inside": counts.locations - counts.locations_outside_eea, "total": counts.locations},
        gaps=counts.locations_outside_eea,
        gaps_url=f"{url}#storage",
        gaps_label=ngettext(
            "%(count)s location outside the EEA",
            "%(count)s locations outside the EEA",
            counts.locations_outside_eea,
        )
        % {"count": counts.locations_outside_eea},
    )
    access = ComputedFigure(
        text=ngettext(
            "Access from outside the EEA with a GDPR basis: %(valid)s of %(total)s country entry",
            "Access from outside the EEA with a GDPR basis: %(valid)s of %(total)s country entries",
            counts.accesses_outside_eea,
        )
        % {
            "valid": counts.accesses_outside_eea - counts.accesses_flagged,
            "total": counts.accesses_outside_eea,
        },
        gaps=counts.accesses_flagged,
        gaps_url=f"{url}#access",
        gaps_label=ngettext(
            "%(count)s access without a basis",
            "%(count)s accesses without a basis",
            counts.accesses_flagged,
        )
        % {"count": counts.accesses_flagged},
    )
    exposure = ComputedFigure(
        text=ngettext(
            "Non-EU law exposure with mitigations: %(done)s of %(total)s",
            "Non-EU law exposures with mitigations: %(done)s of %(total)s",
            counts.exposures,
        )
        % {
            "done": counts.exposures - counts.exposures_without_mitigation,
            "total": counts.exposures,
        },
        gaps=counts.exposures_without_mitigation,
        gaps_url=f"{url}#laws",
        gaps_label=ngettext(
            "%(count)s exposure without mitigation",
            "%(count)s exposures without mitigation",
            counts.exposures_without_mitigation,
        )
        % {"count": counts.exposures_without_mitigation},
    )
    if not counts.locations:
        storage = ComputedFigure(
            text=gettext("No storage location recorded in the register."),
            gaps=1,
            gaps_url=f"{url}#storage",
            gaps_label=gettext("Record where the data is stored"),
        )
    return {"EXI 28": [storage], "EXI 29": [access], "EXI 30": [exposure]}
