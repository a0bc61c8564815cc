"""The rate limiter contract: the memory fake and Redis (the real server) decide alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis

from adapters.memory import FrozenClock
from adapters.memory.ratelimit import InMemoryRateLimiter
from adapters.redis import RedisRateLimiter
from commerce_core.shared.ratelimit import RateLimiter, RatePolicy

LOGIN = RatePolicy("login", 10, 60)
API = RatePolicy("api", 100, 60, burst=20)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def limiter_and_clock(request: pytest.FixtureRequest) -> Iterator[tuple[RateLimiter, FrozenClock]]:
    clock = FrozenClock()
    if request.param == "memory":
        yield InMemoryRateLimiter(clock), clock
        return
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    prefix = f"test-rl-{uuid.uuid4().hex[:12]}"
    try:
        yield RedisRateLimiter(client, prefix=prefix, clock=clock), clock
    finally:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def spend(limiter: RateLimiter, policy: RatePolicy, key: str, times: int) -> list[bool]:
    return [limiter.check(policy, key).allowed for _ in range(times)]


def test_a_burst_is_allowed_up_to_its_size_then_refused(
    limiter_and_clock: tuple[RateLimiter, FrozenClock],
) -> None:
    limiter, _ = limiter_and_clock

    answers = spend(limiter, API, "203.0.113.1", 21)

    assert answers == [True] * 20 + [False]


def test_remaining_counts_down_and_a_refusal_says_when_to_retry(
    limiter_and_clock: tuple[RateLimiter, FrozenClock],
) -> None:
    limiter, _ = limiter_and_clock

    first = limiter.check(LOGIN, "ip-1")
    for _ in range(9):
        last = limiter.check(LOGIN, "ip-1")
    refused = limiter.check(LOGIN, "ip-1")

    assert (first.allowed, first.remaining, first.limit) == (True, 9, 10)
    assert (last.allowed, last.remaining) == (True, 0)
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert refused.retry_after == pytest.approx(6.0)
    assert refused.reset_after == pytest.approx(60.0)


def test_the_allowance_comes_back_with_time(
    limiter_and_clock: tuple[RateLimiter, FrozenClock],
) -> None:
    limiter, clock = limiter_and_clock
    spend(limiter, LOGIN, "ip-2", 10)

    clock.advance(timedelta(seconds=6))
    again = spend(limiter, LOGIN, "ip-2", 2)
    clock.advance(timedelta(seconds=60))
    rested = spend(limiter, LOGIN, "ip-2", 11)

    assert again == [True, False]
    assert rested == [True] * 10 + [False]


def test_keys_and_policies_count_apart(
    limiter_and_clock: tuple[RateLimiter, FrozenClock],
) -> None:
    limiter, _ = limiter_and_clock
    spend(limiter, LOGIN, "ip-3", 10)

    assert limiter.check(LOGIN, "ip-4").allowed
    assert limiter.check(RatePolicy("registration", 5, 60), "ip-3").allowed
    assert not limiter.check(LOGIN, "ip-3").allowed


def test_a_cost_spends_several_at_once(
    limiter_and_clock: tuple[RateLimiter, FrozenClock],
) -> None:
    limiter, _ = limiter_and_clock

    big = limiter.check(LOGIN, "ip-5", cost=8)
    too_big = limiter.check(LOGIN, "ip-5", cost=3)
    fits = limiter.check(LOGIN, "ip-5", cost=2)

    assert (big.allowed, big.remaining) == (True, 2)
    assert not too_big.allowed
    assert (fits.allowed, fits.remaining) == (True, 0)
