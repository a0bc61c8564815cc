"""Operating the Redis Streams bus: dead letters (list, show, replay, purge), trimming what
every group acknowledged, the status of streams and groups, and following new entries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import redis

from adapters.redis.streams import (
    Fields,
    StreamLayout,
    _as_text,
    _entries,
    _text,
    decode,
)
from commerce_core.shared.bus import MessageBus
from commerce_core.shared.errors import CommerceError, NotFound
from commerce_core.shared.events import EventEnvelope


class DeadLetterNotFound(NotFound):
    code = "events.dead_letter_not_found"


class ReplayFailed(CommerceError):
    """The subscriber failed on the replayed event again; the dead letter stays."""

    code = "events.replay_failed"


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
        if not _is_entry_id(dead_letter_id):
            return None
        for group in self.groups():
            entries = self._client.xrange(self._layout.dead_letters(group),
                                          min=dead_letter_id, max=dead_letter_id)
            for entry_id, fields in _entries(entries):
                return _dead_letter(group, entry_id, fields)
        return None

    def get(self, dead_letter_id: str) -> DeadLetter:
        found = self.show(dead_letter_id)
        if found is None:
            raise DeadLetterNotFound(f"no dead letter {dead_letter_id}", id=dead_letter_id)
        return found

    def replay(self, bus: MessageBus, dead_letter: DeadLetter) -> bool:
        """Deliver the event to its subscriber again; on success it leaves the dead letters.
        The subscriber's inbox makes a replay of an already applied event a no-op."""
        return self.redeliver(bus, dead_letter) is None

    def redeliver(self, bus: MessageBus, dead_letter: DeadLetter) -> str | None:
        """`replay`, answering the subscriber's error when it failed again (None on success)."""
        envelope, group = dead_letter.envelope, dead_letter.group
        if not any(s.name == group and s.event_type == envelope.type
                   for s in bus.subscribers()):
            # Delivering would do nothing and the dead letter would vanish unapplied.
            return f"no subscriber {group} of {envelope.type} is registered here"
        failures = bus.deliver(dead_letter.envelope, only=[dead_letter.group])
        if failures:
            return failures.get(dead_letter.group, "; ".join(failures.values()))
        self._client.xdel(self._layout.dead_letters(dead_letter.group), dead_letter.id)
        return None

    def purge(self, group: str | None = None) -> int:
        removed = 0
        for name in [group] if group else self.groups():
            key = self._layout.dead_letters(name)
            removed += int(self._client.xlen(key))
            self._client.delete(key)
        return removed


class StreamTail:
    """Follows streams from where they end when it is created: only entries added afterwards,
    in each stream's order. Reads outside any group, so it acknowledges and disturbs nothing."""

    def __init__(self, client: redis.Redis, streams: Iterable[str]) -> None:
        self._client = client
        self._cursor = {stream: _newest_id(client, stream) for stream in streams}

    def read(self, block_ms: int, count: int = 100) -> list[tuple[str, str, EventEnvelope]]:
        """The next entries as (stream, entry id, envelope); empty after `block_ms` of quiet."""
        cursor: dict[Any, Any] = dict(self._cursor)
        reply = self._client.xread(cursor, count=count, block=block_ms)
        found: list[tuple[str, str, EventEnvelope]] = []
        for stream, entries in _as_text(reply):
            for entry_id, fields in entries:
                self._cursor[stream] = entry_id
                found.append((stream, entry_id, decode(fields)))
        return found


def _newest_id(client: redis.Redis, stream: str) -> str:
    newest = client.xrevrange(stream, count=1)
    return _text(newest[0][0]) if newest else "0-0"


def trim(client: redis.Redis, stream: str, *, ungrouped_maxlen: int | None = None) -> int:
    """Drop entries every group has acknowledged: trim to the oldest id any group still needs
    (its oldest pending entry, else the one after its last delivered). A stuck group therefore
    keeps the stream growing, which `bus_status` shows as lag; nothing it needs is ever lost.
    A stream no group reads keeps about its newest `ungrouped_maxlen` entries (all if None)."""
    groups = client.xinfo_groups(stream)
    if not groups:
        if ungrouped_maxlen is None:
            return 0
        return int(client.xtrim(stream, maxlen=ungrouped_maxlen, approximate=True))
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


def _dead_letter(group: str, entry_id: str, fields: Fields) -> DeadLetter:
    return DeadLetter(
        id=entry_id, group=group, stream=fields.get("stream", ""),
        entry_id=fields.get("entry_id", ""), error=fields.get("error", ""),
        attempts=int(fields.get("attempts", "0")), failed_at=fields.get("failed_at", ""),
        envelope=decode(fields),
    )


def _is_entry_id(text: str) -> bool:
    ms, _, seq = text.partition("-")
    return ms.isdigit() and (seq == "" or seq.isdigit())


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _next_id(entry_id: str) -> str:
    ms, seq = _id_key(entry_id)
    return f"{ms}-{seq + 1}"
