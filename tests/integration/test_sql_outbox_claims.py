"""PostgreSQL outbox relays claim rows with SKIP LOCKED: two relays never get the same row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.shared.events import EventEnvelope


@pytest.fixture
def factory(postgres_url: str) -> Iterator[sql.SqlUnitOfWorkFactory]:
    clock = FrozenClock()
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=clock,
                       ids=SequentialIds(), pool_size=3)
    uow = ports.uow
    assert isinstance(uow, sql.SqlUnitOfWorkFactory)
    try:
        yield uow
    finally:
        uow.dispose()


def test_a_second_relay_skips_the_rows_the_first_one_holds(
    factory: sql.SqlUnitOfWorkFactory,
) -> None:
    now = FrozenClock().now()
    envelopes = [
        EventEnvelope(id=f"event-{i}", type="test.happened", version=1, occurred_at=now,
                      aggregate_id="a-1", payload={"n": i})
        for i in range(5)
    ]
    with factory() as uow:
        uow.outbox.add(envelopes)
        uow.commit()

    with factory() as first, factory() as second:
        claimed_first = [e.id for e in first.outbox.pending(2)]
        claimed_second = [e.id for e in second.outbox.pending(10)]
    with factory() as after:
        claimed_again = [e.id for e in after.outbox.pending(10)]

    assert claimed_first == ["event-0", "event-1"]
    assert claimed_second == ["event-2", "event-3", "event-4"]
    assert claimed_again == [e.id for e in envelopes]
