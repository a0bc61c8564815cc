"""The outbox relay for service mode: committed events to a broker, stream by stream, in order.

A stream is the first segment of an event type (`order` for `order.confirmed`); the broker keeps
one ordered log per stream. The relay claims one stream at a time (`Outbox.claim_stream`), so
however many relays run, one stream has one publisher at a time and its events go out in outbox
order; relays work in parallel across streams. Rows are published while the claim is held and
marked published in the same transaction. A crash between the two publishes them again on the
next pass: delivery is at least once, and each consumer's inbox absorbs the duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from commerce_core.shared.outbox import EventPublisher
from commerce_core.shared.uow import UnitOfWorkFactory


def stream_of(event_type: str) -> str:
    """The stream an event type travels on: its first segment."""
    return event_type.split(".", 1)[0]


def streams_of(event_types: Iterable[str]) -> list[str]:
    return sorted({stream_of(t) for t in event_types})


class OutboxRelay:
    """Publishes pending outbox rows, `batch` per stream per pass.

    A publisher failure (the broker is down) propagates after the transaction rolled back: the
    rows stay pending, unmarked, and the caller decides when to try again.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[Any],
        publisher: EventPublisher,
        streams: Sequence[str],
        batch: int = 100,
    ) -> None:
        if batch < 1:
            raise ValueError("the relay batch must be at least 1")
        self._uow, self._publisher = uow, publisher
        self.streams, self.batch = tuple(streams), batch

    def run_once(self) -> int:
        """One batch of every stream no other relay holds; returns how many events went out."""
        return sum(self.relay_stream(stream) for stream in self.streams)

    def relay_stream(self, stream: str) -> int:
        with self._uow() as uow:
            envelopes = uow.outbox.claim_stream(stream, self.batch)
            if not envelopes:  # nothing pending, or another relay holds the stream
                return 0
            self._publisher.publish(envelopes)
            uow.outbox.mark_published([envelope.id for envelope in envelopes])
            uow.commit()
        return len(envelopes)
