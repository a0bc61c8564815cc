"""Analytics commands: recording a batch of events (replays, backfills), building the rollups
that are due, and acting on dead letters."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.events import EventEnvelope


@frozen
class RecordEvents:
    """Read these events into facts in one transaction; malformed ones become dead letters."""

    envelopes: tuple[EventEnvelope, ...]


@frozen
class BuildRollups:
    """Build every hourly and daily bucket that is due (the worker runs this)."""


@frozen
class ReplayDeadLetter:
    """Read a dead letter's event again (after a fix); it leaves the dead letters once read."""

    dead_letter_id: str


@frozen
class DiscardDeadLetter:
    dead_letter_id: str
