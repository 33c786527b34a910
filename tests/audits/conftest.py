from __future__ import annotations

import pytest

from hdsready.models import Organisation, User
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.audits.workflow_helpers import Cast, evidence_for
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT for every test)
from tests.factories import UserFactory


@pytest.fixture
def scoped(organisation: Organisation, officer: User) -> Organisation:
    scope_set_activities(
        organisation=organisation,
        choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        actor=officer,
    )
    return organisation


@pytest.fixture
def auditor(db: None) -> User:
    """A certification body's auditor: no membership anywhere."""
    return UserFactory(email="auditor@organisme.test")


@pytest.fixture
def cast(scoped: Organisation, officer: User, contributor: User, auditor: User) -> Cast:
    """The people of an audit, and an evidence version linked to EXI 05 (workflow tests)."""
    return Cast(
        organisation=scoped,
        officer=officer,
        contributor=contributor,
        auditor=auditor,
        version=evidence_for(scoped, officer),
    )
