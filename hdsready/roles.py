"""Which object permissions on its organisation each role gives (pure data, no ORM)."""

from __future__ import annotations

from hdsready.models import Role

VIEW = "view_organisation"
MANAGE = "manage_organisation"
EDIT_READINESS = "edit_readiness"
PRINT_DOSSIER = "print_dossier"
VIEW_TRAIL = "view_trail"

ALL_ORGANISATION_PERMS: frozenset[str] = frozenset(
    {VIEW, MANAGE, EDIT_READINESS, PRINT_DOSSIER, VIEW_TRAIL}
)

ROLE_PERMS: dict[str, frozenset[str]] = {
    # The compliance officer manages everything in the organisation.
    Role.OFFICER: ALL_ORGANISATION_PERMS,
    # Contributors edit readiness and evidence.
    Role.CONTRIBUTOR: frozenset({VIEW, EDIT_READINESS}),
    # Managers follow progress and print dossiers.
    Role.MANAGER: frozenset({VIEW, PRINT_DOSSIER}),
}
