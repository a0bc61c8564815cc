"""Analytics storage on SQL: facts inserted many rows per statement after one look-up of the
keys already stored, reads by period or by order, rollups and alerts replaced per range."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.analytics import (
    analytics_alerts as al,
)
from adapters.sql.tables.analytics import (
    analytics_dead_letters as dl,
)
from adapters.sql.tables.analytics import (
    analytics_events as ev,
)
from adapters.sql.tables.analytics import (
    analytics_rollups as ru,
)
from adapters.sql.tables.analytics import (
    analytics_watermarks as wm,
)
from adapters.sql.transaction import SqlTransaction
from commerce_core.analytics.errors import DeadLetterNotFound
from commerce_core.analytics.ports import (
    CHUNK,
    DeadLetter,
    Fact,
    MetricValue,
    ReconciliationAlert,
)

_FACT_FIELDS = tuple(c.name for c in ev.columns)
_LETTER_FIELDS = tuple(c.name for c in dl.columns)
_OLDEST_FIRST = (ev.c.occurred_at, CodePointOrder(ev.c.event_id))
# Built once: the recording path runs for every relayed pass of events.
_STORED_KEYS = sa.select(ev.c.event_id, ev.c.dedupe_key).where(sa.or_(
    ev.c.event_id.in_(sa.bindparam("ids", expanding=True)),
    ev.c.dedupe_key.in_(sa.bindparam("keys", expanding=True))))
_INSERT_FACTS = ev.insert()


def _fact(row: Any) -> Fact:
    return Fact(**{name: getattr(row, name) for name in _FACT_FIELDS})


def _chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class SqlAnalyticsStore:
    """Analytics' tables in the unit of work's transaction."""

    def __init__(self, db: SqlTransaction) -> None:
        self._db = db

    def record(self, facts: Sequence[Fact]) -> list[Fact]:
        new: list[Fact] = []
        for chunk in _chunks(facts):
            ids = [f.event_id for f in chunk]
            keys = [f.dedupe_key for f in chunk]
            stored = self._db.execute(_STORED_KEYS, {"ids": ids, "keys": keys}).all()
            seen = {r.event_id for r in stored} | {r.dedupe_key for r in stored}
            fresh: list[Fact] = []
            for fact in chunk:
                if fact.event_id in seen or fact.dedupe_key in seen:
                    continue
                seen.update((fact.event_id, fact.dedupe_key))
                fresh.append(fact)
            if fresh:
                # Many parameter sets, one statement: SQLAlchemy sends them as one multi-row
                # INSERT without compiling a new statement per batch size.
                self._db.execute(_INSERT_FACTS, [{name: getattr(f, name) for name in _FACT_FIELDS}
                                                 for f in fresh])
            new += fresh
        return new

    def facts(self, start: datetime, end: datetime,
              types: Collection[str] | None = None) -> list[Fact]:
        query = sa.select(ev).where(ev.c.occurred_at >= start, ev.c.occurred_at < end)
        if types is not None:
            query = query.where(ev.c.event_type.in_(sorted(types)))
        return [_fact(row) for row in self._db.execute(query.order_by(*_OLDEST_FIRST))]

    def facts_of_orders(self, order_ids: Collection[str],
                        types: Collection[str] | None = None) -> list[Fact]:
        found: list[Fact] = []
        for chunk in _chunks(sorted(order_ids)):
            query = sa.select(ev).where(ev.c.order_id.in_(chunk))
            if types is not None:
                query = query.where(ev.c.event_type.in_(sorted(types)))
            found += [_fact(row) for row in self._db.execute(query)]
        return sorted(found, key=lambda f: (f.occurred_at, f.event_id))

    def earliest(self) -> datetime | None:
        found: datetime | None = self._db.execute(
            sa.select(sa.func.min(ev.c.occurred_at))).scalar_one_or_none()
        return found

    def earliest_recorded_since(self, since: datetime) -> datetime | None:
        found: datetime | None = self._db.execute(
            sa.select(sa.func.min(ev.c.occurred_at)).where(ev.c.recorded_at >= since)
        ).scalar_one_or_none()
        return found

    def park(self, letter: DeadLetter) -> None:
        self._db.execute(dl.insert(), {name: getattr(letter, name) for name in _LETTER_FIELDS})

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._db.execute(sa.select(dl).order_by(dl.c.failed_at, CodePointOrder(dl.c.id))
                                .limit(limit))
        return [DeadLetter(**{n: getattr(r, n) for n in _LETTER_FIELDS}) for r in rows]

    def dead_letter(self, letter_id: str) -> DeadLetter:
        row = self._db.execute(sa.select(dl).where(dl.c.id == letter_id)).first()
        if row is None:
            raise DeadLetterNotFound(f"no analytics dead letter {letter_id}", id=letter_id)
        return DeadLetter(**{n: getattr(row, n) for n in _LETTER_FIELDS})

    def discard_dead_letter(self, letter_id: str) -> None:
        self._db.execute(dl.delete().where(dl.c.id == letter_id))

    def replace_rollups(self, grain: str, start: datetime, end: datetime,
                        values: Sequence[MetricValue]) -> None:
        self._db.execute(ru.delete().where(ru.c.grain == grain, ru.c.bucket >= start,
                                           ru.c.bucket < end))
        for chunk in _chunks(values):
            self._db.execute(ru.insert().values([
                {"grain": v.grain, "bucket": v.bucket, "metric": v.metric,
                 "dimension": v.dimension, "value": v.value} for v in chunk]))

    def rollups(self, grain: str, start: datetime, end: datetime,
                metrics: Collection[str] | None = None) -> list[MetricValue]:
        query = sa.select(ru).where(ru.c.grain == grain, ru.c.bucket >= start,
                                    ru.c.bucket < end)
        if metrics is not None:
            query = query.where(ru.c.metric.in_(sorted(metrics)))
        rows = self._db.execute(query.order_by(ru.c.bucket, CodePointOrder(ru.c.metric),
                                               CodePointOrder(ru.c.dimension)))
        return [MetricValue(r.grain, r.bucket, r.metric, r.dimension, int(r.value))
                for r in rows]

    def watermark(self, grain: str) -> tuple[datetime, datetime] | None:
        row = self._db.execute(sa.select(wm).where(wm.c.grain == grain)).first()
        return None if row is None else (row.built_until, row.ran_at)

    def set_watermark(self, grain: str, built_until: datetime, ran_at: datetime) -> None:
        updated = self._db.execute(wm.update().where(wm.c.grain == grain)
                                   .values(built_until=built_until, ran_at=ran_at))
        if updated.rowcount == 0:
            self._db.execute(wm.insert(), {"grain": grain, "built_until": built_until,
                                           "ran_at": ran_at})

    def replace_alerts(self, start: datetime, end: datetime,
                       alerts: Sequence[ReconciliationAlert]) -> None:
        self._db.execute(al.delete().where(al.c.day >= start, al.c.day < end))
        if alerts:
            self._db.execute(al.insert().values([
                {"day": a.day, "event_type": a.event_type, "count": a.count,
                 "window_total": a.window_total, "raised_at": a.raised_at} for a in alerts]))

    def alerts(self, start: datetime, end: datetime) -> list[ReconciliationAlert]:
        rows = self._db.execute(sa.select(al).where(al.c.day >= start, al.c.day < end)
                                .order_by(al.c.day, CodePointOrder(al.c.event_type)))
        # `count` is also a method of a row: read it by name.
        return [ReconciliationAlert(r.day, r.event_type, int(r._mapping["count"]),
                                    int(r.window_total), r.raised_at) for r in rows]
