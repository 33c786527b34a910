from __future__ import annotations

# The audits personas and scope (dossiers print what the audits app holds), and an isolated
# MEDIA_ROOT for every test.
from tests.audits.conftest import auditor, scoped  # noqa: F401
from tests.evidence.conftest import store  # noqa: F401
