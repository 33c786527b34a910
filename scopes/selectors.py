"""Permission-scoped reads of the scopes app. Organisation access is checked by the core
selectors (django-guardian); here every object is looked up inside that organisation, so an id
from elsewhere is a 404."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, F, Prefetch, Q, QuerySet
from django.http import Http404

from hdsready.models import Membership, Organisation, User
from scopes.certified_hosts import (
    HostCheck,
    ListedHost,
    SubcontractorFacts,
    check_subcontractors,
    normalise_name,
    normalise_siren,
)
from scopes.chain import ActivityCover, CertificateFacts, Performer, hosting_chain
from scopes.models import (
    ActivityMode,
    Certificate,
    CertificateKind,
    CertificateProcedure,
    CertificateProcedureTask,
    CertifiedHost,
    CertifiedHostList,
    CertifiedHostsMapping,
    CertifiedHostsUpload,
    Framework,
    HostProfile,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    ScopeActivity,
    SoAEntry,
    Subcontractor,
)
from scopes.prerequisite import IsoCheck, IsoFacts, iso_prerequisite_check
from scopes.readiness import Situation, requirement_applies

HDS_CODE = "hds"
ISO_CODE = "iso27001"


def frameworks_visible(*, organisation: Organisation) -> QuerySet[Framework]:
    return Framework.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def framework_get(*, organisation: Organisation, pk: int) -> Framework:
    framework = frameworks_visible(organisation=organisation).filter(pk=pk).first()
    if framework is None:
        raise Http404
    return framework


def builtin_framework(*, code: str) -> Framework:
    framework = (
        Framework.objects.filter(organisation__isnull=True, code=code).order_by("-version").first()
    )
    if framework is None:
        raise Http404
    return framework


def readiness_framework(*, organisation: Organisation, code: str) -> Framework:
    """The framework whose readiness is assessed under this code: the built-in one, else the
    latest version the organisation imported (scopes/importer.py); 404 for another's."""
    framework = (
        Framework.objects.filter(organisation__isnull=True, code=code).order_by("-version").first()
        or Framework.objects.filter(organisation=organisation, code=code)
        .order_by("-imported_at", "-pk")
        .first()
    )
    if framework is None:
        raise Http404
    return framework


def imported_frameworks_assessed(*, organisation: Organisation) -> list[Framework]:
    """The latest version of each framework the organisation imported that has assessable
    requirements: each gets a readiness list and a score like HDS and ISO 27001."""
    latest: dict[str, Framework] = {}
    for framework in (
        Framework.objects.filter(organisation=organisation, nodes__assessable=True)
        .distinct()
        .order_by("code", "-imported_at", "-pk")
    ):
        latest.setdefault(framework.code, framework)
    return list(latest.values())


def requirement_get(*, organisation: Organisation, pk: int) -> Requirement:
    requirement = (
        Requirement.objects.select_related("framework")
        .filter(pk=pk, framework__in=frameworks_visible(organisation=organisation))
        .first()
    )
    if requirement is None:
        raise Http404
    return requirement


def host_profile_of(*, organisation: Organisation) -> HostProfile:
    profile = HostProfile.objects.filter(organisation=organisation).first()
    return profile or HostProfile(organisation=organisation)


def scope_of(*, organisation: Organisation) -> list[ScopeActivity]:
    return list(
        ScopeActivity.objects.filter(organisation=organisation).select_related("subcontractor")
    )


def subcontracting_of(*, organisation: Organisation) -> bool:
    """Whether any part of the service is subcontracted (HDS v2 EXI 06 and 14: « tout ou partie
    du service »): an activity relied on a subcontractor, or a subcontractor recorded with the
    part of the service it performs although every activity is declared in-house."""
    whole_activity = ScopeActivity.objects.filter(
        organisation=organisation, mode=ActivityMode.SUBCONTRACTED
    )
    part_of_service = Subcontractor.objects.filter(organisation=organisation).exclude(
        part_of_service=""
    )
    # One query whatever the answer, so pages keep a fixed query count.
    return (
        Organisation.objects.filter(pk=organisation.pk)
        .filter(Exists(whole_activity) | Exists(part_of_service))
        .exists()
    )


