"""Generate the event catalogue (`docs/events.md`) and one JSON Schema per event type
(`docs/events/<type>.json`) from the event classes and the subscribers wired in the core.

    uv run python -m entrypoints.eventdocs      # rewrite the docs
    uv run python -m entrypoints.eventdocs --check   # exit 1 if they are out of date
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

import commerce_core
from adapters.memory import bundle
from commerce_core.analytics.ports import AnalyticsPorts
from commerce_core.app import Commerce
from commerce_core.shared.events import DomainEvent, event_types
from commerce_core.shared.money import Money
from commerce_core.shared.relay import stream_of, streams_of

ROOT = Path(__file__).resolve().parents[2]
MONEY_SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "description": "minor units (VND 0, USD 2 decimals)"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
    "required": ["amount", "currency"],
}


def schema_of(hint: Any) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [schema_of(arg) for arg in typing.get_args(hint)]
        return {"anyOf": options}
    if origin in (tuple, list):
        return {"type": "array", "items": schema_of(typing.get_args(hint)[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(typing.get_args(hint)[1])}
    if hint is type(None):
        return {"type": "null"}
    if hint is Any:  # a JSON value of any shape (search filters)
        return {}
    if hint is Money:
        return MONEY_SCHEMA
    if hint is datetime:
        return {"type": "string", "format": "date-time"}
    if isinstance(hint, type) and attrs.has(hint):
        return object_schema(hint)
    simple = {str: "string", int: "integer", bool: "boolean", float: "number"}
    if hint in simple:
        return {"type": simple[hint]}
    raise TypeError(f"no JSON schema for {hint!r}")


def object_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return {
        "type": "object",
        "properties": {f.name: schema_of(hints[f.name]) for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }


def event_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.type,
        "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        "x-version": cls.version,
        **object_schema(cls),
    }


def _short(hint: Any) -> str:
    text = getattr(hint, "__name__", None) or str(hint)
    return text.replace("typing.", "").replace("datetime.", "")


def _import_every_event_module() -> None:
    """Events register themselves when their module is imported; import them all, so the
    catalogue does not depend on what happened to be imported before."""
    for module in pkgutil.walk_packages(commerce_core.__path__, "commerce_core."):
        if module.name.endswith(".events"):
            importlib.import_module(module.name)


OPERATIONS = """
## Operations

In service mode (`COMMERCE_BUS=redis`) events travel on Redis Streams, one stream per producing
context (`{prefix}:events:{context}`, prefix `COMMERCE_REDIS_PREFIX`), and every subscriber reads
them through a consumer group of its own name ([ADR 0006](adr/0006-redis-streams-event-bus.md)).

