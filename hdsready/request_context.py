"""The client address of the current request, for the audit trail.

Services take the actor explicitly; the IP address is set once per request by middleware so that
every service does not need an `ip` argument. Outside a request (tasks, commands) it is None.
"""

from __future__ import annotations

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
