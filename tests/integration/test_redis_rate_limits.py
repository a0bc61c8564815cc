"""The Redis rate limiter on the real server: concurrent checks for one key allow exactly the
limit, time is the server's, and a server that does not answer is the port's error."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from adapters.redis import RedisRateLimiter
from commerce_core.shared.ratelimit import RateLimiterUnavailable, RatePolicy


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def prefix(client: redis.Redis) -> Iterator[str]:
    name = f"test-rl-{uuid.uuid4().hex[:12]}"
    yield name
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)


def test_200_concurrent_attempts_for_one_key_allow_exactly_the_limit(
    redis_url: str, prefix: str
) -> None:
    policy = RatePolicy("login", 37, 3600)
    limiter = RedisRateLimiter(redis.Redis.from_url(redis_url, max_connections=64),
                               prefix=prefix)
    start = threading.Barrier(50)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        start.wait()
        mine = [limiter.check(policy, "198.51.100.1").allowed for _ in range(4)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 200
    assert allowed.count(True) == 37


def test_keys_expire_once_they_no_longer_matter(client: redis.Redis, prefix: str) -> None:
    policy = RatePolicy("search", 120, 60)
    limiter = RedisRateLimiter(client, prefix=prefix)

    limiter.check(policy, "203.0.113.5")

    ttl_ms = client.pttl(limiter.key(policy, "203.0.113.5"))
    assert 0 < ttl_ms <= 500  # one request of 120/min uses half a second of the allowance


def test_the_key_in_redis_does_not_hold_the_callers_value(client: redis.Redis,
                                                           prefix: str) -> None:
    limiter = RedisRateLimiter(client, prefix=prefix)

    limiter.check(RatePolicy("password_reset_account", 5, 3600), "lan@example.vn")

    assert [k for k in client.scan_iter(f"{prefix}:*") if b"example" in k] == []


def test_a_redis_that_does_not_answer_is_the_limiters_unavailable_error() -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))
    limiter = RedisRateLimiter(dead, prefix="test-rl-dead")

    with pytest.raises(RateLimiterUnavailable):
        limiter.check(RatePolicy("login", 10, 60), "198.51.100.1")
