"""State changes of the scopes app: catalog, scope, certificates, SoA, readiness."""


class ScopeError(Exception):
    """A change the scopes app refuses; its message is shown to the user as it is."""
