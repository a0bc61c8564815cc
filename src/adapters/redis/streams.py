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

import attrs
import redis
from attrs import frozen

from commerce_core.shared.bus import MessageBus
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.events import EventEnvelope

log = logging.getLogger("commerce.redis")

Fields = dict[str, str]
Entry = tuple[str, Fields]


class BrokerUnavailable(ServiceUnavailable):
    code = "events.broker_unavailable"


@frozen
class StreamLayout:
    """Key names. One prefix per deployment lets several shops share one Redis."""

    prefix: str = "commerce"

    def stream(self, event_type: str) -> str:
        return f"{self.prefix}:events:{event_type.split('.', 1)[0]}"

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
    ) -> None:
        self._client, self._bus = client, bus
        self.group, self.consumer = subscriber, consumer
        self._types = frozenset(event_types)
        self._settings = settings or ConsumerSettings()
        self._layout = layout or StreamLayout()
        self._streams = self._layout.streams_for(self._types)
        self._sleep, self._rng = sleep, rng or random.Random()
        self._groups_ready = False

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
            handled = self._reclaim()
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
            for entry_id, fields in entries:
                self._handle(stream, entry_id, fields)
                handled += 1
        return handled

    def _reclaim(self) -> int:
        handled = 0
        for stream in self._streams:
            reply = self._client.xautoclaim(
                stream, self.group, self.consumer, self._settings.claim_idle_ms,
                start_id="0-0", count=self._settings.batch,
            )
            for entry_id, fields in _entries(reply[1]):
                self._handle(stream, entry_id, fields)
                handled += 1
        return handled

    def _handle(self, stream: str, entry_id: str, fields: Fields | None) -> None:
        if not fields:  # trimmed or deleted while pending: nothing left to deliver
            self._client.xack(stream, self.group, entry_id)
            return
        envelope = decode(fields)
        if envelope.type not in self._types:
            self._client.xack(stream, self.group, entry_id)
            return
        attempts_key = self._layout.attempts(self.group)
        while True:
            attempt = int(self._client.hincrby(attempts_key, entry_id, 1))
            failures = self._bus.deliver(envelope, only=[self.group])
            if not failures:
                self._finish(stream, entry_id)
                return
            error = failures[self.group]
            if attempt >= self._settings.max_attempts:
                self._dead_letter(stream, entry_id, fields, error, attempt)
                return
            delay = retry_delay(attempt, self._settings, self._rng)
            log.warning("%s failed on %s (attempt %d/%d), retrying in %.2fs: %s", self.group,
                        envelope.id, attempt, self._settings.max_attempts, delay, error)
            self._sleep(delay)

    def _finish(self, stream: str, entry_id: str) -> None:
        with self._client.pipeline() as pipe:
            pipe.xack(stream, self.group, entry_id)
            pipe.hdel(self._layout.attempts(self.group), entry_id)
            pipe.execute()

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


@attrs.frozen
class DeadLetter:
    id: str
    group: str
    stream: str
    entry_id: str
    error: str
    attempts: int
    failed_at: str
    envelope: EventEnvelope


class DeadLetters:
    """The dead-letter streams: list, show, replay (through the same idempotent path), purge."""

    def __init__(self, client: redis.Redis, layout: StreamLayout | None = None) -> None:
        self._client, self._layout = client, layout or StreamLayout()

    def groups(self) -> list[str]:
        prefix = self._layout.dead_letters("")
        keys = self._client.scan_iter(match=self._layout.all_dead_letters_pattern())
        return sorted(_text(k)[len(prefix):] for k in keys)

    def list(self, group: str | None = None, limit: int = 100) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        for name in [group] if group else self.groups():
            entries = self._client.xrange(self._layout.dead_letters(name), count=limit)
            found += [_dead_letter(name, eid, fields) for eid, fields in _entries(entries)]
        return found[:limit]

    def show(self, dead_letter_id: str) -> DeadLetter | None:
        for group in self.groups():
            entries = self._client.xrange(self._layout.dead_letters(group),
                                          min=dead_letter_id, max=dead_letter_id)
            for entry_id, fields in _entries(entries):
                return _dead_letter(group, entry_id, fields)
        return None

    def replay(self, bus: MessageBus, dead_letter: DeadLetter) -> bool:
        """Deliver the event to its subscriber again; on success it leaves the dead letters.
        The subscriber's inbox makes a replay of an already applied event a no-op."""
        failures = bus.deliver(dead_letter.envelope, only=[dead_letter.group])
        if failures:
            return False
        self._client.xdel(self._layout.dead_letters(dead_letter.group), dead_letter.id)
        return True

    def purge(self, group: str | None = None) -> int:
        removed = 0
        for name in [group] if group else self.groups():
            key = self._layout.dead_letters(name)
            removed += int(self._client.xlen(key))
            self._client.delete(key)
        return removed


def trim(client: redis.Redis, stream: str) -> int:
    """Drop entries every group has acknowledged: trim to the oldest id any group still needs
    (its oldest pending entry, else the one after its last delivered). A stuck group therefore
    keeps the stream growing, which `bus_status` shows as lag; nothing it needs is ever lost."""
    groups = client.xinfo_groups(stream)
    if not groups:
        return 0
    needed: list[str] = []
    for group in groups:
        name = _text(group["name"])
        pending = client.xpending(stream, name)
        if pending["pending"]:
            needed.append(_text(pending["min"]))
        else:
            needed.append(_next_id(_text(group["last-delivered-id"])))
    oldest = min(needed, key=_id_key)
    return int(client.xtrim(stream, minid=oldest, approximate=False))


def bus_status(client: redis.Redis, layout: StreamLayout | None = None) -> dict[str, Any]:
    """Length per stream; lag, pending and retrying per group; dead letters per group."""
    layout = layout or StreamLayout()
    status: dict[str, Any] = {"streams": {}, "groups": {}, "dead_letters": {}}
    for key in sorted(_text(k) for k in client.scan_iter(match=layout.all_streams_pattern())):
        status["streams"][key] = int(client.xlen(key))
        for group in client.xinfo_groups(key):
            name = _text(group["name"])
            entry = status["groups"].setdefault(name, {"lag": 0, "pending": 0, "retrying": 0})
            entry["lag"] += int(group.get("lag") or 0)
            entry["pending"] += int(group["pending"])
    for name in status["groups"]:
        status["groups"][name]["retrying"] = int(client.hlen(layout.attempts(name)))
    for dead in DeadLetters(client, layout).groups():
        status["dead_letters"][dead] = int(client.xlen(layout.dead_letters(dead)))
    return status


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Any) -> Fields:
    return {_text(k): _text(v) for k, v in (raw or {}).items()}


def _entries(raw: Any) -> list[Entry]:
    return [(_text(entry_id), _fields(fields)) for entry_id, fields in raw or []]


def _as_text(reply: Any) -> list[tuple[str, list[Entry]]]:
    return [(_text(stream), _entries(entries)) for stream, entries in reply or []]


def _dead_letter(group: str, entry_id: str, fields: Fields) -> DeadLetter:
    return DeadLetter(
        id=entry_id, group=group, stream=fields.get("stream", ""),
        entry_id=fields.get("entry_id", ""), error=fields.get("error", ""),
        attempts=int(fields.get("attempts", "0")), failed_at=fields.get("failed_at", ""),
        envelope=decode(fields),
    )


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _next_id(entry_id: str) -> str:
    ms, seq = _id_key(entry_id)
    return f"{ms}-{seq + 1}"
