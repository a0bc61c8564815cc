"""`OrderTimeline` over every adapter's outbox: an order's committed events, by id, after a
given id, whatever their delivery; nothing rolled back, nothing about another order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters import memory, sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.ports import Ports
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import OrderTimeline
from tests.contract.conftest import ADAPTERS

ORDER = "order_1"  # `_` is a LIKE wildcard: a prefilter must not let `orderX1` through


@pytest.fixture(params=ADAPTERS)
def ports(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ports]:
    clock, ids = FrozenClock(), SequentialIds()
    if request.param == "memory":
        yield memory.bundle(clock=clock, ids=ids)
        return
    url = (f"sqlite:///{tmp_path}/t.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    bundle = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock, ids=ids,
                        pool_size=2)
    factory = bundle.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield bundle
    finally:
        factory.dispose()


def _event(n: int, event_type: str, aggregate_id: str, **payload: Any) -> EventEnvelope:
    return EventEnvelope(id=str(uuid.UUID(int=n)), type=event_type, version=1,
                         occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
                         aggregate_id=aggregate_id, payload=payload)


def _commit(ports: Ports, *envelopes: EventEnvelope) -> None:
    with ports.uow() as uow:
        uow.outbox.add(envelopes)
        uow.commit()


def _timeline(ports: Ports) -> OrderTimeline:
    assert ports.timeline is not None
    return ports.timeline


def _ids(envelopes: list[EventEnvelope]) -> list[int]:
    return [uuid.UUID(e.id).int for e in envelopes]


def test_an_orders_events_are_its_own_and_those_naming_it_in_id_order(ports: Ports) -> None:
    _commit(ports,
            _event(3, "payment.captured", "pay-1", order_id=ORDER, amount={"amount": 5}),
            _event(1, "order.created", ORDER, order_id=ORDER, status="pending"),
            _event(2, "order.created", "orderX1", order_id="orderX1"),
            _event(4, "fulfillment.status_changed", "ful-1", order_id="order_10"),
            _event(5, "audit.noted", "x", detail={"order_id": ORDER}))  # named only deep down
    _commit(ports, _event(6, "order.paid", ORDER, order_id=ORDER))

    found = _timeline(ports).events(ORDER, after=None, limit=100)

    assert _ids(found) == [1, 3, 6]
    assert found[1].payload == {"order_id": ORDER, "amount": {"amount": 5}}
    assert found[1].type == "payment.captured"


def test_events_after_an_id_and_at_most_a_limit(ports: Ports) -> None:
    _commit(ports, *(_event(n, "order.status_changed", ORDER, order_id=ORDER)
                     for n in range(1, 8)))
    timeline = _timeline(ports)

    assert _ids(timeline.events(ORDER, after=str(uuid.UUID(int=3)), limit=100)) == [4, 5, 6, 7]
    assert _ids(timeline.events(ORDER, after=str(uuid.UUID(int=3)), limit=2)) == [4, 5]
    assert timeline.events(ORDER, after=str(uuid.UUID(int=7)), limit=100) == []
    assert timeline.events("another-order", after=None, limit=100) == []


def test_a_rolled_back_event_is_never_read_and_delivery_does_not_matter(ports: Ports) -> None:
    _commit(ports, _event(1, "order.created", ORDER, order_id=ORDER))
    with ports.uow() as uow:
        uow.outbox.add([_event(2, "order.cancelled", ORDER, order_id=ORDER)])
        uow.rollback()
    with ports.uow() as uow:
        uow.outbox.mark_published([str(uuid.UUID(int=1))])
        uow.commit()

    assert _ids(_timeline(ports).events(ORDER, after=None, limit=100)) == [1]
