"""Following committed events live: the `EventFeed` port, its in-process fan-out, the
`OrderTimeline` read port for replay, and what a shopper may see of an event (ADR 0024).

A feed hands listeners the events that committed (never uncommitted state), in batches, from
whatever thread publishes them: the message bus in embedded mode, or a reader of the broker in
service mode. Delivery is at least once and may repeat an event; followers deduplicate by id.
An order's events are those whose `aggregate_id` or payload `order_id` is the order's id, so a
context that adds events about orders (shipping, returns) joins the stream without a change
here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Final, Protocol

from commerce_core.shared.events import EventEnvelope, JsonDict

log = logging.getLogger("commerce.feed")

Listener = Callable[[Sequence[EventEnvelope]], None]
"""Called with a batch of committed events, from the publisher's thread: it must not block."""

Unsubscribe = Callable[[], None]


class EventFeed(Protocol):
    """Committed events as they are published. `subscribe` returns at once; every event
    published after it returns reaches the listener (some published shortly before may too).
    Calling the returned function stops the deliveries; calling it twice is harmless."""

    def subscribe(self, listener: Listener) -> Unsubscribe: ...


class LocalFeed:
    """The in-process feed: fans each published batch out to every listener. Thread-safe; a
    listener that raises is logged and does not keep the batch from the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[int, Listener] = {}
        self._next = 0

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._listeners)

    def subscribe(self, listener: Listener) -> Unsubscribe:
        with self._lock:
            key, self._next = self._next, self._next + 1
            self._listeners[key] = listener

        def unsubscribe() -> None:
            with self._lock:
                self._listeners.pop(key, None)

        return unsubscribe

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        if not envelopes:
            return
        with self._lock:
            listeners = list(self._listeners.values())
        batch = tuple(envelopes)
        for listener in listeners:
            try:
                listener(batch)
            except Exception:  # one broken follower must not cost the others their events
                log.exception("an event feed listener failed")


class OrderTimeline(Protocol):
    """The committed events about one order, read back for a follower that (re)connects."""

    def events(self, order_id: str, *, after: str | None, limit: int) -> list[EventEnvelope]:
        """Events `concerns_order` admits, with an id greater than `after` (all when None),
        oldest id first, at most `limit`; committed ones only, whatever their delivery."""
        ...


ORDER_KEY: Final = "order_id"


def concerns_order(envelope: EventEnvelope, order_id: str) -> bool:
    """Whether the event is about the order: it is the order's own, or names it."""
    return envelope.aggregate_id == order_id or envelope.payload.get(ORDER_KEY) == order_id


def stream_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]


# Facts about an order that are the shop's business, not the shopper's, though they name it.
INTERNAL_TYPES: Final = frozenset({
    "fulfillment.sla_breached", "fulfillment.qc_failed", "payment.collection_mismatched",
})

# What a follower sees of a payload: states, numbers a shopper is shown anyway, and amounts.
# Never names, emails, addresses, tokens, references at a provider or free text.
PUBLIC_FIELDS: Final = (
    "status", "old_status", "new_status", "previous_status",
    "order_number", "fulfillment_number", "package_number", "shipment_number", "return_number",
    "carrier", "tracking_number", "tracking_url",
    "amount", "total", "total_captured", "total_refunded", "final", "full",
    "payment_method",
)


class OrderEvents:
    """Which events an order's followers see (`admits`), and how (`view`): the event types of
    the given streams (first segments), less the internal ones, that concern the order."""

    def __init__(self, streams: Iterable[str], hidden: Collection[str] = INTERNAL_TYPES) -> None:
        self.streams = frozenset(s.strip() for s in streams if s.strip())
        self.hidden = frozenset(hidden)

    def admits(self, envelope: EventEnvelope, order_id: str) -> bool:
        return (stream_of(envelope.type) in self.streams and envelope.type not in self.hidden
                and concerns_order(envelope, order_id))

    @staticmethod
    def view(envelope: EventEnvelope) -> JsonDict:
        """The public projection: stable keys, only allow-listed payload fields."""
        payload = envelope.payload
        data: dict[str, Any] = {name: _public(payload[name]) for name in PUBLIC_FIELDS
                                if name in payload and payload[name] is not None}
        return {"id": envelope.id, "type": envelope.type,
                "occurred_at": envelope.occurred_at.isoformat(), "data": data}


def _public(value: Any) -> Any:
    # Money travels as {"amount", "currency"}; anything else nested is left out.
    if isinstance(value, dict):
        return {k: value[k] for k in ("amount", "currency") if k in value}
    return value
