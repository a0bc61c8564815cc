"""Ports for the transactional outbox, the consumer inbox, and publishing relayed events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.shared.events import EventEnvelope


class Outbox(Protocol):
    """Events committed with the business change they describe, waiting to be published.

    `add` only stages rows in the current transaction: a rolled-back transaction leaves none.
    `pending` returns unpublished rows oldest first (the order in which they were committed
    for one aggregate); `mark_published` is idempotent.
    """

    def add(self, envelopes: Sequence[EventEnvelope]) -> None: ...

    def pending(self, limit: int) -> list[EventEnvelope]:
        """Unpublished rows that are due, oldest first."""
        ...

    def claim_stream(self, prefix: str, limit: int) -> list[EventEnvelope] | None:
        """Unpublished due rows of one stream (types `prefix.*`), oldest first, held for this
        transaction; None when another transaction holds that stream.

        While one transaction holds a stream, no other gets its rows until it ends, so a relay
        can publish them and mark them published before anyone else sees them. Stores that let
        one writer in at a time (SQLite, memory) never answer None.
        """
        ...

    def mark_published(self, event_ids: Sequence[str]) -> None: ...

    def mark_failed(self, event_id: str, error: str, now: datetime, max_attempts: int) -> None:
        """Count a failed delivery; the row is due again after `backoff(attempts)` from `now`,
        and after `max_attempts` it becomes `failed` and is no longer returned by `pending`."""
        ...

    def stats(self) -> dict[str, int]:
        """Row counts by status (`pending`, `published`, `failed`)."""
        ...

    def oldest_pending(self) -> datetime | None:
        """When the oldest row still waiting to be relayed was written (None: none waits)."""
        ...


class Inbox(Protocol):
    """Which events each consumer has already applied, written with the consumer's effects."""

    def seen(self, consumer: str, event_id: str) -> bool: ...

    def record(self, consumer: str, event_id: str) -> None: ...

    def seen_among(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Which of `event_ids` the consumer has applied (one read for a batch)."""
        ...

    def record_all(self, consumer: str, event_ids: Sequence[str]) -> None:
        """`record` for each event (one write for a batch); any already recorded is a
        `ConcurrencyConflict`, as for `record`."""
        ...


class EventPublisher(Protocol):
    """Hands committed events to their consumers (in-process subscribers or a broker).

    Delivery is at least once: a publisher may deliver an event again after a crash, and every
    consumer absorbs the duplicate through its inbox.
    """

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None: ...
