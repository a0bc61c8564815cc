"""Who is acting and from where, set by the entry point around the commands it runs.

The HTTP admin guard and the CLI set it; the message bus asks `CommandAudit` whether a command
run under it is audited. A contextvar, so it follows the request into the thread that runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from attrs import frozen

from commerce_core.shared.principal import Principal


@frozen
class AuditContext:
    principal: Principal
    ip: str | None = None
    session_id: str | None = None
    request_id: str | None = None


current_audit_context: ContextVar[AuditContext | None] = ContextVar(
    "current_audit_context", default=None
)


@contextmanager
def acting(context: AuditContext) -> Iterator[AuditContext]:
    """Run the block as `context`'s principal: staff and app commands in it are audited."""
    token = current_audit_context.set(context)
    try:
        yield context
    finally:
        current_audit_context.reset(token)
