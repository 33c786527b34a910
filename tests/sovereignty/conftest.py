from __future__ import annotations

import pytest

from hdsready.models import Organisation
from scopes.models import Subcontractor


@pytest.fixture
def subcontractor(organisation: Organisation) -> Subcontractor:
    return Subcontractor.objects.create(organisation=organisation, name="DataCentre Nord")


@pytest.fixture
def foreign_subcontractor(db: None) -> Subcontractor:
    from tests.factories import OrganisationFactory

    other = OrganisationFactory(name="Autre", slug="autre-org")
    return Subcontractor.objects.create(organisation=other, name="Their provider")
