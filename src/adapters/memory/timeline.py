"""`OrderTimeline` over the in-memory outbox (ADR 0024)."""

from __future__ import annotations

from adapters.memory.base import InMemoryDatabase
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import concerns_order


class InMemoryOrderTimeline:
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def events(self, order_id: str, *, after: str | None, limit: int) -> list[EventEnvelope]:
        # Under the database lock: a unit of work in progress holds it, so its rows, which
        # may yet be rolled back, are never read.
        with self._db.lock:
            envelopes = [row.envelope for row in self._db.outbox]
        found = sorted((e for e in envelopes
                        if (after is None or e.id > after) and concerns_order(e, order_id)),
                       key=lambda e: e.id)
        return found[:limit]
