"""The audit log in memory: entries by sequence and the head, both undone on rollback."""

from __future__ import annotations

from typing import Any, Self

from adapters.memory.base import InMemoryDatabase, Journal
from commerce_core.audit.model import EMPTY, AuditEntry, AuditRecord, ChainHead, seal
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.ids import IdGenerator

_ENTRIES, _HEAD = "audit_entries", "audit_head"


def matches(entry: AuditEntry, criteria: AuditFilter) -> bool:
    record = entry.record
    if criteria.actor is not None and record.actor.subject != criteria.actor:
        return False
    if criteria.action is not None:
        if criteria.action.endswith("."):
            if not record.action.startswith(criteria.action):
                return False
        elif record.action != criteria.action:
            return False
    if criteria.entity_type is not None and record.entity_type != criteria.entity_type:
        return False
    if criteria.entity_id is not None and record.entity_id != criteria.entity_id:
        return False
    return criteria.since is None or record.occurred_at >= criteria.since


class InMemoryAuditLog:
    """Serialised by the database lock every unit of work holds, as the SQL head lock does."""

    def __init__(self, db: InMemoryDatabase, journal: Journal, ids: IdGenerator) -> None:
        self._db, self._journal, self._ids = db, journal, ids

    @classmethod
    def over(cls, scope: Any) -> Self:
        return cls(scope.db, scope.journal, scope.ids)

    @property
    def _entries(self) -> dict[str, Any]:
        return self._db.table(_ENTRIES)

    def append(self, record: AuditRecord) -> AuditEntry:
        entry = seal(record, self.head(), self._ids.new_id())
        self._journal.put(self._entries, str(entry.sequence), entry)
        self._journal.put(self._db.table(_HEAD), "head", entry.head())
        return entry

    def head(self, *, lock: bool = False) -> ChainHead:
        head: ChainHead = self._db.table(_HEAD).get("head", EMPTY)
        return head

    def chain(self, after_sequence: int, limit: int) -> list[AuditEntry]:
        entries = sorted((e for e in self._entries.values() if e.sequence > after_sequence),
                         key=lambda e: e.sequence)
        return entries[:limit]

    def search(self, criteria: AuditFilter) -> list[AuditEntry]:
        found = [e for e in self._entries.values() if matches(e, criteria)]
        found.sort(key=lambda e: e.sequence, reverse=True)
        return found[:criteria.limit]
