from __future__ import annotations

import pytest

from hdsready.models import Organisation
from scopes.models import ActivityMode, ScopeActivity, Subcontractor


@pytest.fixture
def subcontractor(organisation: Organisation) -> Subcontractor:
    """A datacenter performing activity 1; the host does 2 and 5 itself."""
    found = Subcontractor.objects.create(organisation=organisation, name="DataCentre Nord")
    ScopeActivity.objects.create(
        organisation=organisation,
        activity=1,
        mode=ActivityMode.SUBCONTRACTED,
        subcontractor=found,
    )
    for number in (2, 5):
        ScopeActivity.objects.create(
            organisation=organisation, activity=number, mode=ActivityMode.IN_HOUSE
        )
    return found


@pytest.fixture
def foreign_subcontractor(db: None) -> Subcontractor:
    from tests.factories import OrganisationFactory

    other = OrganisationFactory(name="Autre", slug="autre-org")
    return Subcontractor.objects.create(organisation=other, name="Their provider")
