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

    def add(self, envelopes: Sequence[EventEnvelope]) -> None:
        rows = [OutboxRow(e, status=outbox_status(e)) for e in envelopes]
        self._db.outbox.extend(rows)
        added = {id(row) for row in rows}

        def undo() -> None:
            self._db.outbox[:] = [row for row in self._db.outbox if id(row) not in added]

        self._journal.then(undo)

    def pending(self, limit: int) -> list[EventEnvelope]:
        now = self._clock.now()
        return [
            r.envelope for r in self._db.outbox
            if r.status == "pending" and (r.due_at is None or r.due_at <= now)
        ][:limit]

    def claim_stream(self, prefix: str, limit: int) -> list[EventEnvelope] | None:
        # The unit of work holds the database lock: nobody else can hold the stream meanwhile.
        head = f"{prefix}."
        now = self._clock.now()
        return [
            r.envelope for r in self._db.outbox
            if r.status == "pending" and r.envelope.type.startswith(head)
            and (r.due_at is None or r.due_at <= now)
        ][:limit]

    def _change(self, row: OutboxRow, **changes: Any) -> None:
        previous = attrs.asdict(row, recurse=False)
        for name, value in changes.items():
            setattr(row, name, value)

        def undo() -> None:
            for name, value in previous.items():
                setattr(row, name, value)

        self._journal.then(undo)

    def mark_published(self, event_ids: Sequence[str]) -> None:
        ids = set(event_ids)
        for row in self._db.outbox:
            if row.envelope.id in ids:
                self._change(row, status="published")

    def mark_failed(self, event_id: str, error: str, now: datetime, max_attempts: int) -> None:
        for row in self._db.outbox:
            if row.envelope.id == event_id and row.status == "pending":
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

    def all(self) -> list[EventEnvelope]:
        """Every row, oldest first (tests read what was committed)."""
        return [r.envelope for r in self._db.outbox]


class InMemoryInbox:
    """A second `record` of one event for one consumer raises `ConcurrencyConflict`, as the SQL
    inbox's primary key does: the effects of a duplicate delivery must not commit."""

    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    def seen(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self._db.inbox

    def record(self, consumer: str, event_id: str) -> None:
        key = (consumer, event_id)
        if key in self._db.inbox:
            raise ConcurrencyConflict(
                f"{consumer} already applied event {event_id}", consumer=consumer,
                event_id=event_id,
            )
        self._db.inbox.add(key)
        self._journal.then(lambda: self._db.inbox.discard(key))
