"""State changes of the core (STYLE rule 2): organisations, memberships, invitations, MFA."""


class CoreError(Exception):
    """A state change the core refuses; its message is shown to the user as it is."""
