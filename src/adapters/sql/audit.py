"""The audit log in SQL: entries appended under a lock on the chain head row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.sql.tables.audit import audit_entries as t
from adapters.sql.tables.audit import audit_head as h
from adapters.sql.transaction import SqlTransaction
from commerce_core.audit.model import (
    Actor,
    AuditEntry,
    AuditRecord,
    ChainHead,
    Severity,
    seal,
)
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.ids import IdGenerator

_HEAD = sa.select(h.c.sequence, h.c.hash, h.c.entry_id).where(h.c.id == 1)
# FOR UPDATE makes concurrent appends queue on the head row (PostgreSQL); SQLite's writers
# already serialise on BEGIN IMMEDIATE. A verifier's FOR SHARE holds appends off meanwhile.
_HEAD_FOR_APPEND = _HEAD.with_for_update()
_HEAD_FOR_READ = _HEAD.with_for_update(read=True)
_MOVE_HEAD = h.update().where(h.c.id == 1).values(
    sequence=sa.bindparam("sequence"), hash=sa.bindparam("hash"),
    entry_id=sa.bindparam("entry_id"))
_CHAIN = (sa.select(t).where(t.c.sequence > sa.bindparam("after"))
          .order_by(t.c.sequence).limit(sa.bindparam("limit")))


def _row(entry: AuditEntry) -> dict[str, Any]:
    r = entry.record
    return {
        "id": entry.id, "sequence": entry.sequence, "occurred_at": r.occurred_at,
        "actor_kind": r.actor.kind, "actor_id": r.actor.subject,
        "actor_roles": list(r.actor.roles), "action": r.action,
        "entity_type": r.entity_type, "entity_id": r.entity_id, "before": r.before,
        "after": r.after, "severity": r.severity.value, "ip": r.ip,
        "session_id": r.session_id, "request_id": r.request_id,
        "prev_hash": entry.prev_hash, "hash": entry.hash,
    }


def entry_of(row: Any) -> AuditEntry:
    record = AuditRecord(
        action=row.action, actor=Actor(row.actor_kind, row.actor_id, tuple(row.actor_roles)),
        occurred_at=row.occurred_at, entity_type=row.entity_type, entity_id=row.entity_id,
        before=row.before, after=row.after, severity=Severity(row.severity), ip=row.ip,
        session_id=row.session_id, request_id=row.request_id,
    )
    return AuditEntry(row.id, int(row.sequence), record, row.prev_hash, row.hash)


class SqlAuditLog:
    def __init__(self, db: SqlTransaction, ids: IdGenerator) -> None:
        self._db, self._ids = db, ids

    def append(self, record: AuditRecord) -> AuditEntry:
        head = self._head(_HEAD_FOR_APPEND)
        entry = seal(record, head, self._ids.new_id())
        self._db.execute(t.insert(), _row(entry))
        self._db.execute(_MOVE_HEAD, {"sequence": entry.sequence, "hash": entry.hash,
                                      "entry_id": entry.id})
        return entry

    def head(self, *, lock: bool = False) -> ChainHead:
        return self._head(_HEAD_FOR_READ if lock else _HEAD)

    def _head(self, statement: sa.Select[Any]) -> ChainHead:
        row = self._db.execute(statement).one()
        return ChainHead(int(row.sequence), row.hash, row.entry_id)

    def chain(self, after_sequence: int, limit: int) -> list[AuditEntry]:
        rows = self._db.execute(_CHAIN, {"after": after_sequence, "limit": limit})
        return [entry_of(row) for row in rows]

    def search(self, criteria: AuditFilter) -> list[AuditEntry]:
        query = sa.select(t).order_by(t.c.sequence.desc()).limit(criteria.limit)
        if criteria.actor is not None:
            query = query.where(t.c.actor_id == criteria.actor)
        if criteria.action is not None:
            if criteria.action.endswith("."):
                query = query.where(t.c.action.startswith(criteria.action, autoescape=True))
            else:
                query = query.where(t.c.action == criteria.action)
        if criteria.entity_type is not None:
            query = query.where(t.c.entity_type == criteria.entity_type)
        if criteria.entity_id is not None:
            query = query.where(t.c.entity_id == criteria.entity_id)
        if criteria.since is not None:
            query = query.where(t.c.occurred_at >= criteria.since)
        return [entry_of(row) for row in self._db.execute(query)]
