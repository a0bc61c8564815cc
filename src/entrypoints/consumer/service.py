"""Service mode (`COMMERCE_BUS=redis`): the outbox relay to Redis Streams and one consumer per
subscriber, each on a thread of its own beside the worker's jobs (ADR 0006).

Scaling is by processes: every `commerce worker` relays the streams no other relay holds at
that moment and joins each subscriber's consumer group as consumer `{host}-{pid}`.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import socket
import threading
import time
from collections.abc import Collection, Iterable

import redis

import commerce_core
from adapters.redis import (
    ConsumerSettings,
    RedisStreamsPublisher,
    StreamConsumer,
    StreamLayout,
    trim,
)
from commerce_core import Commerce
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.events import event_types
from commerce_core.shared.relay import OutboxRelay, streams_of
from entrypoints.consumer.loops import BackgroundLoop, Interrupted, Stopping, nap
from entrypoints.consumer.metrics import Metrics
from entrypoints.settings import Settings

log = logging.getLogger("commerce.worker")

RELAY_IDLE_MAX = 1.0  # seconds; the relay's idle poll sets the latency of a quiet shop's events
RELAY_TRICKLE_PAUSE = 0.05  # seconds between passes that found a few events
TRIM_EVERY = 60.0  # seconds
UNREAD_KEPT = 10_000  # entries a stream no subscriber reads keeps, for `events tail` and audits


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def catalogue() -> set[str]:
    """Every event type the core defines."""
    for module in pkgutil.walk_packages(commerce_core.__path__, "commerce_core."):
        if module.name.endswith(".events"):
            importlib.import_module(module.name)  # event classes register on import
    return set(event_types())


def relay_streams(commerce: Commerce) -> list[str]:
    """Every stream an event of this code base can travel on: the catalogue's and the
    subscribers' event types (an embedder's events included)."""
    return streams_of(catalogue() | {s.event_type for s in commerce.bus.subscribers()})


def subscriptions(commerce: Commerce) -> dict[str, frozenset[str]]:
    """Event types by subscriber name; a name is one consumer group."""
    found: dict[str, set[str]] = {}
    for subscriber in commerce.bus.subscribers():
        found.setdefault(subscriber.name, set()).add(subscriber.event_type)
    return {name: frozenset(types) for name, types in sorted(found.items())}


def select(names: Iterable[str], contexts: Collection[str] | None) -> list[str]:
    """The subscribers of the given contexts (the first segment of a subscriber's name)."""
    names = list(names)
    if not contexts:
        return names
    known = sorted({name.split(".", 1)[0] for name in names})
    unknown = sorted(set(contexts) - set(known))
    if unknown:
        raise InvalidInput(
            f"no subscribers in {', '.join(unknown)}; contexts with subscribers: "
            f"{', '.join(known)}", contexts=unknown,
        )
    return [name for name in names if name.split(".", 1)[0] in contexts]


def outbox_relay(
    commerce: Commerce, settings: Settings, client: redis.Redis, layout: StreamLayout
) -> OutboxRelay:
    return OutboxRelay(
        commerce.ports.uow, RedisStreamsPublisher(client, layout), relay_streams(commerce),
        batch=settings.relay_batch,
    )


class EventService:
    """The loops one worker process runs in service mode: relay, consumers, trimming."""

    def __init__(
        self,
        commerce: Commerce,
        settings: Settings,
        client: redis.Redis,
        layout: StreamLayout,
        *,
        contexts: Collection[str] | None = None,
        metrics: Metrics | None = None,
        consumer: str | None = None,
    ) -> None:
        self._metrics = metrics
        self._relayed = 0
        self._lock = threading.Lock()
        self._stopping: Stopping = lambda: False
        self._trim_started = False
        self._pool_size = settings.database_pool_size
        self.relay = outbox_relay(commerce, settings, client, layout)
        consumer_settings = ConsumerSettings(
            max_attempts=settings.consumer_max_attempts,
            claim_idle_ms=settings.consumer_claim_idle_ms,
        )
        every = subscriptions(commerce)
        self.consumer = consumer or consumer_name()
        self.consumers = {
            name: StreamConsumer(
                client, commerce.bus, name, types, self.consumer,
                settings=consumer_settings, layout=layout, sleep=self._retry_wait,
                on_outcome=metrics.outcome if metrics else None,
            )
            for name, types in every.items()
        }
        self.selected = select(every, contexts)
        self._client, self._layout = client, layout
        self.loops = [
            BackgroundLoop("outbox relay", self.relay_once, idle_min=0.05,
                           idle_max=RELAY_IDLE_MAX),
            BackgroundLoop("stream trim", self._trim, idle_min=TRIM_EVERY, idle_max=TRIM_EVERY),
            *(BackgroundLoop(f"consumer {name}", self.consumers[name].poll)
              for name in self.selected),
        ]

    def start(self, stopping: Stopping) -> None:
        self._stopping = stopping
        log.info("event bus: relaying %d streams; consuming as %s for %s", len(self.relay.streams),
                 self.consumer, ", ".join(self.selected) or "no subscriber")
        wanted = len(self.selected) + 2  # the consumers, the relay, the worker's jobs
        if self._pool_size < wanted:
            log.warning("COMMERCE_DATABASE_POOL_SIZE is %d; %d threads of this worker may use "
                        "the database at once, and will queue for connections",
                        self._pool_size, wanted)
        for loop in self.loops:
            loop.start(stopping)

    def join(self, timeout: float) -> list[str]:
        """Wait for every loop to finish its work in hand; the names of those still busy."""
        deadline = time.monotonic() + timeout
        return [loop.name for loop in self.loops
                if not loop.join(max(deadline - time.monotonic(), 0.0))]

    def take_relayed(self, limit: int = 0) -> int:
        """Events relayed since the last call (the worker's tick reports them)."""
        with self._lock:
            relayed, self._relayed = self._relayed, 0
        return relayed

    def relay_once(self) -> int:
        """One pass of the relay, counted."""
        relayed = self.relay.run_once()
        if relayed:
            with self._lock:
                self._relayed += relayed
            if self._metrics:
                self._metrics.relayed.inc(relayed)
        if 0 < relayed < self.relay.batch:
            # A trickle, not a backlog: wait a moment so the next pass carries several events,
            # instead of spinning through every stream's claim for one or two.
            nap(RELAY_TRICKLE_PAUSE, self._stopping)
        return relayed

    def _trim(self) -> int:
        # Every group is created before anything is trimmed, including those of subscribers
        # this process does not run (`--only`): trimming keeps what existing groups still need.
        # The first pass only creates them; trimming starts one interval after the start.
        for consumer in self.consumers.values():
            consumer.ensure_groups()
        started, self._trim_started = self._trim_started, True
        if not started:
            return 0
        for stream in self.relay.streams:
            key = self._layout.stream_named(stream)
            if self._client.exists(key):
                trim(self._client, key, ungrouped_maxlen=UNREAD_KEPT)
        return 0

    def _retry_wait(self, seconds: float) -> None:
        # A subscriber in backoff when the worker stops: leave the entry pending (its attempts
        # are counted in Redis) for whichever consumer reclaims it, instead of waiting it out.
        nap(seconds, self._stopping)
        if self._stopping():
            raise Interrupted
