"""The host's scope: activities, who performs them, subcontractors and certificates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.activities import ACTIVITIES
from scopes.iso_standards import IsoStandard, standard_label
from scopes.models import (
    ActivityMode,
    Certificate,
    CertificateKind,
    HostProfile,
    ProcedureClosing,
    ScopeActivity,
    Subcontractor,
)
from scopes.services import ScopeError
from scopes.services.certificates import certificate_procedure_close_if_covered

ACTIVITY_NUMBERS = frozenset(a.number for a in ACTIVITIES)


@dataclass(frozen=True)
class ActivityChoice:
    mode: str
    subcontractor: Subcontractor | None = None


def scope_set_activities(
    *, organisation: Organisation, choices: Mapping[int, ActivityChoice], actor: User
) -> list[ScopeActivity]:
    """Declare the activities the organisation performs (art. R.1111-9 CSP), each in-house or
    relied on a subcontractor. Replaces the previous declaration as a whole."""
    for number, choice in choices.items():
        if number not in ACTIVITY_NUMBERS:
            raise ScopeError(_("Unknown activity %(number)s.") % {"number": number})
        if choice.mode not in ActivityMode.values:
            raise ScopeError(_("Unknown mode for activity %(number)s.") % {"number": number})
        if (choice.mode == ActivityMode.SUBCONTRACTED) != (choice.subcontractor is not None):
            raise ScopeError(
                _("Activity %(number)s: choose a subcontractor only when it is subcontracted.")
                % {"number": number}
            )
        if choice.subcontractor and choice.subcontractor.organisation_id != organisation.pk:
            raise ScopeError(_("Unknown subcontractor."))
    with transaction.atomic():
        before = {
            row.activity: (row.mode, row.subcontractor_id)
            for row in ScopeActivity.objects.select_for_update().filter(organisation=organisation)
        }
        after = {
            number: (choice.mode, choice.subcontractor.pk if choice.subcontractor else None)
            for number, choice in choices.items()
        }
        if before == after:  # the same declaration: the rows stay as they are
            return list(
                ScopeActivity.objects.filter(organisation=organisation).order_by("activity")
            )
        ScopeActivity.objects.filter(organisation=organisation).delete()
        rows = ScopeActivity.objects.bulk_create(
            ScopeActivity(
                organisation=organisation,
                activity=number,
                mode=choice.mode,
                subcontractor=choice.subcontractor,
            )
            for number, choice in sorted(choices.items())
        )
        if before != after:
            trail_record(
                kind="scope.activities_set",
                actor=actor,
                organisation=organisation,
                target=organisation,
                data={
                    "activities": {
                        str(number): {
                            "mode": choice.mode,
                            "subcontractor": str(choice.subcontractor or ""),
                        }
                        for number, choice in sorted(choices.items())
                    }
                },
            )
        return rows


def host_profile_update(
    *,
    organisation: Organisation,
    stores_health_data: bool,
    non_eea_access: bool,
    non_eu_law_exposure: bool,
    actor: User,
) -> HostProfile:
    """The situations that decide whether HDS v2 EXI 28, 29 and 30 apply. The next planned audit
    is not among them: it comes from the certification cycle (`scope_next_audit_set`)."""
    with transaction.atomic():
        profile, _created = HostProfile.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        changes = {
            "stores_health_data": stores_health_data,
            "non_eea_access": non_eea_access,
            "non_eu_law_exposure": non_eu_law_exposure,
        }
        changed = {k: v for k, v in changes.items() if getattr(profile, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(profile, key, value)
            profile.save()
            trail_record(
                kind="scope.profile_updated",
                actor=actor,
                organisation=organisation,
                target=profile,
                data=changed,
            )
        return profile


def scope_next_audit_set(*, organisation: Organisation, next_audit_on: date | None) -> HostProfile:
    """Store the date of the organisation's next planned audit, as the certification cycle says.

    The audits app calls it whenever an audit is planned, scheduled, cancelled or closed (scopes
    cannot read audits: the dependencies point the other way). The ISO 27001 prerequisite checks
    that the ISO certificate lasts until that audit (HDS v2 EXI 01). A derived value, not a
    decision: no actor and no trail row of its own, the audits service that calls it records the
    change that caused it. Idempotent.
    """
    with transaction.atomic():
        profile, _created = HostProfile.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        if profile.next_audit_on != next_audit_on:
            profile.next_audit_on = next_audit_on
            profile.save(update_fields=["next_audit_on"])
        return profile


def subcontractor_save(
    *,
    organisation: Organisation,
    name: str,
    siren: str = "",
    contact: str = "",
    notes: str = "",
    part_of_service: str = "",
    actor: User,
    subcontractor: Subcontractor | None = None,
) -> Subcontractor:
    """Record a company the host relies on. `part_of_service` says what it does when it performs
    part of the service without a whole activity: HDS v2 EXI 06 and 14 then apply."""
    name = name.strip()
    if not name:
        raise ScopeError(_("A subcontractor needs a name."))
    with transaction.atomic():
        clash = Subcontractor.objects.filter(organisation=organisation, name__iexact=name)
        if subcontractor is not None:
            clash = clash.exclude(pk=subcontractor.pk)
        if clash.exists():
            raise ScopeError(_("A subcontractor with this name already exists."))
        created = subcontractor is None
        if subcontractor is None:
            subcontractor = Subcontractor(organisation=organisation)
        subcontractor.name, subcontractor.siren = name, siren.strip()
        subcontractor.contact, subcontractor.notes = contact.strip(), notes
        subcontractor.part_of_service = part_of_service.strip()
        subcontractor.save()
        trail_record(
            kind="subcontractor.created" if created else "subcontractor.updated",
            actor=actor,
            organisation=organisation,
            target=subcontractor,
            data={
                "name": name,
                "siren": siren,
                "part_of_service": subcontractor.part_of_service,
            },
        )
        return subcontractor


@dataclass(frozen=True)
class CertificateData:
    kind: str
    number: str
    certification_body: str
    accreditation: str
    standard_version: str
    activities: list[int]
    scope_statement: str
    issued_on: date
    expires_on: date
    # ISO 27001 certificates only: the standard it was issued against (scopes.iso_standards),
    # and the name of the standard when the host records an equivalent.
    iso_standard: str = ""
    iso_equivalent_name: str = ""


def _check_certificate(data: CertificateData) -> None:
    if data.kind not in CertificateKind.values:
        raise ScopeError(_("Unknown certificate kind."))
    if not data.number.strip() or not data.certification_body.strip():
        raise ScopeError(_("A certificate needs its number and its certification body."))
    if data.expires_on <= data.issued_on:
        raise ScopeError(_("A certificate must expire after it is issued."))
    if not set(data.activities) <= ACTIVITY_NUMBERS:
        raise ScopeError(_("Activities are numbered 1 to 6."))
    if data.kind == CertificateKind.HDS and not data.activities:
        raise ScopeError(_("An HDS certificate names the activities it covers."))
    if data.kind == CertificateKind.ISO27001:
        if data.iso_standard not in IsoStandard:
            raise ScopeError(_("Choose the standard the ISO 27001 certificate was issued against."))
        if data.iso_standard == IsoStandard.EQUIVALENT and not data.iso_equivalent_name.strip():
            raise ScopeError(_("Name the standard you record as equivalent to ISO/IEC 27001."))
    elif data.iso_standard or data.iso_equivalent_name.strip():
        raise ScopeError(_("Only an ISO 27001 certificate names an ISO 27001 standard."))


def _normalised(data: CertificateData) -> CertificateData:
    """An ISO certificate's edition is the name of its standard, so the two never disagree."""
    if data.kind != CertificateKind.ISO27001:
        return data
    name = data.iso_equivalent_name.strip() if data.iso_standard == IsoStandard.EQUIVALENT else ""
    return replace(
        data,
        iso_equivalent_name=name,
        standard_version=standard_label(data.iso_standard, equivalent_name=name),
    )


