"""Outbox contract for the service-mode relay: one stream's rows claimed oldest first, and on
PostgreSQL held by one transaction at a time (ADR 0006, "The relay")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.shared.bus import backoff
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.relay import OutboxRelay
from tests.contract.builders import envelope
from tests.contract.conftest import Store


def commit(store: Store, *envelopes: EventEnvelope) -> None:
    with store.uow() as uow:
        uow.outbox.add(list(envelopes))
        uow.commit()


def test_a_stream_claim_returns_only_that_streams_rows_oldest_first(store: Store) -> None:
    first = envelope(store, event_type="order.created")
    other = envelope(store, event_type="cart.created")
    second = envelope(store, event_type="order.confirmed")
    lookalike = envelope(store, event_type="orders.created")
    commit(store, first, other)
    commit(store, second, lookalike)

    with store.uow() as uow:
        claimed = uow.outbox.claim_stream("order", 10)

    assert claimed == [first, second]


def test_a_stream_claim_stops_at_the_limit(store: Store) -> None:
    sent = [envelope(store, event_type="order.noted") for _ in range(4)]
    commit(store, *sent)

    with store.uow() as uow:
        claimed = uow.outbox.claim_stream("order", 3)

    assert claimed == sent[:3]


def test_a_stream_claim_leaves_out_published_and_waiting_rows(store: Store) -> None:
    published, waiting, due = (envelope(store, event_type="order.noted") for _ in range(3))
    commit(store, published, waiting, due)
    with store.uow() as uow:
        uow.outbox.mark_published([published.id])
        uow.outbox.mark_failed(waiting.id, "broker down", store.clock.now(), max_attempts=5)
        uow.commit()

    with store.uow() as uow:
        while_waiting = uow.outbox.claim_stream("order", 10)
    store.clock.advance(backoff(1))
    with store.uow() as uow:
        once_due = uow.outbox.claim_stream("order", 10)

    assert while_waiting == [due]
    assert once_due == [waiting, due]


def test_a_stream_with_nothing_pending_gives_an_empty_claim(store: Store) -> None:
    commit(store, envelope(store, event_type="cart.created"))

    with store.uow() as uow:
        assert uow.outbox.claim_stream("order", 10) == []


class Recording:
    def __init__(self) -> None:
        self.published: list[str] = []

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        self.published += [e.id for e in envelopes]


def test_the_relay_publishes_every_stream_in_order_and_marks_it(store: Store) -> None:
    sent = [envelope(store, event_type=t)
            for t in ("order.created", "cart.created", "order.confirmed", "payment.captured")]
    commit(store, *sent)
    publisher = Recording()
    relay = OutboxRelay(store.uow, publisher, ["cart", "order", "payment"], batch=1)

    passes = [relay.run_once() for _ in range(3)]

    assert passes == [3, 1, 0]
    assert publisher.published == [sent[i].id for i in (1, 0, 3, 2)]
    with store.uow() as uow:
        assert uow.outbox.stats() == {"pending": 0, "published": 4, "failed": 0}


class Down:
    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        raise ConnectionError("the broker is down")


def test_a_failed_publish_leaves_the_rows_pending(store: Store) -> None:
    sent = envelope(store, event_type="order.created")
    commit(store, sent)

    with pytest.raises(ConnectionError):
        OutboxRelay(store.uow, Down(), ["order"]).run_once()

    with store.uow() as uow:
        assert uow.outbox.claim_stream("order", 10) == [sent]


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Store]:
    clock, ids = FrozenClock(), SequentialIds()
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=clock, ids=ids,
                       pool_size=3)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Store("postgres", factory, clock, ids)
    finally:
        factory.dispose()


def test_on_postgresql_a_second_relay_gets_none_while_the_first_holds_the_stream(
    postgres: Store,
) -> None:
    orders = [envelope(postgres, event_type="order.noted") for _ in range(3)]
    cart = envelope(postgres, event_type="cart.created")
    commit(postgres, *orders, cart)

    with postgres.uow() as first, postgres.uow() as second:
        held = first.outbox.claim_stream("order", 2)
        refused = second.outbox.claim_stream("order", 10)
        other_stream = second.outbox.claim_stream("cart", 10)
    with postgres.uow() as after:
        released = after.outbox.claim_stream("order", 10)

    assert held == orders[:2]
    assert refused is None
    assert other_stream == [cart]
    assert released == orders
