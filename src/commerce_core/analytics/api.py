"""`commerce.analytics`: the reports staff read, the rollup run the worker makes, batch
recording and the dead letters, as plain methods.

Report methods take a `Period` ([start, end), timezone-aware) or, through `period(...)`, the
first and last day in the shop's timezone; their answers are the frozen values of
`commerce_core.analytics.queries`."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from commerce_core.analytics.commands import (
    BuildRollups,
    DiscardDeadLetter,
    RecordEvents,
    ReplayDeadLetter,
)
from commerce_core.analytics.errors import AnalyticsUnavailable, InvalidPeriod
from commerce_core.analytics.model import DeadLetter, MetricValue, Period
from commerce_core.analytics.ports import AnalyticsPorts, AnalyticsUnitOfWork
from commerce_core.analytics.queries import (
    CohortsReport,
    FulfilmentReport,
    FunnelReport,
    OrdersReport,
    OverviewReport,
    ReturnsReport,
    RevenueReport,
    RfmReport,
    RollupReport,
    ShippingReport,
)
from commerce_core.analytics.reports import Reports
from commerce_core.analytics.rollups import GRAINS
from commerce_core.shared.bus import Handle
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import UnitOfWorkFactory

EARLIEST_YEAR, LATEST_YEAR = 1970, 9000  # a report's period and the one before it stay datable
REPORTS = ("overview", "revenue", "orders", "funnel", "fulfilment", "shipping", "returns",
           "cohorts", "rfm")


class AnalyticsApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[AnalyticsUnitOfWork],
                 ports: AnalyticsPorts | None) -> None:
        self._handle, self._read, self._ports = handle, read, ports
        self.zone = ZoneInfo(ports.timezone if ports is not None else "UTC")

    @property
    def enabled(self) -> bool:
        return self._ports is not None

    def period(self, first: date, last: date) -> Period:
        """The days first..last (both included) in the shop's timezone."""
        if last < first:
            raise InvalidPeriod(f"the last day {last} comes before the first {first}")
        if first.year < EARLIEST_YEAR or last.year > LATEST_YEAR:
            raise InvalidPeriod(f"days are between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return Period(datetime.combine(first, time(), self.zone),
                      datetime.combine(last + timedelta(days=1), time(), self.zone))

    def _reports(self, uow: AnalyticsUnitOfWork) -> Reports:
        if self._ports is None:
            raise AnalyticsUnavailable("analytics is not configured: build the ports with "
                                       "analytics=AnalyticsPorts(pseudonym_key=...)")
        return Reports(uow.analytics, self.zone)

    # -- reports --------------------------------------------------------------------------------
    def overview(self, period: Period) -> OverviewReport:
        """Revenue per currency, orders, active customers, conversion, growth against the
        period before, reconciliation alerts and the dead-letter count."""
        with self._read() as uow:
            return self._reports(uow).overview(period)

    def revenue(self, period: Period) -> RevenueReport:
        """Captured - refunded per currency, in total and per day."""
        with self._read() as uow:
            return self._reports(uow).revenue(period)

    def orders(self, period: Period) -> OrdersReport:
        with self._read() as uow:
            return self._reports(uow).orders(period)

    def funnel(self, period: Period) -> FunnelReport:
        with self._read() as uow:
            return self._reports(uow).funnel(period)

    def fulfilment(self, period: Period) -> FulfilmentReport:
        with self._read() as uow:
            return self._reports(uow).fulfilment(period)

    def shipping(self, period: Period) -> ShippingReport:
        with self._read() as uow:
            return self._reports(uow).shipping(period)

    def returns(self, period: Period) -> ReturnsReport:
        with self._read() as uow:
            return self._reports(uow).returns(period)

    def cohorts(self, period: Period) -> CohortsReport:
        """Monthly cohorts whose first order falls in the period, retention up to its end."""
        with self._read() as uow:
            return self._reports(uow).cohorts(period)

    def rfm(self, period: Period, limit: int = 100) -> RfmReport:
        """Customers ordering in the period scored by recency, frequency and monetary value."""
        with self._read() as uow:
            return self._reports(uow).rfm(period, limit)

    def series(self, grain: str, period: Period,
               metrics: Collection[str] | None = None) -> list[MetricValue]:
        """Built rollup values (`grain` "hour" or "day") of buckets in the period, oldest
        first: for charts over long ranges (the buckets not built yet are absent)."""
        if grain not in GRAINS:
            raise InvalidPeriod(f"grain is one of {', '.join(GRAINS)}, not {grain!r}")
        with self._read() as uow:
            self._reports(uow)
            return uow.analytics.rollups(grain, period.start, period.end, metrics)

    # -- operating ------------------------------------------------------------------------------
    def build_rollups(self) -> RollupReport:
        """Build the hourly and daily buckets that are due, then check the days built."""
        result: RollupReport = self._handle(BuildRollups())
        return result

    def record(self, envelopes: Iterable[EventEnvelope]) -> int:
        """Read events in one batch (replays, backfills); returns how many facts were new."""
        result: int = self._handle(RecordEvents(tuple(envelopes)))
        return result

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        with self._read() as uow:
            self._reports(uow)
            return uow.analytics.dead_letters(limit)

    def dead_letter(self, dead_letter_id: str) -> DeadLetter:
        with self._read() as uow:
            self._reports(uow)
            return uow.analytics.dead_letter(dead_letter_id)

    def replay_dead_letter(self, dead_letter_id: str) -> int:
        """Read the event again; `MalformedEvent` if it still cannot be (it stays)."""
        result: int = self._handle(ReplayDeadLetter(dead_letter_id))
        return result

    def discard_dead_letter(self, dead_letter_id: str) -> None:
        self._handle(DiscardDeadLetter(dead_letter_id))
