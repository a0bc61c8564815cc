"""Which event types this process's subscriber takes, without a query per event.

The bus asks `wants(envelope)` before any transaction (and while a commit writes the outbox,
where a query could wait on the committing transaction's own lock), so the answer comes from a
snapshot of the active subscriptions' patterns. The snapshot is refreshed by the subscriber in
its own transaction and dropped by this process's webhook commands; while it is missing or
older than `refresh`, every event is wanted and the subscriber decides from stored state. A
subscription created by another process is thus noticed within `refresh` at the latest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import frozen

from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.webhooks.model import Subscription, matches


@frozen
class _Snapshot:
    patterns: frozenset[str]
    taken_at: datetime


class SubscribedTypes:
    def __init__(self, clock: Clock, refresh: timedelta) -> None:
        self._clock, self._refresh = clock, refresh
        self._snapshot: _Snapshot | None = None
        self.generation = 0  # moved by `invalidate`: a refresh read before it is dropped

    def wants(self, envelope: EventEnvelope) -> bool:
        snapshot = self._snapshot  # one read: another thread may replace it meanwhile
        if snapshot is None or self._clock.now() - snapshot.taken_at >= self._refresh:
            return True
        return any(matches(p, envelope.type) for p in snapshot.patterns)

    def refresh(self, active: list[Subscription], generation: int) -> None:
        """`active` as read by a transaction that began at `generation`."""
        if generation != self.generation:
            return  # a subscription changed since: the next reader takes a fresh look
        patterns = frozenset(p for s in active for p in s.event_types)
        self._snapshot = _Snapshot(patterns, self._clock.now())

    def invalidate(self) -> None:
        self.generation += 1
        self._snapshot = None
