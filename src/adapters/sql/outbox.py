"""The transactional outbox and the consumer inbox, in the unit of work's transaction."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import Row
from adapters.sql.tables.messaging import OUTBOX_STATUSES, inbox, outbox
from adapters.sql.transaction import SqlTransaction
from commerce_core.shared.bus import backoff
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import outbox_status

_o = outbox.c
_ENVELOPE = (
    _o.id, _o.type, _o.version, _o.aggregate_id, _o.occurred_at, _o.correlation_id,
    _o.causation_id, _o.payload,
)
_PENDING = (
    sa.select(*_ENVELOPE)
    .where(
        _o.status == "pending",
        sa.or_(_o.due_at.is_(None), _o.due_at <= sa.bindparam("now")),
    )
    .order_by(_o.seq)
    .limit(sa.bindparam("limit"))
)
# Concurrent relays each claim different rows instead of queueing behind one another.
_PENDING_CLAIMED = _PENDING.with_for_update(skip_locked=True)
_STREAM = (
    sa.select(*_ENVELOPE)
    .where(
        _o.status == "pending",
        sa.or_(_o.due_at.is_(None), _o.due_at <= sa.bindparam("now")),
        # An exact prefix test: LIKE would read `_` in a stream name as a wildcard.
        sa.func.substr(_o.type, 1, sa.bindparam("head_length")) == sa.bindparam("head"),
    )
    .order_by(_o.seq)
    .limit(sa.bindparam("limit"))
)
_STREAM_CLAIMED = _STREAM.with_for_update(skip_locked=True)
# The two-key form of the advisory lock, with a key space of our own, so a stream's lock cannot
# collide with advisory locks other code takes on the same database.
_RELAY_LOCK_SPACE = 0x6F62_7872  # "obxr"
_TRY_STREAM_LOCK = sa.select(
    sa.func.pg_try_advisory_xact_lock(
        sa.bindparam("space", type_=sa.Integer), sa.bindparam("key", type_=sa.Integer)
    )
)
_PUBLISHED = (
    outbox.update()
    .where(_o.id.in_(sa.bindparam("ids", expanding=True)))
    .values(status="published", published_at=sa.bindparam("now", type_=_o.published_at.type))
)
_ATTEMPTS = (
    sa.select(_o.attempts)
    .where(_o.id == sa.bindparam("event_id"), _o.status == "pending")
    .with_for_update()
)
_FAILED = (
    outbox.update()
    .where(_o.id == sa.bindparam("event_id"))
    .values(
        attempts=sa.bindparam("p_attempts"),
        last_error=sa.bindparam("p_error"),
        due_at=sa.bindparam("p_due_at", type_=_o.due_at.type),
        status=sa.bindparam("p_status"),
    )
)
_ALL = sa.select(*_ENVELOPE).order_by(_o.seq)
_STATS = sa.select(_o.status, sa.func.count().label("n")).group_by(_o.status)
_OLDEST_PENDING = (
    sa.select(_o.created_at).where(_o.status == "pending").order_by(_o.seq).limit(1)
)


class SqlOutbox:
    def __init__(self, db: SqlTransaction, clock: Clock) -> None:
        self._db, self._clock = db, clock

    def add(self, envelopes: Sequence[EventEnvelope]) -> None:
        if not envelopes:
            return
        now = self._clock.now()
        rows: list[dict[str, object]] = [
            {
                "id": envelope.id,
                "type": envelope.type,
                "version": envelope.version,
                "aggregate_id": envelope.aggregate_id,
                "occurred_at": envelope.occurred_at,
                "correlation_id": envelope.correlation_id,
                "causation_id": envelope.causation_id,
                "payload": envelope.payload,
                "status": (status := outbox_status(envelope)),
                "attempts": 0,
                "last_error": None,
                "due_at": None,
                "published_at": now if status == "published" else None,
                "created_at": now,
            }
            for envelope in envelopes
        ]
        # Numbered in the order given, by the identity column on PostgreSQL and by the batch
        # on SQLite (the unit of work's BEGIN IMMEDIATE holds the write lock, so no other
        # transaction can take the same numbers); sent with the commit's other writes.
        self._db.insert(outbox, rows, numbered="seq")

    def pending(self, limit: int) -> list[EventEnvelope]:
        statement = _PENDING_CLAIMED if self._db.is_postgres else _PENDING
        rows = self._db.execute(statement, {"now": self._clock.now(), "limit": limit})
        return [_envelope(row) for row in rows]

    def claim_stream(self, prefix: str, limit: int) -> list[EventEnvelope] | None:
        params = {"now": self._clock.now(), "limit": limit, "head": f"{prefix}.",
                  "head_length": len(prefix) + 1}
        if not self._db.is_postgres:
            # SQLite: the unit of work's BEGIN IMMEDIATE already keeps every other writer out.
            return [_envelope(row) for row in self._db.execute(_STREAM, params)]
        lock = {"space": _RELAY_LOCK_SPACE, "key": stream_lock_key(prefix)}
        if not self._db.execute(_TRY_STREAM_LOCK, lock).scalar_one():
            return None
        return [_envelope(row) for row in self._db.execute(_STREAM_CLAIMED, params)]

    def mark_published(self, event_ids: Sequence[str]) -> None:
        if event_ids:
            self._db.execute(_PUBLISHED, {"ids": list(event_ids), "now": self._clock.now()})

    def mark_failed(self, event_id: str, error: str, now: datetime, max_attempts: int) -> None:
        attempts = self._db.execute(_ATTEMPTS, {"event_id": event_id}).scalar_one_or_none()
        if attempts is None:
            return  # unknown, published or already failed: nothing left to retry
        attempts += 1
        self._db.execute(
            _FAILED,
            {
                "event_id": event_id,
                "p_attempts": attempts,
                "p_error": error,
                "p_due_at": now + backoff(attempts),
                "p_status": "failed" if attempts >= max_attempts else "pending",
            },
        )

    def stats(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTBOX_STATUSES, 0)
        for row in self._db.execute(_STATS):
            counts[row.status] = int(row.n)
        return counts

    def oldest_pending(self) -> datetime | None:
        oldest: datetime | None = self._db.execute(_OLDEST_PENDING).scalar_one_or_none()
        return oldest

    def all(self) -> list[EventEnvelope]:
        """Every row, oldest first (tests read what was committed)."""
        return [_envelope(row) for row in self._db.execute(_ALL)]


def stream_lock_key(prefix: str) -> int:
    """A stream's advisory lock key: the same in every process and release (CRC-32, as int4)."""
    key = zlib.crc32(prefix.encode())
    return key - (1 << 32) if key >= 1 << 31 else key