def situation_of(*, organisation: Organisation) -> Situation:
    profile = host_profile_of(organisation=organisation)
    return Situation(
        subcontracting=subcontracting_of(organisation=organisation),
        storage=profile.stores_health_data,
        non_eea_access=profile.non_eea_access,
        non_eu_law=profile.non_eu_law_exposure,
    )


def members_of(*, organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(organisation=organisation).values("user")
    ).order_by("email")


def subcontractors_of(*, organisation: Organisation) -> QuerySet[Subcontractor]:
    return Subcontractor.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-expires_on"))
    )


def subcontractor_get(*, organisation: Organisation, pk: int) -> Subcontractor:
    subcontractor = subcontractors_of(organisation=organisation).filter(pk=pk).first()
    if subcontractor is None:
        raise Http404
    return subcontractor


def certificate_get(*, organisation: Organisation, pk: int) -> Certificate:
    certificate = (
        Certificate.objects.select_related("subcontractor")
        .filter(organisation=organisation, pk=pk)
        .first()
    )
    if certificate is None:
        raise Http404
    return certificate


def own_certificates(*, organisation: Organisation, kind: str) -> list[Certificate]:
    return list(
        Certificate.objects.filter(
            organisation=organisation, subcontractor__isnull=True, kind=kind
        ).order_by("-expires_on")
    )


def _facts(certificate: Certificate, holder: str) -> CertificateFacts:
    return CertificateFacts(
        holder=holder,
        number=certificate.number,
        activities=frozenset(certificate.activities),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        status=certificate.status,
        status_from=certificate.status_from,
    )


def performers_of(*, organisation: Organisation) -> dict[int, Performer]:
    """Each HDS activity in scope and who performs it."""
    return {
        row.activity: Performer(subcontractor=row.subcontractor.name if row.subcontractor else None)
        for row in scope_of(organisation=organisation)
    }


def hosting_chain_of(*, organisation: Organisation, on: date) -> list[ActivityCover]:
    """The chain for a day, in a fixed number of queries whatever the number of
    subcontractors and certificates."""
    scope = performers_of(organisation=organisation)
    hds = Certificate.objects.filter(organisation=organisation, kind=CertificateKind.HDS)
    own: list[CertificateFacts] = []
    by_subcontractor: dict[str, list[CertificateFacts]] = {}
    for certificate in hds.select_related("subcontractor"):
        if certificate.subcontractor is None:
            own.append(_facts(certificate, organisation.name))
        else:
            name = certificate.subcontractor.name
            by_subcontractor.setdefault(name, []).append(_facts(certificate, name))
    return hosting_chain(
        scope=scope, own_certificates=own, subcontractor_certificates=by_subcontractor, on=on
    )


def iso_check_of(*, organisation: Organisation, today: date) -> tuple[Certificate | None, IsoCheck]:
    isos = own_certificates(organisation=organisation, kind=CertificateKind.ISO27001)
    iso = isos[0] if isos else None
    hds = own_certificates(organisation=organisation, kind=CertificateKind.HDS)
    profile = host_profile_of(organisation=organisation)
    facts = (
        IsoFacts(
            standard=iso.iso_standard,
            activities=frozenset(iso.activities),
            issued_on=iso.issued_on,
            expires_on=iso.expires_on,
            status=iso.status,
            status_from=iso.status_from,
        )
        if iso
        else None
    )
    check = iso_prerequisite_check(
        iso=facts,
        scope=performers_of(organisation=organisation),
        today=today,
        hds_certificate_expires_on=hds[0].expires_on if hds else None,
        next_audit_on=profile.next_audit_on,
    )
    return iso, check


def soa_controls(*, organisation: Organisation) -> list[tuple[Requirement, SoAEntry | None]]:
    iso = builtin_framework(code=ISO_CODE)
    entries = {
        e.control_id: e
        for e in SoAEntry.objects.filter(organisation=organisation).select_related("owner")
    }
    controls = Requirement.objects.filter(
        framework=iso, assessable=True, ref_id__startswith="A."
    ).order_by("order")
    return [(control, entries.get(control.pk)) for control in controls]


