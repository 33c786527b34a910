"""State changes of the audits app: every transition checks the current state against
AUDIT_TRANSITIONS, locks the row, writes one trail event, and schedules effects after commit."""


class AuditError(Exception):
    """A change the audits app refuses; its message is shown to the user as it is."""
