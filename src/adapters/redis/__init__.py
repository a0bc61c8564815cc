"""Redis adapters: the Redis Streams event bus (publisher, consumer groups, dead letters)."""

from adapters.redis.streams import (
    ConsumerSettings,
    DeadLetters,
    RedisStreamsPublisher,
    StreamConsumer,
    StreamLayout,
    bus_status,
)

__all__ = [
    "ConsumerSettings",
    "DeadLetters",
    "RedisStreamsPublisher",
    "StreamConsumer",
    "StreamLayout",
    "bus_status",
]
