"""`commerce events`: the event bus on Redis Streams as an operator sees it: status, new entries
as they arrive, and the dead letters (list, show, replay, purge)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import redis
import typer
from attrs import frozen
from rich.table import Table
from rich.text import Text

from adapters.redis import (
    DeadLetter,
    DeadLetterNotFound,
    DeadLetters,
    ReplayFailed,
    StreamLayout,
    StreamTail,
    broker_errors,
    bus_status,
)
from commerce_core.analytics.errors import DeadLetterNotFound as AnalyticsDeadLetterNotFound
from commerce_core.analytics.handlers import SUBSCRIBER as ANALYTICS
from commerce_core.analytics.ports import DeadLetter as AnalyticsDeadLetter
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.permissions import Permission
from commerce_core.shared.relay import streams_of
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, failed, ok
from entrypoints.cli.runtime import Runtime, runtime
from entrypoints.consumer.service import catalogue

app = typer.Typer(no_args_is_help=True,
                  help="The event bus (Redis Streams): status, tail, dead letters.")
dlq = typer.Typer(no_args_is_help=True,
                  help="Dead letters: events a subscriber gave up on after its retries, "
                       "and events analytics could not read.")
app.add_typer(dlq, name="dlq")

Group = Annotated[str | None, typer.Option("--group", help="Only this subscriber's dead letters")]


@frozen
class Bus:
    state: Runtime
    client: redis.Redis
    layout: StreamLayout

    @property
    def dead_letters(self) -> DeadLetters:
        return DeadLetters(self.client, self.layout)


@contextmanager
def bus(ctx: typer.Context) -> Iterator[Bus]:
    """The bus of these settings; a Redis failure inside becomes the one-line error."""
    state = runtime(ctx)
    with broker_errors(state.settings.redis_url):
        yield Bus(state, state.container.redis_client(), state.container.stream_layout())


@app.command("status")
@permits(Permission.EVENTS_MANAGE)
def status(ctx: typer.Context) -> None:
    """Streams, consumer groups (lag, pending, retrying, dead letters) and the outbox."""
    with bus(ctx) as b:
        found = bus_status(b.client, b.layout)
    outbox = b.state.commerce.outbox_stats()

    streams = Table(title="Streams")
    streams.add_column("Stream", no_wrap=True)
    streams.add_column("Entries", justify="right")
    for key, length in found["streams"].items():
        streams.add_row(key, str(length))
    console.print(streams if found["streams"] else "no streams yet")

    groups = Table(title="Consumer groups")
    groups.add_column("Group (subscriber)", no_wrap=True)
    for heading in ("Lag", "Pending", "Retrying", "Dead letters"):
        groups.add_column(heading, justify="right")
    names = sorted(set(found["groups"]) | set(found["dead_letters"]))
    for name in names:
        figures = found["groups"].get(name, {"lag": 0, "pending": 0, "retrying": 0})
        dead = found["dead_letters"].get(name, 0)
        groups.add_row(name, str(figures["lag"]), str(figures["pending"]),
                       str(figures["retrying"]),
                       Text(str(dead), style="red" if dead else ""))
    console.print(groups if names else "no consumer groups yet")

    rows = Table(title="Outbox")
    for heading in ("Pending", "Published", "Failed"):
        rows.add_column(heading, justify="right")
    rows.add_row(*(str(outbox.get(key, 0)) for key in ("pending", "published", "failed")))
    console.print(rows)


@app.command("tail")
@permits(Permission.EVENTS_MANAGE)
def tail(
    ctx: typer.Context,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="Stop after this many entries")
    ] = None,
) -> None:
    """Print events as they are added to the streams, until Ctrl-C (or --count entries)."""
    seen = 0
    try:
        with bus(ctx) as b:
            known = {b.layout.stream_named(name) for name in streams_of(catalogue())}
            existing = {key.decode() if isinstance(key, bytes) else str(key)
                        for key in b.client.scan_iter(match=b.layout.all_streams_pattern())}
            follower = StreamTail(b.client, sorted(known | existing))
            console.print(f"following {len(known | existing)} streams (Ctrl-C to stop)")
            while count is None or seen < count:
                for key, entry_id, envelope in follower.read(block_ms=1000):
                    console.print(f"{entry_id}  {key.rsplit(':', 1)[-1]:<12} "
                                  f"{envelope.type:<36} {envelope.aggregate_id}  {envelope.id}")
                    seen += 1
                    if count is not None and seen >= count:
                        break
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@dlq.command("list")
@permits(Permission.EVENTS_MANAGE)
def list_dead_letters(
    ctx: typer.Context,
    group: Group = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many")] = 100,
) -> None:
    """Dead letters, oldest first: the Redis streams' (service mode) and the events analytics
    parked because it could not read them (both modes)."""
    state = runtime(ctx)
    letters: list[DeadLetter] = []
    if state.settings.bus == "redis":
        with bus(ctx) as b:
            letters = b.dead_letters.list(group, limit=limit)
    parked = _parked(state, group, limit)
    if not letters and not parked:
        console.print("no dead letters" + (f" for {group}" if group else ""))
        return
    table = Table()
    for heading in ("Id", "Group (subscriber)", "Event type", "Event id", "Attempts",
                    "Failed at", "Error"):
        table.add_column(heading, no_wrap=heading != "Error")
    for letter in letters:
        table.add_row(letter.id, letter.group, letter.envelope.type, letter.envelope.id,
                      str(letter.attempts), letter.failed_at[:19], _first_line(letter.error))
    for p in parked:
        table.add_row(p.id, ANALYTICS, p.event_type, p.event_id, "1",
                      p.failed_at.isoformat()[:19], _first_line(p.error))
    console.print(table)


def _parked(state: Runtime, group: str | None, limit: int) -> list[AnalyticsDeadLetter]:
    """Analytics' dead letters (none when analytics is off or another group is asked for)."""
    analytics = state.commerce.analytics
    if not analytics.enabled or group not in (None, ANALYTICS):
        return []
    return analytics.dead_letters(limit)


