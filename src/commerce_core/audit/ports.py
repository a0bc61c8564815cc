"""Where audit entries are kept."""

from __future__ import annotations

from typing import Protocol

from commerce_core.audit.model import Actor, AuditEntry, AuditRecord, ChainHead, Severity, to_json
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.uow import UnitOfWork

# What another context needs to record a security event through its unit of work's `audit`.
__all__ = [
    "Actor", "AuditEntry", "AuditFilter", "AuditLog", "AuditRecord", "AuditUnitOfWork",
    "ChainHead", "Severity", "to_json",
]


class AuditLog(Protocol):
    """The append-only log of one unit of work's transaction.

    `append` seals the record after the current head (`model.seal`, with a new id), inserts it
    and moves the head, in this transaction: it commits or rolls back with the change it records.
    Appends serialise: the head is locked until the transaction ends, so two concurrent appends
    never fork the chain. Nothing updates or deletes an entry.
    """

    def append(self, record: AuditRecord) -> AuditEntry: ...

    def head(self, *, lock: bool = False) -> ChainHead:
        """The chain head; `lock` holds appends off until the transaction ends (a verifier's
        consistent read)."""
        ...

    def chain(self, after_sequence: int, limit: int) -> list[AuditEntry]:
        """Up to `limit` entries with a sequence above `after_sequence`, ascending."""
        ...

    def search(self, criteria: AuditFilter) -> list[AuditEntry]:
        """Entries matching `criteria`, newest first."""
        ...


class AuditUnitOfWork(UnitOfWork, Protocol):
    @property
    def audit(self) -> AuditLog: ...
