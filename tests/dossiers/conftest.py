from __future__ import annotations

import pytest

from audits.services.cycle import cycle_create
from hdsready.models import Role

# The audits personas and scope (dossiers print what the audits app holds), and an isolated
# MEDIA_ROOT for every test.
from tests.audits.conftest import auditor, scoped  # noqa: F401
from tests.dossiers.helpers import stored_dossier
from tests.evidence.conftest import store  # noqa: F401
from tests.factories import OrganisationFactory, make_member


@pytest.fixture
def cycle(scoped, officer):  # noqa: F811  (the fixture imported above)
    return cycle_create(
        organisation=scoped, certification_body="Organisme X", accreditation="5-0001", actor=officer
    )


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Ailleurs", slug="ailleurs")


@pytest.fixture
def other_officer(other_organisation):
    return make_member(other_organisation, Role.OFFICER, email="officer@ailleurs.test")


@pytest.fixture
def ready(organisation, manager, cycle):
    return stored_dossier(organisation, manager, cycle=cycle)


@pytest.fixture
def foreign(other_organisation, other_officer):
    """A ready dossier of another organisation."""
    return stored_dossier(other_organisation, other_officer)
