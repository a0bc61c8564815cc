"""The `ShippingRateCache` contract, for the memory cache and the Redis cache (on a real
Redis): answers round-trip whole, fresh and last-known entries, keys apart, invalidation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis

from adapters.memory import FrozenClock
from adapters.memory.shipping_methods import InMemoryRateCache
from adapters.redis.shipping_rates import RedisRateCache
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import CarrierQuote, ShippingRateCache

ANSWER = (CarrierQuote("ghn", "standard", "GHN Standard", Money(25_000, "VND"), 3, 5, "53320"),
          CarrierQuote("ghn", "express", "GHN Express", Money(37_500, "VND"), None, 2))


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[ShippingRateCache]:
    if request.param == "memory":
        yield InMemoryRateCache(FrozenClock())
        return
    client = redis.Redis.from_url(str(request.getfixturevalue("redis_url")))
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield RedisRateCache(client, prefix=prefix)
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def test_an_unknown_request_has_no_answer(cache: ShippingRateCache) -> None:
    assert cache.get("k1") is None
    assert cache.last("k1") is None


def test_an_answer_round_trips_whole_as_fresh_and_last_known(cache: ShippingRateCache) -> None:
    cache.put("k1", ANSWER)

    assert cache.get("k1") == ANSWER
    assert cache.last("k1") == ANSWER
    assert cache.get("k2") is None


def test_a_newer_answer_replaces_the_older(cache: ShippingRateCache) -> None:
    cache.put("k1", ANSWER)
    cache.put("k1", ANSWER[:1])

    assert cache.get("k1") == ANSWER[:1]


def test_invalidating_forgets_every_answer_and_later_ones_are_kept(
        cache: ShippingRateCache) -> None:
    cache.put("k1", ANSWER)
    cache.put("k2", ANSWER[:1])

    cache.invalidate()
    cache.put("k3", ANSWER)

    assert [cache.get(k) for k in ("k1", "k2")] == [None, None]
    assert [cache.last(k) for k in ("k1", "k2")] == [None, None]
    assert cache.get("k3") == ANSWER


def test_in_memory_an_answer_goes_stale_after_the_ttl_and_is_kept_as_last_known() -> None:
    clock = FrozenClock()
    cache = InMemoryRateCache(clock, ttl=timedelta(minutes=10), keep=timedelta(hours=24))
    cache.put("k1", ANSWER)

    clock.advance(timedelta(minutes=10))
    stale = (cache.get("k1"), cache.last("k1"))
    clock.advance(timedelta(hours=24))

    assert stale == (None, ANSWER)
    assert cache.last("k1") is None


def test_redis_being_down_answers_nothing_and_keeps_nothing() -> None:
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                         socket_timeout=0.2)
    cache = RedisRateCache(client, prefix="unreachable")

    cache.put("k1", ANSWER)
    cache.invalidate()

    assert cache.get("k1") is None
    assert cache.last("k1") is None
