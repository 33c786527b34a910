from __future__ import annotations

import pytest

from audits.models import Audit, AuditorAccess
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audits' personas)
from tests.audits.workflow_helpers import Cast, audit_in
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT for every test)


@pytest.fixture
def audit(cast: Cast) -> Audit:  # noqa: F811
    """An audit whose auditor holds an open access (accepted, window open)."""
    return audit_in("stage1_planned", cast)


@pytest.fixture
def access(audit: Audit) -> AuditorAccess:
    return AuditorAccess.objects.get(audit=audit, user__isnull=False)