def not_applicable_controls(*, organisation: Organisation) -> set[int]:
    return set(
        SoAEntry.objects.filter(organisation=organisation, applicable=False).values_list(
            "control_id", flat=True
        )
    )


def readiness_rows(
    *, organisation: Organisation, framework: Framework
) -> list[tuple[Requirement, ReadinessEntry | None, bool]]:
    """Every assessable requirement of the framework with its entry and whether it applies."""
    situation = situation_of(organisation=organisation)
    excluded = not_applicable_controls(organisation=organisation)
    entries = {
        e.requirement_id: e
        for e in ReadinessEntry.objects.filter(
            organisation=organisation, requirement__framework=framework
        ).select_related("owner")
    }
    rows = []
    requirements = (
        Requirement.objects.filter(framework=framework, assessable=True)
        .select_related("parent")
        .order_by("order")
    )
    for requirement in requirements:
        applies = requirement.pk not in excluded and requirement_applies(
            applies_when=requirement.applies_when, situation=situation
        )
        rows.append((requirement, entries.get(requirement.pk), applies))
    return rows


def annex_a_controls() -> QuerySet[Requirement]:
    """The 93 controls of ISO/IEC 27001:2022 Annex A in the built-in catalog: the SoA's lines."""
    return Requirement.objects.filter(
        framework=builtin_framework(code=ISO_CODE), assessable=True, ref_id__startswith="A."
    ).order_by("order")


def soa_control_get(*, pk: int) -> Requirement:
    """An Annex A control of the built-in ISO catalog; any other requirement is a 404."""
    control = annex_a_controls().filter(pk=pk).first()
    if control is None:
        raise Http404
    return control


def catalog_of(*, organisation: Organisation) -> QuerySet[Framework]:
    """The built-in frameworks, then the organisation's imported ones, with their node counts."""
    return (
        frameworks_visible(organisation=organisation)
        .select_related("imported_by")
        .annotate(
            node_count=Count("nodes"),
            assessable_count=Count("nodes", filter=Q(nodes__assessable=True)),
        )
        .order_by("source", "code", "version")
    )


def framework_nodes(*, framework: Framework) -> list[Requirement]:
    """Every node of a framework in the file's order: a parent always comes before its children."""
    return list(Requirement.objects.filter(framework=framework).order_by("order"))


def certificates_of(*, organisation: Organisation) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(organisation=organisation)
        .select_related("subcontractor")
        .order_by("expires_on", "pk")
    )


def readiness_line_of(
    *, organisation: Organisation, requirement: Requirement
) -> tuple[ReadinessEntry | None, bool]:
    """One requirement's entry and whether it applies, as `readiness_rows` says for all."""
    entry = (
        ReadinessEntry.objects.select_related("owner")
        .filter(organisation=organisation, requirement=requirement)
        .first()
    )
    if requirement.pk in not_applicable_controls(organisation=organisation):
        return entry, False
    situation = situation_of(organisation=organisation)
    return entry, requirement_applies(applies_when=requirement.applies_when, situation=situation)


def soa_entry_of(*, organisation: Organisation, control: Requirement) -> SoAEntry | None:
    return (
        SoAEntry.objects.select_related("owner")
        .filter(organisation=organisation, control=control)
        .first()
    )


def readiness_assigned_to(*, organisation: Organisation, user: User) -> QuerySet[ReadinessEntry]:
    """The requirements this member owns that are not met yet, the nearest target date first:
    the start of a contributor's work."""
    return (
        ReadinessEntry.objects.filter(organisation=organisation, owner=user)
        .exclude(status__in=(ReadinessStatus.COMPLIANT, ReadinessStatus.NOT_APPLICABLE))
        .select_related("requirement__framework")
        .order_by(F("target_date").asc(nulls_last=True), "requirement__order", "pk")
    )


def host_list_current(*, organisation: Organisation) -> CertifiedHostList | None:
    """The current list of certified hosts: the latest imported."""
    return (
        CertifiedHostList.objects.filter(organisation=organisation)
        .select_related("imported_by")
        .order_by("-imported_at", "-pk")
        .first()
    )


