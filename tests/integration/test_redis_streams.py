"""The Redis Streams event bus against a real Redis (spec events-reliability §4-§5)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
import redis

from adapters.redis import (
    ConsumerSettings,
    DeadLetters,
    RedisStreamsPublisher,
    StreamConsumer,
    StreamLayout,
    bus_status,
    trim,
)
from adapters.redis.streams import _fields, decode
from commerce_core import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope
from tests.shop import make_commerce

SETTINGS = ConsumerSettings(block_ms=50, max_attempts=3, backoff_base=0.001, claim_idle_ms=60_000)


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def layout(client: redis.Redis) -> Iterator[StreamLayout]:
    layout = StreamLayout(prefix=f"t{uuid.uuid4().hex[:8]}")
    yield layout
    for key in client.scan_iter(match=f"{layout.prefix}:*"):
        client.delete(key)


def _envelope(event_type: str, aggregate: str, n: int) -> EventEnvelope:
    return EventEnvelope(
        id=str(uuid.uuid4()), type=event_type, version=1, occurred_at=datetime.now(UTC),
        aggregate_id=aggregate, payload={"n": n},
    )


class Recorder:
    """A subscriber whose read model is the list of payload numbers it applied."""

    def __init__(self) -> None:
        self.applied: list[int] = []
        self.calls = 0
        self.broken = False

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        self.calls += 1
        if self.broken:
            raise RuntimeError("the subscriber has a bug")
        self.applied.append(int(envelope.payload["n"]))


def _wire(name: str = "test.recorder") -> tuple[Commerce, Recorder]:
    commerce = make_commerce(dispatch_in_process=False)
    recorder = Recorder()
    commerce.bus.subscribe(Subscriber(name, "order.noted", recorder))
    return commerce, recorder


def _drain(consumer: StreamConsumer) -> None:
    while consumer.poll(block_ms=10):
        pass


def test_each_event_is_applied_once_in_stream_order_and_acknowledged(
    client: redis.Redis, layout: StreamLayout
) -> None:
    commerce, recorder = _wire()
    RedisStreamsPublisher(client, layout).publish(
        [_envelope("order.noted", "o1", n) for n in range(20)]
    )
    consumer = StreamConsumer(client, commerce.bus, "test.recorder", ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout)

    _drain(consumer)

    assert recorder.applied == list(range(20))
    assert bus_status(client, layout)["groups"]["test.recorder"]["pending"] == 0


def test_a_duplicated_entry_changes_nothing(client: redis.Redis, layout: StreamLayout) -> None:
    commerce, recorder = _wire()
    event = _envelope("order.noted", "o1", 7)
    publisher = RedisStreamsPublisher(client, layout)
    publisher.publish([event])
    publisher.publish([event])  # the relay crashed between publish and mark
    consumer = StreamConsumer(client, commerce.bus, "test.recorder", ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout)

    _drain(consumer)

    assert recorder.applied == [7]


def test_entries_left_by_a_dead_consumer_are_reclaimed(
    client: redis.Redis, layout: StreamLayout
) -> None:
    commerce, recorder = _wire()
    RedisStreamsPublisher(client, layout).publish([_envelope("order.noted", "o1", 1)])
    dead = StreamConsumer(client, commerce.bus, "test.recorder", ["order.noted"], "dead",
                          settings=SETTINGS, layout=layout)
    dead.ensure_groups()
    # The dead consumer read the entry and died before applying it.
    client.xreadgroup("test.recorder", "dead", {layout.stream("order.noted"): ">"}, count=10)
    survivor = StreamConsumer(
        client, commerce.bus, "test.recorder", ["order.noted"], "survivor", layout=layout,
        settings=ConsumerSettings(block_ms=10, claim_idle_ms=0, max_attempts=3),
    )

    _drain(survivor)

    assert recorder.applied == [1]
    assert bus_status(client, layout)["groups"]["test.recorder"]["pending"] == 0


def test_a_failing_subscriber_dead_letters_after_exactly_n_attempts_then_replays_once(
    client: redis.Redis, layout: StreamLayout
) -> None:
    commerce, recorder = _wire()
    recorder.broken = True
    RedisStreamsPublisher(client, layout).publish([_envelope("order.noted", "o1", 5)])
    consumer = StreamConsumer(client, commerce.bus, "test.recorder", ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout)
    _drain(consumer)
    dead_letters = DeadLetters(client, layout)

    assert recorder.calls == SETTINGS.max_attempts
    letters = dead_letters.list("test.recorder")
    assert [(d.attempts, d.envelope.payload) for d in letters] == [(3, {"n": 5})]
    assert "the subscriber has a bug" in letters[0].error

    recorder.broken = False
    assert dead_letters.replay(commerce.bus, letters[0])
    commerce.bus.deliver(letters[0].envelope, only=["test.recorder"])

    assert recorder.applied == [5]
    assert dead_letters.list("test.recorder") == []


class BatchRecorder(Recorder):
    """A subscriber that takes batches (as analytics does); `bad` payloads fail it."""

    def __init__(self, bad: int | None = None) -> None:
        super().__init__()
        self.batches: list[list[int]] = []
        self.bad = bad

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        if envelope.payload["n"] == self.bad:
            raise RuntimeError("the subscriber has a bug")
        super().__call__(envelope, uow)

    def batch(self, envelopes: Any, uow: Any) -> None:
        numbers = [int(e.payload["n"]) for e in envelopes]
        if self.bad in numbers:
            raise RuntimeError("the subscriber has a bug")
        self.batches.append(numbers)
        self.applied.extend(numbers)


def _wire_batch(recorder: BatchRecorder) -> Commerce:
    commerce = make_commerce(dispatch_in_process=False)
    commerce.bus.subscribe(Subscriber("test.batch", "order.noted", recorder,
                                      batch=recorder.batch))
    return commerce


def test_a_batch_subscriber_applies_each_read_in_one_transaction(
    client: redis.Redis, layout: StreamLayout
) -> None:
    recorder = BatchRecorder()
    commerce = _wire_batch(recorder)
    events = [_envelope("order.noted", "o1", n) for n in range(12)]
    RedisStreamsPublisher(client, layout).publish(events)
    consumer = StreamConsumer(client, commerce.bus, "test.batch", ["order.noted"], "c1",
                              settings=attrs.evolve(SETTINGS, batch=5), layout=layout)

    _drain(consumer)

    assert recorder.batches == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    assert recorder.calls == 0  # never one at a time
    assert bus_status(client, layout)["groups"]["test.batch"]["pending"] == 0
    with commerce.ports.uow() as uow:
        assert uow.inbox.seen_among("test.batch", [e.id for e in events]) == {
            e.id for e in events}


def test_a_failing_batch_falls_back_to_single_entries_and_dead_letters_only_the_bad_one(
    client: redis.Redis, layout: StreamLayout
) -> None:
    recorder = BatchRecorder(bad=2)
    commerce = _wire_batch(recorder)
    RedisStreamsPublisher(client, layout).publish(
        [_envelope("order.noted", "o1", n) for n in range(4)])
    consumer = StreamConsumer(client, commerce.bus, "test.batch", ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout)

    _drain(consumer)

    assert recorder.batches == []
    assert recorder.applied == [0, 1, 3]
    letters = DeadLetters(client, layout).list("test.batch")
    assert [(d.attempts, d.envelope.payload) for d in letters] == [(3, {"n": 2})]
    assert bus_status(client, layout)["groups"]["test.batch"]["pending"] == 0


def test_two_subscribers_each_see_every_event(client: redis.Redis, layout: StreamLayout) -> None:
    commerce, first = _wire("test.first")
    second = Recorder()
    commerce.bus.subscribe(Subscriber("test.second", "order.noted", second))
    RedisStreamsPublisher(client, layout).publish(
        [_envelope("order.noted", "o1", n) for n in range(5)]
    )

    for name in ("test.first", "test.second"):
        _drain(StreamConsumer(client, commerce.bus, name, ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout))

    assert first.applied == second.applied == [0, 1, 2, 3, 4]


def test_trimming_keeps_what_a_group_still_needs(client: redis.Redis, layout: StreamLayout) -> None:
    commerce, _ = _wire()
    publisher = RedisStreamsPublisher(client, layout)
    publisher.publish([_envelope("order.noted", "o1", n) for n in range(3)])
    consumer = StreamConsumer(client, commerce.bus, "test.recorder", ["order.noted"], "c1",
                              settings=SETTINGS, layout=layout)
    _drain(consumer)
    publisher.publish([_envelope("order.noted", "o1", n) for n in range(3, 5)])
    stream = layout.stream("order.noted")

    trim(client, stream)

    remaining = [decode(_fields(f)).payload["n"] for _, f in client.xrange(stream) or []]
    assert remaining == [3, 4]