def _envelope(row: Row) -> EventEnvelope:
    return EventEnvelope(
        id=row.id,
        type=row.type,
        version=row.version,
        occurred_at=row.occurred_at,
        aggregate_id=row.aggregate_id,
        payload=row.payload,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
    )


_i = inbox.c
_SEEN = sa.select(sa.literal(1)).where(
    _i.consumer == sa.bindparam("p_consumer"), _i.event_id == sa.bindparam("p_event_id")
)
_SEEN_AMONG = sa.select(_i.event_id).where(
    _i.consumer == sa.bindparam("p_consumer"),
    _i.event_id.in_(sa.bindparam("p_event_ids", expanding=True)),
)
_RECORD = inbox.insert()


class SqlInbox:
    """A second `record` of one event for one consumer raises `ConcurrencyConflict` (the primary
    key), so a duplicate delivery that raced past `seen` rolls its effects back."""

    def __init__(self, db: SqlTransaction, clock: Clock) -> None:
        self._db, self._clock = db, clock

    def seen(self, consumer: str, event_id: str) -> bool:
        params = {"p_consumer": consumer, "p_event_id": event_id}
        return self._db.execute(_SEEN, params).first() is not None

    def record(self, consumer: str, event_id: str) -> None:
        self._db.execute(
            _RECORD,
            {"consumer": consumer, "event_id": event_id, "processed_at": self._clock.now()},
        )

    def seen_among(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        if not event_ids:
            return set()
        params = {"p_consumer": consumer, "p_event_ids": list(event_ids)}
        return set(self._db.execute(_SEEN_AMONG, params).scalars())

    def record_all(self, consumer: str, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        now = self._clock.now()
        self._db.execute(_RECORD, [{"consumer": consumer, "event_id": event_id,
                                    "processed_at": now} for event_id in event_ids])