def certificate_procedure_of(*, certificate: Certificate) -> CertificateProcedure | None:
    """The certificate's EXI 14 procedure with its tasks and who did them: the open one, else
    the last one closed; None if none was opened."""
    return (
        CertificateProcedure.objects.filter(certificate=certificate)
        .order_by(F("closed_at").desc(nulls_first=True), "-opened_at")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=CertificateProcedureTask.objects.select_related("done_by").order_by("pk"),
            )
        )
        .first()
    )


def host_list_imports(*, organisation: Organisation, limit: int = 10) -> list[CertifiedHostList]:
    """The latest imports of the list, the current one first."""
    return list(
        CertifiedHostList.objects.filter(organisation=organisation)
        .select_related("imported_by")
        .order_by("-imported_at", "-pk")[:limit]
    )


def host_list_upload_of(*, organisation: Organisation, user: User) -> CertifiedHostsUpload | None:
    """The list file this officer uploaded and has not imported yet."""
    return CertifiedHostsUpload.objects.filter(organisation=organisation, uploaded_by=user).first()


def host_mappings_remembered(
    *, organisation: Organisation, headers_key: str, limit: int = 20
) -> tuple[dict[str, str] | None, list[dict[str, str]]]:
    """The column mapping chosen before for these very headers (None if none), and the latest
    ones chosen for other headers."""
    mappings = list(
        CertifiedHostsMapping.objects.filter(organisation=organisation).order_by(
            "-updated_at", "-pk"
        )[:limit]
    )
    exact = next((m.columns for m in mappings if m.headers_key == headers_key), None)
    others = [dict(m.columns) for m in mappings if m.headers_key != headers_key]
    return (dict(exact) if exact is not None else None), others


def _listed(host: CertifiedHost) -> ListedHost:
    return ListedHost(
        line=host.line,
        name=host.name,
        siren=host.siren,
        certificate_number=host.certificate_number,
        activities=frozenset(host.activities),
        valid_from=host.valid_from,
        valid_until=host.valid_until,
        certification_body=host.certification_body,
    )


def host_checks_of(
    *, organisation: Organisation, on: date, subcontractor: Subcontractor | None = None
) -> tuple[CertifiedHostList | None, list[tuple[Subcontractor, HostCheck]]]:
    """Each subcontractor (or the one given) checked against the current list on a day, in four
    queries whatever the number of subcontractors and of the list's rows: only the rows whose
    SIREN or normalised name is one of the subcontractors' are read."""
    host_list = host_list_current(organisation=organisation)
    if host_list is None:
        return None, []
    subcontractors = (
        [subcontractor]
        if subcontractor is not None
        else list(Subcontractor.objects.filter(organisation=organisation).order_by("name"))
    )
    relied: dict[int, set[int]] = {}
    for subcontractor_id, activity in ScopeActivity.objects.filter(
        organisation=organisation,
        mode=ActivityMode.SUBCONTRACTED,
        subcontractor__in=[s.pk for s in subcontractors],
    ).values_list("subcontractor_id", "activity"):
        relied.setdefault(subcontractor_id, set()).add(activity)
    facts = {
        s.pk: SubcontractorFacts(
            name=s.name, siren=s.siren, activities=frozenset(relied.get(s.pk, ()))
        )
        for s in subcontractors
    }
    sirens = {normalise_siren(f.siren) for f in facts.values()} - {""}
    names = {normalise_name(f.name) for f in facts.values()} - {""}
    rows = CertifiedHost.objects.filter(host_list=host_list).filter(
        Q(siren__in=sirens) | Q(name_key__in=names)
    )
    checks = check_subcontractors(facts, (_listed(row) for row in rows), on=on)
    return host_list, [(s, checks[s.pk]) for s in subcontractors]


def procedure_task_get(*, organisation: Organisation, pk: int) -> CertificateProcedureTask:
    task = (
        CertificateProcedureTask.objects.select_related("procedure__certificate")
        .filter(procedure__organisation=organisation, pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task
