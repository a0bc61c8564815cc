"""Connecting to Redis, and the one place its failures become the port's `BrokerUnavailable`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from adapters.redis.streams import BrokerUnavailable

# Longer than any blocking read the consumers issue (`ConsumerSettings.block_ms`), so only a
# server that stopped answering times out.
SOCKET_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 3.0


def connect(url: str) -> redis.Redis:
    """A client whose pool the relay, every consumer thread and the metrics share. Nothing
    connects until the first command."""
    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


@contextmanager
def broker_errors(url: str = "") -> Iterator[None]:
    """Redis failures inside the block surface as `BrokerUnavailable` (operator commands)."""
    try:
        yield
    except redis.RedisError as exc:
        where = f" at {_without_password(url)}" if url else ""
        raise BrokerUnavailable(f"Redis{where} failed: {exc}") from exc


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    return f"{scheme}{sep}{rest.rsplit('@', 1)[1]}"
