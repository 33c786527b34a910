from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine

from audits.deadlines import PARIS
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


@pytest.fixture
def clock_after_the_2027_decisions() -> Iterator[None]:
    """For scenarios with fixed 2027 dates (on-site audit ending 31 January, decisions in March
    and April): the clock stands after the decisions (a decision is not dated in the future)
    and before the correction deadline of 30 April 2027."""
    with time_machine.travel(datetime(2027, 4, 20, 10, 0, tzinfo=PARIS), tick=True):
        yield
