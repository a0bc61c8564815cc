"""The `BreakerStore` contract, for the memory store and the Redis store (on a real Redis):
a missing breaker is closed, updates are atomic read-modify-writes, gateways are separate."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from adapters.memory import InMemoryBreakerStore
from adapters.redis import RedisBreakerStore
from commerce_core.payment.ports import BreakerState, BreakerStore


@pytest.fixture(params=["memory", "redis"])
def breakers(request: pytest.FixtureRequest) -> Iterator[BreakerStore]:
    if request.param == "memory":
        yield InMemoryBreakerStore()
        return
    client = redis.Redis.from_url(str(request.getfixturevalue("redis_url")))
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield RedisBreakerStore(client, prefix=prefix)
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def _count_failure(state: BreakerState) -> tuple[BreakerState, int]:
    new = BreakerState(state.status, state.since, state.failures + 1, state.probes,
                       state.successes)
    return new, new.failures


def test_a_breaker_never_written_is_closed(breakers: BreakerStore) -> None:
    assert breakers.read("stripe") == BreakerState()


def test_an_update_stores_every_field_and_returns_its_value(breakers: BreakerStore) -> None:
    opened = BreakerState("half_open", 1_767_225_600.5, 5, 2, 1)

    value = breakers.update("stripe", lambda state: (opened, "done"))

    assert value == "done"
    assert breakers.read("stripe") == opened
    assert breakers.read("paypal") == BreakerState()


def test_an_update_sees_the_stored_state(breakers: BreakerStore) -> None:
    breakers.update("stripe", _count_failure)
    breakers.update("stripe", _count_failure)

    seen = breakers.update("stripe", lambda state: (state, state.failures))

    assert seen == 2
    assert breakers.read("stripe").failures == 2


def test_concurrent_updates_lose_nothing(breakers: BreakerStore) -> None:
    def count() -> None:
        for _ in range(25):
            breakers.update("stripe", _count_failure)

    threads = [threading.Thread(target=count) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert breakers.read("stripe").failures == 150
