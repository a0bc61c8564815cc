"""Hourly and daily rollups: buckets aligned to the wall clock (hours in UTC, days at midnight
in the shop's timezone), built once complete, every missed one caught up after downtime, and
built again when a late event lands in one. Each build replaces the bucket's values, so a run
repeated changes nothing. The daily build ends with the reconciliation check."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from commerce_core.analytics.model import Fact, MetricValue, ReconciliationAlert
from commerce_core.analytics.ports import AnalyticsStore

log = logging.getLogger("commerce.analytics")

HOUR, DAY = "hour", "day"
GRAINS = (HOUR, DAY)
WINDOW_DAYS = 7
# A day's count below 80 % of the average of the seven days before it raises an alert:
# count < 0.8 · sum / 7  ⇔  35 · count < 4 · sum (integers, no rounding).
ALERT_NUMERATOR, ALERT_DENOMINATOR = 4, 5
# A fact committed while a run was building (its transaction began before the run's) carries a
# `recorded_at` just before the run started: late arrivals are looked for from this much
# earlier, so such a fact's bucket is built again too (building more is harmless).
LATE_MARGIN = timedelta(minutes=10)
# Below one event a day on average a drop says nothing (a quiet type, a new shop): no alert.
MIN_WINDOW_TOTAL = WINDOW_DAYS


def floor(at: datetime, grain: str, zone: ZoneInfo) -> datetime:
    """The start of the bucket holding `at`, in UTC."""
    if grain == HOUR:
        return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    local = at.astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone).astimezone(UTC)


def following(bucket: datetime, grain: str, zone: ZoneInfo) -> datetime:
    """The start of the bucket after `bucket` (a local day may last 23 or 25 hours)."""
    if grain == HOUR:
        return bucket + timedelta(hours=1)
    local = bucket.astimezone(zone)
    return floor(datetime(local.year, local.month, local.day, 12, tzinfo=zone)
                 + timedelta(days=1), DAY, zone)


def buckets(start: datetime, end: datetime, grain: str, zone: ZoneInfo) -> Iterator[datetime]:
    bucket = floor(start, grain, zone)
    while bucket < end:
        yield bucket
        bucket = following(bucket, grain, zone)


def metrics(facts: Sequence[Fact]) -> list[tuple[str, str, int]]:
    """The rollup values of the facts of one bucket: (metric, dimension, value)."""
    values: Counter[tuple[str, str]] = Counter()
    paid: dict[str, set[str]] = defaultdict(set)
    customers: set[str] = set()
    sessions: set[str] = set()
    converted: set[str] = set()
    for fact in facts:
        values[("events", fact.event_type)] += 1
        kind = fact.event_type
        if kind == "payment.captured":
            values[("revenue_captured", fact.currency or "")] += fact.amount or 0
            paid[fact.currency or ""].add(fact.order_id or fact.subject_id)
        elif kind == "payment.refunded":
            values[("revenue_refunded", fact.currency or "")] += fact.amount or 0
        elif kind == "order.created":
            values[("orders_created", "")] += 1
            if fact.customer_key:
                customers.add(fact.customer_key)
        elif kind == "order.cancelled":
            values[("orders_cancelled", "")] += 1
        elif kind == "shipping.shipment_delivered":
            values[("shipments_delivered", "")] += 1
        elif kind == "returns.return_completed":
            values[("returns_completed", "")] += 1
        if fact.session_key:
            sessions.add(fact.session_key)
            if kind == "cart.converted":
                converted.add(fact.session_key)
    for currency, orders in paid.items():
        values[("paid_orders", currency)] = len(orders)
    for currency in {c for m, c in values if m in ("revenue_captured", "revenue_refunded")}:
        values[("revenue_net", currency)] = (values[("revenue_captured", currency)]
                                             - values[("revenue_refunded", currency)])
    if customers:
        values[("active_customers", "")] = len(customers)
    if sessions:
        values[("sessions", "")] = len(sessions)
        values[("sessions_converted", "")] = len(converted)
    return sorted((m, d, v) for (m, d), v in values.items())


class Rollups:
    """Builds what is due of both grains over one store."""

    def __init__(self, store: AnalyticsStore, zone: ZoneInfo, history: timedelta) -> None:
        self._store, self._zone, self._history = store, zone, history

    def due(self, grain: str, now: datetime) -> tuple[datetime, datetime] | None:
        """The buckets [start, end) to build now: from the last one built (or the first
        fact, at most `history` ago) and from any bucket a late fact fell into, up to the last
        complete bucket."""
        end = floor(now, grain, self._zone)
        mark = self._store.watermark(grain)
        if mark is None:
            earliest = self._store.earliest()
            if earliest is None:
                return None
            start = floor(max(earliest, now - self._history), grain, self._zone)
        else:
            built_until, ran_at = mark
            start = built_until
            late = self._store.earliest_recorded_since(ran_at - LATE_MARGIN)
            if late is not None and late < start:
                start = floor(max(late, now - self._history), grain, self._zone)
        return (start, end) if start < end else None

    def build(self, grain: str, start: datetime, end: datetime, ran_at: datetime) -> int:
        """Build every `grain` bucket in [start, end); returns how many."""
        facts = self._store.facts(start, end)
        by_bucket: dict[datetime, list[Fact]] = defaultdict(list)
        for fact in facts:
            by_bucket[floor(fact.occurred_at, grain, self._zone)].append(fact)
        built = list(buckets(start, end, grain, self._zone))
        values = [MetricValue(grain, bucket, metric, dimension, value)
                  for bucket in built for metric, dimension, value in metrics(by_bucket[bucket])]
        self._store.replace_rollups(grain, start, end, values)
        self._store.set_watermark(grain, end, ran_at)
        return len(built)

    def reconcile(self, start: datetime, end: datetime, now: datetime) -> list[ReconciliationAlert]:
        """Alerts for the days in [start, end): an event type whose count fell below 80 % of
        its average over the seven days before (types with at least one event a day on average
        over those days)."""
        days = list(buckets(start, end, DAY, self._zone))
        if not days:
            return []
        window_start = days[0]
        for _ in range(WINDOW_DAYS):
            window_start = floor(window_start - timedelta(hours=12), DAY, self._zone)
        counts: dict[datetime, Counter[str]] = defaultdict(Counter)
        for value in self._store.rollups(DAY, window_start, end, ("events",)):
            counts[value.bucket][value.dimension] = value.value
        alerts = []
        for day in days:
            window = []
            cursor = day
            for _ in range(WINDOW_DAYS):
                cursor = floor(cursor - timedelta(hours=12), DAY, self._zone)
                window.append(counts.get(cursor, Counter()))
            seen = set().union(*(w.keys() for w in window))
            for event_type in sorted(seen):
                total = sum(w[event_type] for w in window)
                if total < MIN_WINDOW_TOTAL:
                    continue
                count = counts.get(day, Counter())[event_type]
                if count * WINDOW_DAYS * ALERT_DENOMINATOR < total * ALERT_NUMERATOR:
                    alert = ReconciliationAlert(day, event_type, count, total, now)
                    log.warning("analytics reconciliation: %s had %d events on %s, below 80%% "
                                "of its 7-day average %.2f", event_type, count,
                                day.astimezone(self._zone).date().isoformat(), alert.average)
                    alerts.append(alert)
        self._store.replace_alerts(start, end, alerts)
        return alerts