**Scaling workers.** Start more `commerce worker` processes (same settings, any host). Each
relays the streams no other relay holds at that moment (one relay per stream at a time, so a
stream's events keep their order) and joins every subscriber's group as consumer
`{host}-{pid}`, so the groups share the work. `--only inventory,ordering` runs the subscribers of
those contexts only, to give a busy context processes of its own; every worker still relays.
Give each process `COMMERCE_DATABASE_POOL_SIZE` of at least the number of its subscribers plus
two. A worker stopped with SIGTERM finishes and acknowledges what it read, then exits 0; one that
dies leaves its entries pending, and another worker takes them over after
`COMMERCE_CONSUMER_CLAIM_IDLE_MS` (a subscriber's inbox absorbs any event applied twice).

**Reading lag.** `commerce events status` shows every stream's length; per group its lag
(entries not read yet), pending (read, not acknowledged), retrying and dead letters; and the
outbox by status. `commerce events tail` prints events as they are published. The worker's
`--metrics-port` (`COMMERCE_METRICS_PORT`) serves the same figures to Prometheus:
`commerce_consumer_group_lag`, `commerce_consumer_group_pending`,
`commerce_consumer_group_retrying`, `commerce_dead_letters` (by `group`),
`commerce_stream_length`, `commerce_outbox_rows` (by `status`), `commerce_event_bus_up`,
`commerce_database_up`, and the counters `commerce_events_relayed_total`,
`commerce_events_applied_total`, `commerce_event_retries_total` and
`commerce_events_dead_lettered_total` (by `subscriber`). Alert on lag that keeps growing (a
group without workers, or too few), on outbox rows pending above 1,000 (no relay running, or
Redis down), and on any dead letter.

**Draining the dead letters.** A subscriber that fails an event `COMMERCE_CONSUMER_MAX_ATTEMPTS`
times (with backoff) moves it to its dead-letter stream, and its group moves on.
`commerce events dlq list` and `dlq show ID` tell which event and why. Fix the cause first, then
`commerce events dlq replay ID` or `dlq replay --all [--group G]`: the event is delivered to that
subscriber again through its inbox (an event it already applied changes nothing) and leaves the
dead letters when it succeeds; one that fails again stays, and the command exits 1. `dlq purge
[--group G]` deletes dead letters for good.

**Redis durability.** Published events live only in Redis once the outbox marked them: run Redis
with the append-only file (`appendonly yes`). `appendfsync everysec` may lose the last second of
events on a crash of the Redis host; use `appendfsync always` where that matters. Never let Redis
evict keys (`maxmemory-policy noeviction`). Workers reconnect by themselves with a jittered backoff
(0.5 s doubling to 30 s) after a Redis restart, and recreate a missing group from the start of
its stream. Streams are trimmed every minute to what every group has acknowledged (a stream no
group reads keeps about its newest 10,000 entries), so a stopped group makes its streams grow:
watch its lag.
"""


def render() -> tuple[str, dict[str, str]]:
    _import_every_event_module()
    # Analytics reads many events but is off in a bare bundle: turned on here so the table
    # names it among their consumers.
    commerce = Commerce(attrs.evolve(bundle(), analytics=AnalyticsPorts(b"catalogue only key")))
    consumers: dict[str, list[str]] = {}
    for subscriber in commerce.bus.subscribers():
        consumers.setdefault(subscriber.event_type, []).append(subscriber.name)
    catalogue = sorted(event_types().items())
    lines = [
        "# Events",
        "",
        "Generated by `uv run python -m entrypoints.eventdocs` from the event classes; do not",
        "edit by hand. Every event travels in the envelope described in",
        "[architecture.md](architecture.md#events) and is written to the outbox in the same",
        "transaction as the change it describes. JSON Schemas of the payloads are in",
        "[events/](events/). How to run the bus in production: [Operations](#operations).",
        "",
        "| type | version | producer | consumers (subscriber names) |",
        "|---|---|---|---|",
    ]
    for name, cls in catalogue:
        producer = cls.__module__.split(".")[1]
        who = ", ".join(f"`{c}`" for c in sorted(consumers.get(name, []))) or "—"
        anchor = name.replace(".", "")
        lines.append(f"| [`{name}`](#{anchor}) | {cls.version} | {producer} | {who} |")
    for name, cls in catalogue:
        hints = typing.get_type_hints(cls)
        doc = (cls.__doc__ or "").strip()
        lines += ["", f"## `{name}`", ""]
        if doc:
            lines += [doc, ""]
        lines += ["| field | type |", "|---|---|"]
        lines += [f"| `{f.name}` | `{_short(hints[f.name])}` |" for f in attrs.fields(cls)]
    lines += _streams(catalogue, commerce)
    lines += OPERATIONS.rstrip("\n").split("\n")
    schemas = {
        name: json.dumps(event_schema(cls), indent=2, sort_keys=True) + "\n"
        for name, cls in catalogue
    }
    return "\n".join(lines) + "\n", schemas


def _streams(catalogue: list[tuple[str, type[DomainEvent]]], commerce: Commerce) -> list[str]:
    """Which stream each event travels on in service mode, and the groups that read it."""
    lines = ["", "## Streams and consumer groups", "",
             "| stream | event types | consumer groups (subscribers) |", "|---|---|---|"]
    groups: dict[str, set[str]] = {}
    for subscriber in commerce.bus.subscribers():
        groups.setdefault(stream_of(subscriber.event_type), set()).add(subscriber.name)
    for stream in streams_of(name for name, _ in catalogue):
        types = ", ".join(f"`{n}`" for n, _ in catalogue if stream_of(n) == stream)
        readers = ", ".join(f"`{g}`" for g in sorted(groups.get(stream, ()))) or "—"
        lines.append(f"| `{stream}` | {types} | {readers} |")
    return lines


def main(argv: list[str]) -> int:
    markdown, schemas = render()
    docs = ROOT / "docs"
    wanted = {docs / "events.md": markdown}
    wanted.update({docs / "events" / f"{name}.json": text for name, text in schemas.items()})
    if "--check" in argv:
        stale = [str(p.relative_to(ROOT)) for p, text in wanted.items()
                 if not p.exists() or p.read_text() != text]
        if stale:
            print("out of date: " + ", ".join(stale))
            return 1
        return 0
    (docs / "events").mkdir(parents=True, exist_ok=True)
    for path, text in wanted.items():
        path.write_text(text)
    print(f"wrote {len(wanted)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
