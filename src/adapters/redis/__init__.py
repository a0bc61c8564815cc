"""Redis adapters: the Redis Streams event bus (publisher, consumer groups, dead letters) and
what operating it needs (status, trimming, following new entries)."""

from adapters.redis.admin import (
    DeadLetter,
    DeadLetterNotFound,
    DeadLetters,
    ReplayFailed,
    StreamTail,
    bus_status,
    trim,
)
from adapters.redis.breakers import RedisBreakerStore
from adapters.redis.client import broker_errors, connect
from adapters.redis.ratelimit import RedisRateLimiter
from adapters.redis.streams import (
    BrokerUnavailable,
    ConsumerSettings,
    RedisStreamsPublisher,
    StreamConsumer,
    StreamLayout,
)

__all__ = [
    "BrokerUnavailable",
    "ConsumerSettings",
    "DeadLetter",
    "DeadLetterNotFound",
    "DeadLetters",
    "RedisBreakerStore",
    "RedisRateLimiter",
    "RedisStreamsPublisher",
    "ReplayFailed",
    "StreamConsumer",
    "StreamLayout",
    "StreamTail",
    "broker_errors",
    "bus_status",
    "connect",
    "trim",
]
