"""The event bus on Redis Streams (ADR 0006).

Layout: one stream per producing context (`commerce:events:order`, `…:inventory`), so every
event of one aggregate lands in one stream, in commit order. One consumer group per subscriber
(named after the subscriber, which also keys its inbox rows), so each subscriber sees every event
once however many worker processes share the group. An entry is acknowledged only after the
subscriber's transaction committed; entries a dead consumer left pending are reclaimed with
XAUTOCLAIM once idle. A subscriber that fails an event is retried in place with exponential
backoff and jitter (keeping the stream's order for that subscriber); after `max_attempts` the
event goes to the group's dead-letter stream and the group moves on.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import redis
from attrs import frozen

from commerce_core.shared.bus import MessageBus
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.events import EventEnvelope

log = logging.getLogger("commerce.redis")

Fields = dict[str, str]
Entry = tuple[str, Fields]

# What became of one entry for one group, for whoever counts (the worker's metrics).
APPLIED, RETRIED, DEAD_LETTERED = "applied", "retried", "dead_lettered"
Outcome = Callable[[str, str], None]  # (group, outcome)


class BrokerUnavailable(ServiceUnavailable):
    code = "events.broker_unavailable"


@frozen
class StreamLayout:
    """Key names. One prefix per deployment lets several shops share one Redis."""

    prefix: str = "commerce"

    def stream(self, event_type: str) -> str:
        return self.stream_named(event_type.split(".", 1)[0])

    def stream_named(self, name: str) -> str:
        """The key of a stream by its name (an event type's first segment)."""
        return f"{self.prefix}:events:{name}"

    def streams_for(self, event_types: Iterable[str]) -> list[str]:
        return sorted({self.stream(t) for t in event_types})

    def dead_letters(self, group: str) -> str:
        return f"{self.prefix}:dlq:{group}"

    def attempts(self, group: str) -> str:
        return f"{self.prefix}:attempts:{group}"

    def all_streams_pattern(self) -> str:
        return f"{self.prefix}:events:*"

    def all_dead_letters_pattern(self) -> str:
        return f"{self.prefix}:dlq:*"


def encode(envelope: EventEnvelope) -> Fields:
    body = json.dumps(envelope.to_dict(), separators=(",", ":"))
    return {"type": envelope.type, "envelope": body}


def decode(fields: Fields) -> EventEnvelope:
    return EventEnvelope.from_dict(json.loads(fields["envelope"]))


class RedisStreamsPublisher:
    """`EventPublisher` over XADD. Streams are not trimmed here: `trim` removes only what every
    group has acknowledged (ADR 0006)."""

    def __init__(self, client: redis.Redis, layout: StreamLayout | None = None) -> None:
        self._client, self._layout = client, layout or StreamLayout()

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for envelope in envelopes:
                    fields: dict[Any, Any] = encode(envelope)
                    pipe.xadd(self._layout.stream(envelope.type), fields)
                pipe.execute()
        except redis.RedisError as exc:
            raise BrokerUnavailable(f"Redis refused the events: {exc}") from exc


@frozen
class ConsumerSettings:
    block_ms: int = 1000
    batch: int = 50
    max_attempts: int = 5
    backoff_base: float = 0.2  # seconds; doubles per attempt
    backoff_cap: float = 30.0
    claim_idle_ms: int = 60_000  # a pending entry idle this long belongs to a dead consumer


def retry_delay(attempt: int, settings: ConsumerSettings, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * 2 ** max(attempt - 1, 0))
    return rng.uniform(0, ceiling)


class StreamConsumer:
    """Delivers one subscriber's events from Redis: one consumer of that subscriber's group."""

    def __init__(
        self,
        client: redis.Redis,
        bus: MessageBus,
        subscriber: str,
        event_types: Iterable[str],
        consumer: str,
        *,
        settings: ConsumerSettings | None = None,
        layout: StreamLayout | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_outcome: Outcome | None = None,
    ) -> None:
        """`sleep` waits between attempts; it may raise to abandon the entry (a stopping
        worker), which leaves it pending with its attempts counted, for a reclaim."""
        self._client, self._bus = client, bus
        self.group, self.consumer = subscriber, consumer
        self._types = frozenset(event_types)
        self._settings = settings or ConsumerSettings()
        self._layout = layout or StreamLayout()
        self._streams = self._layout.streams_for(self._types)
        self._sleep, self._rng = sleep, rng or random.Random()
        self._on_outcome = on_outcome or _ignore
        self._groups_ready = False
        self._reclaimed_at: float | None = None

    @property
    def streams(self) -> list[str]:
        return list(self._streams)

    def ensure_groups(self) -> None:
        """Create the group on each stream (from the beginning, so nothing published before the
        first worker started is missed)."""
        for stream in self._streams:
            try:
                self._client.xgroup_create(stream, self.group, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    def poll(self, *, block_ms: int | None = None) -> int:
        """Reclaim abandoned entries, then read new ones; returns how many were handled."""
        if not self._groups_ready:
            self.ensure_groups()
        try:
            handled = self._reclaim() if self._reclaim_due() else 0
            block = self._settings.block_ms if block_ms is None else block_ms
            reply = self._client.xreadgroup(
                self.group, self.consumer, dict.fromkeys(self._streams, ">"),
                count=self._settings.batch, block=None if block == 0 else block,
            )
        except redis.ResponseError as exc:
            if "NOGROUP" in str(exc):  # the server lost its data (restart without persistence)
                self._groups_ready = False
                return 0
            raise
        for stream, entries in _as_text(reply):
            handled += self._handle_all(stream, entries)
        return handled

    def _reclaim_due(self) -> bool:
        # An entry becomes claimable only after `claim_idle_ms`; looking twice per that period
        # is enough, and saves a round trip per stream on every poll of a busy consumer.
        now = time.monotonic()
        last = self._reclaimed_at
        if last is not None and now - last < self._settings.claim_idle_ms / 2000:
            return False
        self._reclaimed_at = now
        return True

    def _reclaim(self) -> int:
        handled = 0
        for stream in self._streams:
            reply = self._client.xautoclaim(
                stream, self.group, self.consumer, self._settings.claim_idle_ms,
                start_id="0-0", count=self._settings.batch,
            )
            handled += self._handle_all(stream, _entries(reply[1]))
        return handled

    def _handle_all(self, stream: str, entries: list[Entry]) -> int:
        # Acknowledged once per batch rather than per entry: entries that are not ours (a stream
        # carries the types of many groups) and entries applied (their transaction committed;
        # a crash before the acknowledgement only means a redelivery the inbox absorbs).
        ours = [(entry_id, fields) for entry_id, fields in entries
                if fields and fields.get("type") in self._types]
        # Not ours, or trimmed while pending.
        others = [entry_id for entry_id, fields in entries
                  if not fields or fields.get("type") not in self._types]
        applied: list[str] = []
        try:
            if len(ours) > 1 and self._in_one_batch(ours):
                applied = [entry_id for entry_id, _ in ours]
                for _ in applied:
                    self._on_outcome(self.group, APPLIED)
                return len(entries)
            for entry_id, fields in ours:
                if self._handle(stream, entry_id, fields):
                    applied.append(entry_id)
        finally:
            self._acknowledge(stream, others + applied, applied)
        return len(entries)

    def _in_one_batch(self, entries: list[Entry]) -> bool:
        """A subscriber that takes batches gets the read entries in one transaction; if that
        fails, each entry goes the single way, with its attempts counted and its dead letter."""
        try:
            return self._bus.deliver_batch(self.group, [decode(f) for _, f in entries])
        except Exception:
            log.warning("%s failed on a batch of %d entries; applying them one by one",
                        self.group, len(entries), exc_info=True)
            return False

    def _acknowledge(self, stream: str, entry_ids: list[str], applied: list[str]) -> None:
        if not entry_ids:
            return
        with self._client.pipeline(transaction=False) as pipe:
            pipe.xack(stream, self.group, *entry_ids)
            if applied:
                pipe.hdel(self._layout.attempts(self.group), *applied)
            pipe.execute()

    def _handle(self, stream: str, entry_id: str, fields: Fields) -> bool:
        """Apply one entry, retrying in place; True once applied, False if dead-lettered."""
        envelope = decode(fields)
        attempts_key = self._layout.attempts(self.group)
        while True:
            attempt = int(self._client.hincrby(attempts_key, entry_id, 1))
            failures = self._bus.deliver(envelope, only=[self.group])
            if not failures:
                self._on_outcome(self.group, APPLIED)
                return True
            error = failures[self.group]
            if attempt >= self._settings.max_attempts:
                self._dead_letter(stream, entry_id, fields, error, attempt)
                self._on_outcome(self.group, DEAD_LETTERED)
                return False
            delay = retry_delay(attempt, self._settings, self._rng)
            log.warning("%s failed on %s (attempt %d/%d), retrying in %.2fs: %s", self.group,
                        envelope.id, attempt, self._settings.max_attempts, delay, error)
            self._on_outcome(self.group, RETRIED)
            self._sleep(delay)

    def _dead_letter(self, stream: str, entry_id: str, fields: Fields, error: str,
                     attempts: int) -> None:
        log.error("%s gave up on %s after %d attempts: %s", self.group, entry_id, attempts, error)
        with self._client.pipeline() as pipe:
            record: dict[Any, Any] = {
                **fields, "stream": stream, "entry_id": entry_id, "group": self.group,
                "error": error[:2000], "attempts": str(attempts),
                "failed_at": datetime.now(UTC).isoformat(),
            }
            pipe.xadd(self._layout.dead_letters(self.group), record)
            pipe.xack(stream, self.group, entry_id)
            pipe.hdel(self._layout.attempts(self.group), entry_id)
            pipe.execute()


def _ignore(group: str, outcome: str) -> None:
    return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Any) -> Fields:
    return {_text(k): _text(v) for k, v in (raw or {}).items()}


def _entries(raw: Any) -> list[Entry]:
    return [(_text(entry_id), _fields(fields)) for entry_id, fields in raw or []]


def _as_text(reply: Any) -> list[tuple[str, list[Entry]]]:
    return [(_text(stream), _entries(entries)) for stream, entries in reply or []]
