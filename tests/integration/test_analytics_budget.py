"""Statement budget of analytics' batch recording on SQLite and PostgreSQL: counted, never
timed. A batch costs the same statements whatever its size (up to a chunk) and however many
event types it mixes: one look-up of the keys already stored, one multi-row INSERT; an event
analytics reads one at a time costs the same two, besides the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import SqlUnitOfWorkFactory, bundle
from commerce_core import Commerce
from commerce_core.shared.events import EventEnvelope
from tests.statements import Counted, counting
from tests.unit.analytics.support import ANALYTICS, DAY1, Events, analytics_ports

# (statements, transactions) by dialect: the batch's look-up and INSERT (SQLite opens its
# transaction with a `BEGIN IMMEDIATE` statement); one delivered event adds the inbox's check
# and its row.
BATCH = {"sqlite": (3, 1), "postgresql": (2, 1)}
ONE_DELIVERED = {"sqlite": (5, 1), "postgresql": (4, 1)}


@attrs.define
class Shop:
    commerce: Commerce
    engine: sa.Engine
    dialect: str

    def counting(self) -> AbstractContextManager[Counted]:
        return counting(self.engine)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = attrs.evolve(bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                ids=SequentialIds(), pool_size=2),
                         analytics=analytics_ports())
    assert isinstance(ports.uow, SqlUnitOfWorkFactory)
    try:
        yield Shop(Commerce(ports), ports.uow.engine, request.param)
    finally:
        ports.uow.dispose()


def mixed(count: int) -> list[EventEnvelope]:
    """`count` events cycling through eleven types analytics reads."""
    e = Events()
    makers = [
        lambda n, at: e.order_created(f"o{n}", at),
        lambda n, at: e.status(f"o{n}", "confirmed", at),
        lambda n, at: e.captured(f"p{n}", f"o{n}", 100 + n, at),
        lambda n, at: e.refunded(f"p{n}", f"o{n}", 1, at, refund=f"r{n}"),
        lambda n, at: e.shipment_created(f"s{n}", f"o{n}", at),
        lambda n, at: e.shipment_status(f"s{n}", f"o{n}", "delivered", at),
        lambda n, at: e.return_requested(f"ret{n}", f"o{n}", at),
        lambda n, at: e.return_completed(f"ret{n}", f"o{n}", 5, at),
        lambda n, at: e.cart("cart.created", f"c{n}", at, customer_id=None),
        lambda n, at: e.cart("cart.item_added", f"c{n}", at, product_id="p", quantity=1),
        lambda n, at: e.cart("cart.checkout_started", f"c{n}", at),
    ]
    return [makers[n % len(makers)](n, DAY1 + timedelta(seconds=n)) for n in range(count)]


@pytest.mark.parametrize("count", [3, 11, 400])
def test_a_batch_costs_the_same_statements_whatever_its_size_and_types(shop: Shop,
                                                                       count: int) -> None:
    events = mixed(count)

    with shop.counting() as counted:
        recorded = shop.commerce.analytics.record(events)

    assert recorded == count
    assert (counted.statements, counted.transactions) == BATCH[shop.dialect]


def test_an_event_delivered_alone_costs_the_inbox_and_the_batch_of_one(shop: Shop) -> None:
    (event,) = mixed(1)

    with shop.counting() as counted:
        assert shop.commerce.bus.deliver(event, only=ANALYTICS) == {}

    assert (counted.statements, counted.transactions) == ONE_DELIVERED[shop.dialect]


# The in-process relay hands analytics a pass's events at once: one transaction reads the
# inbox for all of them, records the batch and writes their inbox rows; the relay then marks
# them published in a transaction of its own.
RELAYED = {"sqlite": (7, 2), "postgresql": (5, 2)}


@pytest.mark.parametrize("count", [2, 40])
def test_a_relayed_pass_costs_analytics_one_transaction_whatever_its_size(shop: Shop,
                                                                          count: int) -> None:
    e = Events()
    events = [e.cart("cart.created", f"c{n}", DAY1 + timedelta(seconds=n), customer_id=None)
              for n in range(count)]
    assert all({s.name for s in shop.commerce.bus.subscribers()
                if s.event_type == event.type} == set(ANALYTICS) for event in events)

    with shop.counting() as counted:
        assert shop.commerce.bus.relay(events) == count

    assert (counted.statements, counted.transactions) == RELAYED[shop.dialect]
    with shop.counting() as again:
        assert shop.commerce.bus.relay(events) == count  # a redelivery: the inbox absorbs it
    assert again.transactions == 2
