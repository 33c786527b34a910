"""A small hosting chain for the guarantees tests: the host performs activities 3 to 5 with its
own HDS and ISO 27001 certificates, a datacenter performs 1 and 2 with its HDS certificate, a
carrier takes part without a whole activity and holds no certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hdsready.models import Organisation, User
from scopes.models import ActivityMode, CertificateKind, Subcontractor
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    scope_set_activities,
    subcontractor_save,
)
from sovereignty.services import (
    AccessData,
    StorageData,
    remote_access_save,
    storage_location_save,
)


@dataclass
class Chain:
    datacenter: Subcontractor
    carrier: Subcontractor


def hds(number: str, activities: list[int], *, expires_on: date | None = None) -> CertificateData:
    today = timezone.localdate()
    return CertificateData(
        kind=CertificateKind.HDS,
        number=number,
        certification_body="Organisme Certif",
        accreditation="COFRAC 5-0001",
        standard_version="HDS v2",
        activities=activities,
        scope_statement="",
        issued_on=today - timedelta(days=400),
        expires_on=expires_on or today + timedelta(days=600),
    )


def make_chain(organisation: Organisation, actor: User, *, extra_subcontractors: int = 0) -> Chain:
    today = timezone.localdate()
    datacenter = subcontractor_save(
        organisation=organisation, name="Datacentre Lyon SA", actor=actor
    )
    carrier = subcontractor_save(
        organisation=organisation,
        name="Transports Sauvegarde",
        part_of_service="Transport des supports de sauvegarde",
        actor=actor,
    )
    choices = {n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5)}
    choices |= {n: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter) for n in (1, 2)}
    scope_set_activities(organisation=organisation, choices=choices, actor=actor)
    certificate_save(
        organisation=organisation, subcontractor=None, data=hds("HDS-OWN-1", [3, 4, 5]), actor=actor
    )
    certificate_save(
        organisation=organisation,
        subcontractor=None,
        data=CertificateData(
            kind=CertificateKind.ISO27001,
            number="ISO-OWN-7",
            certification_body="Organisme Certif",
            accreditation="",
            standard_version="",
            activities=[3, 4, 5],
            scope_statement="",
            issued_on=today - timedelta(days=100),
            expires_on=today + timedelta(days=900),
            iso_standard="iso27001_2022",
        ),
        actor=actor,
    )
    certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=hds("HDS-DC-42", [1, 2]),
        actor=actor,
    )
    # An expired certificate is no guarantee: it must not be published.
    certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=CertificateData(
            **{
                **hds("HDS-DC-OLD", [1, 2]).__dict__,
                "issued_on": today - timedelta(days=2000),
                "expires_on": today - timedelta(days=5),
            }
        ),
        actor=actor,
    )
    for index in range(extra_subcontractors):
        extra = subcontractor_save(
            organisation=organisation,
            name=f"Sous-traitant {index}",
            part_of_service=f"Partie {index}",
            actor=actor,
        )
        certificate_save(
            organisation=organisation,
            subcontractor=extra,
            data=hds(f"HDS-X-{index}", [6]),
            actor=actor,
        )
        # The sovereignty register grows with the chain: the page's cost must not.
        storage_location_save(
            organisation=organisation,
            data=StorageData(country="DE", site=f"Site {index}", provider=extra, activities=[1]),
            actor=actor,
        )
        remote_access_save(
            organisation=organisation,
            data=AccessData(
                country="US",
                legal_basis="art46",
                safeguard_reference=f"CCT-{index}",
                subcontractor=extra,
            ),
            actor=actor,
        )
    return Chain(datacenter=datacenter, carrier=carrier)


@pytest.fixture
def chain(organisation, officer) -> Chain:
    return make_chain(organisation, officer)