def _parked_one(state: Runtime, dead_letter_id: str) -> AnalyticsDeadLetter | None:
    """Analytics' dead letter of this id (stream entry ids are `<ms>-<seq>`, never one)."""
    analytics = state.commerce.analytics
    if not analytics.enabled or re.fullmatch(r"\d+-\d+", dead_letter_id):
        return None
    try:
        return analytics.dead_letter(dead_letter_id)
    except AnalyticsDeadLetterNotFound:
        return None


def _needs_streams(state: Runtime, dead_letter_id: str) -> None:
    """Without Redis (embedded mode) the only dead letters are analytics'."""
    if state.settings.bus != "redis":
        raise DeadLetterNotFound(f"no dead letter {dead_letter_id}", id=dead_letter_id)


def _show_parked(letter: AnalyticsDeadLetter) -> None:
    grid = Table.grid(padding=(0, 2))
    for name, value in (
        ("Dead letter", letter.id), ("Group", ANALYTICS),
        ("Failed at", letter.failed_at.isoformat()),
        ("Event", f"{letter.event_type} v{letter.version}"), ("Event id", letter.event_id),
        ("Aggregate", letter.aggregate_id), ("Occurred", letter.occurred_at.isoformat()),
    ):
        grid.add_row(name, value)
    console.print(grid)
    console.print(Text("Error", style="bold"))
    console.print(letter.error)
    console.print(Text("Payload (minimised)", style="bold"))
    console.print(json.dumps(letter.payload, indent=2, ensure_ascii=False))


