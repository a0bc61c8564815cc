"""What analytics consumes: its store (behind the shop's unit of work, so facts commit with the
inbox row of the event they came from) and the settings the shop gives it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from attrs import frozen

from commerce_core.analytics.model import DeadLetter, Fact, MetricValue, ReconciliationAlert
from commerce_core.shared.uow import UnitOfWork

__all__ = [
    "AnalyticsPorts",
    "AnalyticsStore",
    "AnalyticsUnitOfWork",
    "DeadLetter",
    "Fact",
    "MetricValue",
    "ReconciliationAlert",
]

CHUNK = 500  # rows of one multi-row INSERT (spec B3.6)


class AnalyticsStore(Protocol):
    """Facts, dead letters, rollups and alerts, written in the unit of work's transaction.

    `record` is idempotent: a fact whose `event_id` or `dedupe_key` is already stored (or comes
    earlier in the same batch) is skipped, so replays change nothing. It costs a constant
    number of statements per `CHUNK` facts, whatever their types. Reads return facts oldest
    first (then by event id)."""

    def record(self, facts: Sequence[Fact]) -> list[Fact]:
        """Store the new facts; returns those stored."""
        ...

    def facts(self, start: datetime, end: datetime,
              types: Collection[str] | None = None) -> list[Fact]:
        """Facts that occurred in [start, end), of these types (every type if None)."""
        ...

    def facts_of_orders(self, order_ids: Collection[str],
                        types: Collection[str] | None = None) -> list[Fact]:
        """Every fact about these orders, whenever it occurred."""
        ...

    def earliest(self) -> datetime | None:
        """When the oldest fact occurred."""
        ...

    def earliest_recorded_since(self, since: datetime) -> datetime | None:
        """The oldest occurrence among facts recorded at or after `since` (late arrivals tell
        the rollups which buckets to build again)."""
        ...

    def park(self, letter: DeadLetter) -> None: ...

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """Oldest first."""
        ...

    def dead_letter(self, letter_id: str) -> DeadLetter:
        """The dead letter, or `DeadLetterNotFound`."""
        ...

    def discard_dead_letter(self, letter_id: str) -> None: ...

    def replace_rollups(self, grain: str, start: datetime, end: datetime,
                        values: Sequence[MetricValue]) -> None:
        """Drop the `grain` values of buckets in [start, end) and store `values` instead."""
        ...

    def rollups(self, grain: str, start: datetime, end: datetime,
                metrics: Collection[str] | None = None) -> list[MetricValue]:
        """Values of buckets in [start, end), oldest bucket first."""
        ...

    def watermark(self, grain: str) -> tuple[datetime, datetime] | None:
        """(end of the last bucket built, when that run started), or None before the first."""
        ...

    def set_watermark(self, grain: str, built_until: datetime, ran_at: datetime) -> None: ...

    def replace_alerts(self, start: datetime, end: datetime,
                       alerts: Sequence[ReconciliationAlert]) -> None:
        """Drop the alerts of days in [start, end) and store `alerts` instead."""
        ...

    def alerts(self, start: datetime, end: datetime) -> list[ReconciliationAlert]:
        """Alerts of days in [start, end), oldest first."""
        ...


class AnalyticsUnitOfWork(UnitOfWork, Protocol):
    @property
    def analytics(self) -> AnalyticsStore: ...


@frozen
class AnalyticsPorts:
    """What the shop gives analytics (`Ports.analytics`); without it the context is off.

    `pseudonym_key` keys the customer pseudonyms (keep it stable: a new key starts new
    cohorts); `timezone` is the IANA zone days are counted in; `history_days` bounds how far
    back the first rollup run reaches."""

    pseudonym_key: bytes
    timezone: str = "UTC"
    history_days: int = 90