def certificate_save(
    *,
    organisation: Organisation,
    subcontractor: Subcontractor | None,
    data: CertificateData,
    actor: User,
    certificate: Certificate | None = None,
    now: datetime | None = None,
) -> Certificate:
    """Record a certificate of the host (subcontractor None) or of one of its subcontractors.
    An ISO 27001 certificate says which standard it was issued against (HDS v2 EXI 01: ISO 27001
    or an equivalent). A renewal recorded on it (its expiry moved past the warning window)
    closes its open EXI 14 procedure."""
    _check_certificate(data)
    data = _normalised(data)
    if subcontractor is not None and subcontractor.organisation_id != organisation.pk:
        raise ScopeError(_("Unknown subcontractor."))
    with transaction.atomic():
        created = certificate is None
        if certificate is None:
            certificate = Certificate(organisation=organisation, subcontractor=subcontractor)
        elif certificate.organisation_id != organisation.pk:
            raise ScopeError(_("Unknown certificate."))
        for field, value in data.__dict__.items():
            setattr(certificate, field, sorted(set(value)) if field == "activities" else value)
        certificate.save()
        trail_record(
            kind="certificate.created" if created else "certificate.updated",
            actor=actor,
            organisation=organisation,
            target=certificate,
            data={
                "holder": str(subcontractor or organisation),
                "kind": data.kind,
                "number": data.number,
                "standard": data.standard_version,
                "activities": sorted(set(data.activities)),
                "issued_on": data.issued_on,
                "expires_on": data.expires_on,
            },
        )
        if not created:
            certificate_procedure_close_if_covered(
                certificate=certificate,
                because=ProcedureClosing.RENEWED,
                actor=actor,
                now=now or timezone.now(),
            )
        return certificate


def certificate_delete(*, certificate: Certificate, actor: User) -> None:
    with transaction.atomic():
        trail_record(
            kind="certificate.deleted",
            actor=actor,
            organisation=certificate.organisation,
            target=certificate,
            data={
                "holder": str(certificate.subcontractor or certificate.organisation),
                "number": certificate.number,
                "kind": certificate.kind,
            },
        )
        certificate.delete()