@dlq.command("show")
@permits(Permission.EVENTS_MANAGE)
def show(ctx: typer.Context, dead_letter_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """One dead letter: where it came from, the error, and the event."""
    parked = _parked_one(runtime(ctx), dead_letter_id)
    if parked is not None:
        _show_parked(parked)
        return
    _needs_streams(runtime(ctx), dead_letter_id)
    with bus(ctx) as b:
        letter = b.dead_letters.get(dead_letter_id)
    envelope = letter.envelope
    grid = Table.grid(padding=(0, 2))
    for name, value in (
        ("Dead letter", letter.id), ("Group", letter.group), ("Stream", letter.stream),
        ("Entry", letter.entry_id), ("Attempts", str(letter.attempts)),
        ("Failed at", letter.failed_at), ("Event", f"{envelope.type} v{envelope.version}"),
        ("Event id", envelope.id), ("Aggregate", envelope.aggregate_id),
        ("Occurred", envelope.occurred_at.isoformat()),
        ("Correlation", envelope.correlation_id or "-"),
    ):
        grid.add_row(name, value)
    console.print(grid)
    console.print(Text("Error", style="bold"))
    console.print(letter.error)
    console.print(Text("Payload", style="bold"))
    console.print(json.dumps(envelope.payload, indent=2, ensure_ascii=False))


@dlq.command("replay")
@permits(Permission.EVENTS_MANAGE)
def replay(
    ctx: typer.Context,
    dead_letter_id: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
    every: Annotated[bool, typer.Option("--all", help="Replay every dead letter")] = False,
    group: Group = None,
) -> None:
    """Deliver dead letters to their subscriber again, through its inbox (an event it already
    applied changes nothing); each one that succeeds leaves the dead letters."""
    if (dead_letter_id is None) == (not every):
        raise typer.BadParameter("give one dead letter ID or --all")
    state = runtime(ctx)
    if dead_letter_id is not None and _parked_one(state, dead_letter_id) is not None:
        state.commerce.analytics.replay_dead_letter(dead_letter_id)  # fails again: it stays
        ok(f"replayed {dead_letter_id} to {ANALYTICS}")
        return
    if dead_letter_id is not None:
        _needs_streams(state, dead_letter_id)
    parked_failing = _replay_parked(state, group) if every else 0
    if state.settings.bus != "redis":
        if parked_failing:
            raise ReplayFailed(f"{parked_failing} analytics dead letters failed again; they "
                               "stay in the dead letters", count=parked_failing)
        return
    with bus(ctx) as b:
        commerce = b.state.commerce
        if dead_letter_id is not None:
            letters = [b.dead_letters.get(dead_letter_id)]
        else:
            letters = b.dead_letters.list(group, limit=1_000_000)
        still_failing: list[tuple[DeadLetter, str]] = []
        with _quiet("commerce.bus"):
            for letter in letters:
                error = b.dead_letters.redeliver(commerce.bus, letter)
                if error is None:
                    ok(f"replayed {letter.id}: {letter.envelope.type} to {letter.group}")
                else:
                    still_failing.append((letter, error))
    if dead_letter_id is not None and still_failing:
        raise ReplayFailed(f"{dead_letter_id} failed again in {letters[0].group}: "
                           f"{_first_line(still_failing[0][1])}; it stays in the dead letters",
                           id=dead_letter_id)
    if not letters:
        console.print("no dead letters" + (f" for {group}" if group else ""))
    for letter, error in still_failing:
        failed(f"{letter.id}: {letter.group} failed again: {_first_line(error)}")
    if still_failing or parked_failing:
        count = len(still_failing) + parked_failing
        raise ReplayFailed(f"{count} dead letters failed again; they stay in the dead letters",
                           count=count)


def _replay_parked(state: Runtime, group: str | None) -> int:
    """Read analytics' dead letters again; returns how many still fail (they stay)."""
    analytics = state.commerce.analytics
    failing = 0
    for letter in _parked(state, group, 1_000_000):
        try:
            analytics.replay_dead_letter(letter.id)
        except CommerceError as error:
            failing += 1
            failed(f"{letter.id}: {ANALYTICS} failed again: {_first_line(str(error))}")
        else:
            ok(f"replayed {letter.id}: {letter.event_type} to {ANALYTICS}")
    return failing


@dlq.command("purge")
@permits(Permission.EVENTS_MANAGE)
def purge(
    ctx: typer.Context,
    group: Group = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete dead letters for good (every group's, or one group's)."""
    scope = f"the dead letters of {group}" if group else "every dead letter"
    if not yes:
        typer.confirm(f"Delete {scope}? They cannot be replayed afterwards", abort=True)
    state = runtime(ctx)
    removed = 0
    for letter in _parked(state, group, 1_000_000):
        state.commerce.analytics.discard_dead_letter(letter.id)
        removed += 1
    if state.settings.bus == "redis":
        with bus(ctx) as b:
            removed += b.dead_letters.purge(group)
    ok(f"purged {removed} dead letters")


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:160] if lines else ""


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    # A subscriber that fails again is reported as this command's one-line outcome; the
    # traceback the bus logs would bury it.
    logger = logging.getLogger(logger_name)
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled
