"""What analytics reports answer: plain frozen values a CLI table, a JSON body or a chart draws
from. Money is integer minor units beside its currency, never summed across currencies; rates
are `Ratio`s (the counts behind them stay visible); durations are hours or minutes."""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from commerce_core.analytics.model import MetricValue, Period, ReconciliationAlert

__all__ = [
    "CarrierPerformance", "CohortRow", "CohortsReport", "CurrencyAmount", "CurrencyRatio",
    "CurrencyRevenue", "DayCount", "DayRevenue", "FulfilmentReport", "FunnelReport",
    "FunnelStage", "Growth", "MetricValue", "OrdersReport", "OverviewReport", "Period",
    "Ratio", "ReasonCount", "ReconciliationAlert", "ReturnsReport", "RevenueReport",
    "RfmReport", "RfmRow", "RollupReport", "SegmentCount", "ShippingReport", "StatusCount",
]


@frozen
class Ratio:
    """numerator ÷ denominator; `percent` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if self.denominator == 0:
            return None
        return round(100 * self.numerator / self.denominator, 2)


@frozen
class CurrencyAmount:
    currency: str
    amount: int


@frozen
class CurrencyRatio:
    currency: str
    ratio: Ratio


@frozen
class CurrencyRevenue:
    """Revenue in one currency: captured - refunded = net; `aov` = net ÷ paid orders (rounded
    half up to a minor unit; 0 without paid orders)."""

    currency: str
    captured: int
    refunded: int
    net: int
    paid_orders: int
    aov: int


@frozen
class DayRevenue:
    day: date
    currency: str
    captured: int
    refunded: int
    net: int


@frozen
class DayCount:
    day: date
    count: int


@frozen
class Growth:
    """(current - previous) ÷ previous, for `metric` in one `dimension` (a currency for
    revenue, else "")."""

    metric: str
    dimension: str
    current: int
    previous: int

    @property
    def percent(self) -> float | None:
        if self.previous == 0:
            return None
        return round(100 * (self.current - self.previous) / self.previous, 2)


@frozen
class OverviewReport:
    period: Period
    revenue: tuple[CurrencyRevenue, ...]
    orders: int
    active_customers: int
    conversion: Ratio
    growth: tuple[Growth, ...]
    alerts: tuple[ReconciliationAlert, ...]
    dead_letters: int


@frozen
class RevenueReport:
    period: Period
    totals: tuple[CurrencyRevenue, ...]
    days: tuple[DayRevenue, ...]


@frozen
class StatusCount:
    status: str
    count: int


@frozen
class OrdersReport:
    """Orders created in the period (their first status fact falls in it); `statuses` is where
    those orders stand now (the newest status of each, whatever order events came in)."""

    period: Period
    created: int
    cancelled: int
    completed: int
    cancellation: Ratio
    statuses: tuple[StatusCount, ...]
    days: tuple[DayCount, ...]


@frozen
class FunnelStage:
    name: str
    sessions: int


@frozen
class FunnelReport:
    """Distinct sessions (today: carts) reaching each stage in the period."""

    period: Period
    stages: tuple[FunnelStage, ...]
    conversion: Ratio


@frozen
class FulfilmentReport:
    """Orders confirmed in the period, how many of them shipped within it and how long that
    took; pick and pack times from fulfilment status facts."""

    period: Period
    confirmed: int
    shipped: int
    pending: int
    fulfilment_rate: Ratio
    avg_hours_to_ship: float | None
    avg_pick_minutes: float | None
    avg_pack_minutes: float | None
    sla_breaches: int


@frozen
class CarrierPerformance:
    carrier: str
    shipped: int
    delivered: int
    failed: int
    success: Ratio
    avg_hours_to_deliver: float | None


@frozen
class ShippingReport:
    period: Period
    carriers: tuple[CarrierPerformance, ...]
    shipped: int
    delivered: int
    success: Ratio
    avg_hours_to_deliver: float | None


@frozen
class ReasonCount:
    reason: str
    count: int


@frozen
class ReturnsReport:
    """`return_rate` = returns completed ÷ orders delivered in the period; `refund_rate` per
    currency = refunded ÷ captured."""

    period: Period
    requested: int
    approved: int
    rejected: int
    completed: int
    return_rate: Ratio
    refunded: tuple[CurrencyAmount, ...]
    refund_rate: tuple[CurrencyRatio, ...]
    reasons: tuple[ReasonCount, ...]


@frozen
class CohortRow:
    """Customers whose first order fell in the month starting `cohort`; `retention[k]` is the
    share of them ordering in month k after (month 0 is 100 %)."""

    cohort: date
    customers: int
    retention: tuple[Ratio, ...]
    revenue: tuple[CurrencyAmount, ...]


@frozen
class CohortsReport:
    period: Period
    cohorts: tuple[CohortRow, ...]


@frozen
class RfmRow:
    """One customer, by pseudonym only: recency in days since the last order, frequency in
    orders, monetary in `RfmReport.currency`; scores are quintiles 1-5 (5 is best)."""

    customer: str
    recency_days: int
    frequency: int
    monetary: int
    r: int
    f: int
    m: int
    segment: str


@frozen
class SegmentCount:
    segment: str
    customers: int


@frozen
class RfmReport:
    period: Period
    currency: str | None
    customers: tuple[RfmRow, ...]
    segments: tuple[SegmentCount, ...]


@frozen
class RollupReport:
    """What one run of the rollup jobs built."""

    hours: int
    days: int
    alerts: int
    built_at: datetime

    def as_dict(self) -> dict[str, int]:
        return {"analytics_hours_built": self.hours, "analytics_days_built": self.days,
                "analytics_alerts": self.alerts}
