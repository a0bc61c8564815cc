"""The outbox and the inbox in memory, undone with their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from adapters.memory.base import InMemoryDatabase, Journal, OutboxRow
from commerce_core.shared.bus import backoff
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import outbox_status


class InMemoryOutbox:
    def __init__(self, db: InMemoryDatabase, clock: Clock, journal: Journal) -> None:
        self._db, self._clock, self._journal = db, clock, journal

    # Rows stay in `db.outbox` in commit order; `db.outbox_rows` finds one by event id and
    # `db.outbox_pending` holds those waiting, so marking and relaying cost what they touch,
    # not what the shop has ever published.
    def add(self, envelopes: Sequence[EventEnvelope]) -> None:
        now, db = self._clock.now(), self._db
        rows = [OutboxRow(e, status=outbox_status(e), written_at=now, seq=next(db.outbox_seq))
                for e in envelopes]
        db.outbox.extend(rows)
        for row in rows:
            db.outbox_rows[row.envelope.id] = row
            _track(db, row)
        added = {id(row) for row in rows}

        def undo() -> None:
            db.outbox[:] = [row for row in db.outbox if id(row) not in added]
            for row in rows:
                db.outbox_rows.pop(row.envelope.id, None)
                db.outbox_pending.pop(row.envelope.id, None)

        self._journal.then(undo)

    def _waiting(self) -> list[OutboxRow]:
        now = self._clock.now()
        due = [r for r in self._db.outbox_pending.values()
               if r.due_at is None or r.due_at <= now]
        due.sort(key=lambda r: r.seq)
        return due

    def pending(self, limit: int) -> list[EventEnvelope]:
        return [r.envelope for r in self._waiting()[:limit]]

    def claim_stream(self, prefix: str, limit: int) -> list[EventEnvelope] | None:
        # The unit of work holds the database lock: nobody else can hold the stream meanwhile.
        head = f"{prefix}."
        return [r.envelope for r in self._waiting() if r.envelope.type.startswith(head)][:limit]

    def _change(self, row: OutboxRow, **changes: Any) -> None:
        previous = attrs.asdict(row, recurse=False)
        for name, value in changes.items():
            setattr(row, name, value)
        _track(self._db, row)

        def undo() -> None:
            for name, value in previous.items():
                setattr(row, name, value)
            _track(self._db, row)

        self._journal.then(undo)

    def mark_published(self, event_ids: Sequence[str]) -> None:
        for event_id in dict.fromkeys(event_ids):
            row = self._db.outbox_rows.get(event_id)
            if row is not None:
                self._change(row, status="published")

    def mark_failed(self, event_id: str, error: str, now: datetime, max_attempts: int) -> None:
        row = self._db.outbox_rows.get(event_id)
        if row is not None and row.status == "pending":
            attempts = row.attempts + 1
            self._change(
                row, attempts=attempts, last_error=error, due_at=now + backoff(attempts),
                status="failed" if attempts >= max_attempts else "pending",
            )

    def stats(self) -> dict[str, int]:
        counts = {"pending": 0, "published": 0, "failed": 0}
        for row in self._db.outbox:
            counts[row.status] += 1
        return counts

    def oldest_pending(self) -> datetime | None:
        oldest = min(self._db.outbox_pending.values(), key=lambda r: r.seq, default=None)
        return None if oldest is None else oldest.written_at

    def all(self) -> list[EventEnvelope]:
        """Every row, oldest first (tests read what was committed)."""
        return [r.envelope for r in self._db.outbox]


def _track(db: InMemoryDatabase, row: OutboxRow) -> None:
    if row.status == "pending":
        db.outbox_pending[row.envelope.id] = row
    else:
        db.outbox_pending.pop(row.envelope.id, None)


class InMemoryInbox:
    """A second `record` of one event for one consumer raises `ConcurrencyConflict`, as the SQL
    inbox's primary key does: the effects of a duplicate delivery must not commit."""

    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    def seen(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self._db.inbox

    def seen_among(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        return {e for e in event_ids if (consumer, e) in self._db.inbox}

    def record_all(self, consumer: str, event_ids: Sequence[str]) -> None:
        for event_id in event_ids:
            self.record(consumer, event_id)

    def record(self, consumer: str, event_id: str) -> None:
        key = (consumer, event_id)
        if key in self._db.inbox:
            raise ConcurrencyConflict(
                f"{consumer} already applied event {event_id}", consumer=consumer,
                event_id=event_id,
            )
        self._db.inbox.add(key)
        self._journal.then(lambda: self._db.inbox.discard(key))
