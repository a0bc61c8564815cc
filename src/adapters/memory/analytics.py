"""Analytics storage in the in-memory database, undone with its transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from adapters.memory.base import InMemoryDatabase, Journal
from commerce_core.analytics.errors import DeadLetterNotFound
from commerce_core.analytics.ports import (
    DeadLetter,
    Fact,
    MetricValue,
    ReconciliationAlert,
)


def _oldest_first(fact: Fact) -> tuple[datetime, str]:
    return fact.occurred_at, fact.event_id


def _restore(table: dict[Any, Any], key: Any, value: Any) -> Callable[[], None]:
    return lambda: table.__setitem__(key, value)


class InMemoryAnalyticsStore:
    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    @classmethod
    def over(cls, scope: Any) -> InMemoryAnalyticsStore:
        return cls(scope.db, scope.journal)

    def _table(self, name: str) -> dict[Any, Any]:
        return self._db.table(f"analytics_{name}")

    def record(self, facts: Sequence[Fact]) -> list[Fact]:
        stored, keys = self._table("events"), self._table("dedupe_keys")
        new: list[Fact] = []
        for fact in facts:
            if fact.event_id in stored or fact.dedupe_key in keys:
                continue
            self._journal.put(stored, fact.event_id, fact)
            self._journal.put(keys, fact.dedupe_key, fact.event_id)
            new.append(fact)
        return new

    def facts(self, start: datetime, end: datetime,
              types: Collection[str] | None = None) -> list[Fact]:
        wanted = None if types is None else set(types)
        return sorted((f for f in self._table("events").values()
                       if start <= f.occurred_at < end
                       and (wanted is None or f.event_type in wanted)), key=_oldest_first)

    def facts_of_orders(self, order_ids: Collection[str],
                        types: Collection[str] | None = None) -> list[Fact]:
        orders = set(order_ids)
        wanted = None if types is None else set(types)
        return sorted((f for f in self._table("events").values()
                       if f.order_id in orders and (wanted is None or f.event_type in wanted)),
                      key=_oldest_first)

    def earliest(self) -> datetime | None:
        return min((f.occurred_at for f in self._table("events").values()), default=None)

    def earliest_recorded_since(self, since: datetime) -> datetime | None:
        return min((f.occurred_at for f in self._table("events").values()
                    if f.recorded_at >= since), default=None)

    def park(self, letter: DeadLetter) -> None:
        self._journal.put(self._table("dead_letters"), letter.id, letter)

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        letters = sorted(self._table("dead_letters").values(),
                         key=lambda d: (d.failed_at, d.id))
        return letters[:limit]

    def dead_letter(self, letter_id: str) -> DeadLetter:
        letter: DeadLetter | None = self._table("dead_letters").get(letter_id)
        if letter is None:
            raise DeadLetterNotFound(f"no analytics dead letter {letter_id}", id=letter_id)
        return letter

    def discard_dead_letter(self, letter_id: str) -> None:
        letters = self._table("dead_letters")
        if letter_id in letters:
            letter = letters.pop(letter_id)
            self._journal.then(lambda: letters.__setitem__(letter_id, letter))

    def _drop(self, table: dict[Any, Any], doomed: list[Any]) -> None:
        for key in doomed:
            self._journal.then(_restore(table, key, table.pop(key)))

    def replace_rollups(self, grain: str, start: datetime, end: datetime,
                        values: Sequence[MetricValue]) -> None:
        table = self._table("rollups")
        self._drop(table, [k for k, v in table.items()
                           if v.grain == grain and start <= v.bucket < end])
        for value in values:
            key = (value.grain, value.bucket, value.metric, value.dimension)
            self._journal.put(table, key, value)

    def rollups(self, grain: str, start: datetime, end: datetime,
                metrics: Collection[str] | None = None) -> list[MetricValue]:
        wanted = None if metrics is None else set(metrics)
        return sorted((v for v in self._table("rollups").values()
                       if v.grain == grain and start <= v.bucket < end
                       and (wanted is None or v.metric in wanted)),
                      key=lambda v: (v.bucket, v.metric, v.dimension))

    def watermark(self, grain: str) -> tuple[datetime, datetime] | None:
        mark: tuple[datetime, datetime] | None = self._table("watermarks").get(grain)
        return mark

    def set_watermark(self, grain: str, built_until: datetime, ran_at: datetime) -> None:
        self._journal.put(self._table("watermarks"), grain, (built_until, ran_at))

    def replace_alerts(self, start: datetime, end: datetime,
                       alerts: Sequence[ReconciliationAlert]) -> None:
        table = self._table("alerts")
        self._drop(table, [k for k, v in table.items() if start <= v.day < end])
        for alert in alerts:
            self._journal.put(table, (alert.day, alert.event_type), alert)

    def alerts(self, start: datetime, end: datetime) -> list[ReconciliationAlert]:
        return sorted((a for a in self._table("alerts").values() if start <= a.day < end),
                      key=lambda a: (a.day, a.event_type))
