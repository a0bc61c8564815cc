"""The reports, as functions of the stored facts: each reads what its period needs and folds
it in memory, so a figure never depends on the order events arrived in."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from commerce_core.analytics.model import Fact, Period, status_key
from commerce_core.analytics.ports import AnalyticsStore
from commerce_core.analytics.queries import (
    CarrierPerformance,
    CohortRow,
    CohortsReport,
    CurrencyAmount,
    CurrencyRatio,
    CurrencyRevenue,
    DayCount,
    DayRevenue,
    FulfilmentReport,
    FunnelReport,
    FunnelStage,
    Growth,
    OrdersReport,
    OverviewReport,
    Ratio,
    ReasonCount,
    ReturnsReport,
    RevenueReport,
    RfmReport,
    RfmRow,
    SegmentCount,
    ShippingReport,
    StatusCount,
)

ORDER_STATUS_TYPES = ("order.created", "order.status_changed", "order.confirmed", "order.paid",
                      "order.cancelled")
MONEY_TYPES = ("payment.captured", "payment.refunded")
SHIPMENT_TYPES = ("shipping.shipment_created", "shipping.shipment_status_changed",
                  "shipping.shipment_delivered", "shipping.delivery_failed")
CART_STAGES = (("cart_created", "cart.created"), ("item_added", "cart.item_added"),
               ("checkout_started", "cart.checkout_started"), ("purchased", "cart.converted"))
SHIPPED = frozenset({"picked_up", "in_transit", "out_for_delivery", "delivered"})
ORDER_SHIPPED = frozenset({"partially_shipped", "shipped", "delivered", "completed"})


def half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up, in integers (money never goes through floats)."""
    if denominator == 0:
        return 0
    return (2 * numerator + denominator) // (2 * denominator)


def mean_hours(spans: Iterable[timedelta]) -> float | None:
    values = [s.total_seconds() / 3600 for s in spans]
    return round(sum(values) / len(values), 2) if values else None


def mean_minutes(spans: Iterable[timedelta]) -> float | None:
    hours = mean_hours(spans)
    return None if hours is None else round(hours * 60, 1)


class Reports:
    """Every report over one store, counting days in `zone`."""

    def __init__(self, store: AnalyticsStore, zone: ZoneInfo) -> None:
        self._store, self._zone = store, zone

    def day_of(self, at: datetime) -> date:
        return at.astimezone(self._zone).date()

    # -- money ----------------------------------------------------------------------------------
    def revenue_totals(self, period: Period) -> tuple[CurrencyRevenue, ...]:
        return revenue_totals(self._store.facts(period.start, period.end, MONEY_TYPES))

    def revenue(self, period: Period) -> RevenueReport:
        facts = self._store.facts(period.start, period.end, MONEY_TYPES)
        days: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
        for fact in facts:
            sums = days[(self.day_of(fact.occurred_at), fact.currency or "")]
            sums[0 if fact.event_type == "payment.captured" else 1] += fact.amount or 0
        return RevenueReport(period, revenue_totals(facts), tuple(
            DayRevenue(day, currency, c, r, c - r)
            for (day, currency), (c, r) in sorted(days.items())))

    # -- orders ---------------------------------------------------------------------------------
    def _orders(self, period: Period) -> dict[str, list[Fact]]:
        """Orders whose first status fact falls in the period, with every status fact of
        theirs up to the period's end."""
        touched = {f.order_id for f in self._store.facts(period.start, period.end,
                                                         ORDER_STATUS_TYPES) if f.order_id}
        by_order: dict[str, list[Fact]] = defaultdict(list)
        for fact in self._store.facts_of_orders(touched, ORDER_STATUS_TYPES):
            if fact.order_id and fact.occurred_at < period.end:
                by_order[fact.order_id].append(fact)
        return {order: sorted(facts, key=status_key) for order, facts in by_order.items()
                if period.holds(min(f.occurred_at for f in facts))}

    def orders(self, period: Period) -> OrdersReport:
        orders = self._orders(period)
        now = Counter(facts[-1].status or "" for facts in orders.values())
        created = Counter(self.day_of(facts[0].occurred_at) for facts in orders.values())
        return OrdersReport(
            period, created=len(orders), cancelled=now["cancelled"], completed=now["completed"],
            cancellation=Ratio(now["cancelled"], len(orders)),
            statuses=tuple(StatusCount(s, n) for s, n in sorted(now.items())),
            days=tuple(DayCount(day, n) for day, n in sorted(created.items())))

    def customers_with_orders(self, period: Period) -> int:
        facts = self._store.facts(period.start, period.end, ("order.created",))
        return len({f.customer_key for f in facts if f.customer_key})

    # -- sessions -------------------------------------------------------------------------------
    def funnel(self, period: Period) -> FunnelReport:
        facts = self._store.facts(period.start, period.end, [t for _, t in CART_STAGES])
        reached: dict[str, set[str]] = defaultdict(set)
        for fact in facts:
            if fact.session_key:
                reached[fact.event_type].add(fact.session_key)
        stages = tuple(FunnelStage(name, len(reached[t])) for name, t in CART_STAGES)
        sessions = set().union(*reached.values()) if reached else set()
        return FunnelReport(period, stages, Ratio(len(reached["cart.converted"]), len(sessions)))

    # -- fulfilment and shipping ----------------------------------------------------------------
    def fulfilment(self, period: Period) -> FulfilmentReport:
        in_period = self._store.facts(period.start, period.end,
                                      (*ORDER_STATUS_TYPES, "fulfillment.status_changed",
                                       "fulfillment.sla_breached"))
        orders = {f.order_id for f in in_period if f.order_id}
        facts = [f for f in self._store.facts_of_orders(
            orders, (*ORDER_STATUS_TYPES, "fulfillment.status_changed"))
            if f.occurred_at < period.end]
        confirmed_at: dict[str, datetime] = {}
        shipped_at: dict[str, datetime] = {}
        cancelled: set[str] = set()
        steps: dict[tuple[str, str], datetime] = {}
        for fact in facts:
            order, status, at = fact.order_id or "", fact.status or "", fact.occurred_at
            if fact.event_type == "fulfillment.status_changed":
                key = (fact.subject_id, status)
                steps[key] = min(at, steps.get(key, at))
                if status == "shipped":
                    shipped_at[order] = min(at, shipped_at.get(order, at))
                continue
            if status in ("confirmed", "paid"):
                confirmed_at[order] = min(at, confirmed_at.get(order, at))
            elif status in ORDER_SHIPPED:
                shipped_at[order] = min(at, shipped_at.get(order, at))
            elif status == "cancelled":
                cancelled.add(order)
        confirmed = {o for o, at in confirmed_at.items() if period.holds(at)}
        shipped = {o for o in confirmed if o in shipped_at and period.holds(shipped_at[o])}
        pending = {o for o in confirmed if o not in shipped_at and o not in cancelled}
        fulfilments = {subject for subject, _ in steps}
        return FulfilmentReport(
            period, confirmed=len(confirmed), shipped=len(shipped), pending=len(pending),
            fulfilment_rate=Ratio(len(shipped), len(confirmed)),
            avg_hours_to_ship=mean_hours(shipped_at[o] - confirmed_at[o] for o in shipped),
            avg_pick_minutes=mean_minutes(_spans(steps, fulfilments, "picking", "picked")),
            avg_pack_minutes=mean_minutes(_spans(steps, fulfilments, "packing", "packed")),
            sla_breaches=sum(f.event_type == "fulfillment.sla_breached" for f in in_period))

    def shipping(self, period: Period) -> ShippingReport:
        touched = {f.order_id for f in self._store.facts(period.start, period.end,
                                                         SHIPMENT_TYPES) if f.order_id}
        carrier: dict[str, str] = {}
        shipped_at: dict[str, datetime] = {}
        delivered_at: dict[str, datetime] = {}
        failed: dict[str, int] = Counter()
        for fact in self._store.facts_of_orders(touched, SHIPMENT_TYPES):
            shipment, status, at = fact.subject_id, fact.status or "", fact.occurred_at
            if fact.carrier:
                carrier[shipment] = fact.carrier
            if at >= period.end:
                continue
            if status in SHIPPED:
                shipped_at[shipment] = min(at, shipped_at.get(shipment, at))
            if status == "delivered":
                delivered_at[shipment] = min(at, delivered_at.get(shipment, at))
            if status == "delivery_failed" and period.holds(at):
                failed[shipment] += 1
        per: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for shipment, at in shipped_at.items():
            if period.holds(at):
                per[carrier.get(shipment, "unknown")]["shipped"].append(shipment)
        for shipment, at in delivered_at.items():
            if period.holds(at):
                per[carrier.get(shipment, "unknown")]["delivered"].append(shipment)
        for shipment in failed:
            per[carrier.get(shipment, "unknown")]["failed"].append(shipment)

        def hours(shipments: Sequence[str]) -> float | None:
            return mean_hours(delivered_at[s] - shipped_at[s] for s in shipments
                              if s in shipped_at)

        rows = tuple(CarrierPerformance(
            name, len(p["shipped"]), len(p["delivered"]), len(p["failed"]),
            Ratio(len(p["delivered"]), len(p["shipped"])), hours(p["delivered"]))
            for name, p in sorted(per.items()))
        delivered = [s for p in per.values() for s in p["delivered"]]
        shipped_count = sum(r.shipped for r in rows)
        return ShippingReport(period, rows, shipped_count, len(delivered),
                              Ratio(len(delivered), shipped_count), hours(delivered))

    # -- returns --------------------------------------------------------------------------------
    def returns(self, period: Period) -> ReturnsReport:
        facts = self._store.facts(period.start, period.end, (
            "returns.return_requested", "returns.return_approved", "returns.return_rejected",
            "returns.return_completed", "order.status_changed", "shipping.shipment_delivered",
            *MONEY_TYPES))
        by_status: dict[str, set[str]] = defaultdict(set)
        reasons: Counter[str] = Counter()
        delivered: set[str] = set()
        for fact in facts:
            if fact.event_type.startswith("returns."):
                by_status[fact.status or ""].add(fact.subject_id)
                if fact.event_type == "returns.return_requested" and fact.reason:
                    reasons[fact.reason] += 1
            elif fact.status == "delivered" and fact.order_id:
                delivered.add(fact.order_id)
        totals = revenue_totals(facts)
        return ReturnsReport(
            period, requested=len(by_status["requested"]), approved=len(by_status["approved"]),
            rejected=len(by_status["rejected"]), completed=len(by_status["completed"]),
            return_rate=Ratio(len(by_status["completed"]), len(delivered)),
            refunded=tuple(CurrencyAmount(t.currency, t.refunded) for t in totals),
            refund_rate=tuple(CurrencyRatio(t.currency, Ratio(t.refunded, t.captured))
                              for t in totals),
            reasons=tuple(ReasonCount(r, n) for r, n in
                          sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:10]))

    # -- customers ------------------------------------------------------------------------------
    def _order_history(self, end: datetime) -> tuple[dict[str, tuple[str, datetime]],
                                                      list[Fact]]:
        """Every order created before `end`: its customer and when; and the captures and
        refunds of those orders."""
        start = self._store.earliest()
        if start is None or start >= end:
            return {}, []
        created = self._store.facts(start, end, ("order.created",))
        orders = {f.order_id: (f.customer_key, f.occurred_at) for f in created
                  if f.order_id and f.customer_key}
        money = [f for f in self._store.facts(start, end, MONEY_TYPES) if f.order_id in orders]
        return orders, money

    def cohorts(self, period: Period) -> CohortsReport:
        orders, money = self._order_history(period.end)
        months_of: dict[str, set[int]] = defaultdict(set)
        for customer, at in orders.values():
            months_of[customer].add(_month_index(self.day_of(at)))
        customer_of = {order: customer for order, (customer, _) in orders.items()}
        revenue: dict[tuple[str, str], int] = Counter()
        for fact in money:
            sign = 1 if fact.event_type == "payment.captured" else -1
            revenue[(customer_of[fact.order_id or ""], fact.currency or "")] += \
                sign * (fact.amount or 0)
        last = _month_index(self.day_of(period.end - timedelta(microseconds=1)))
        first = _month_index(self.day_of(period.start))
        members: dict[int, list[str]] = defaultdict(list)
        for customer, months in months_of.items():
            members[min(months)].append(customer)
        rows = []
        for cohort in sorted(m for m in members if first <= m <= last):
            people = members[cohort]
            retention = tuple(Ratio(sum(cohort + k in months_of[c] for c in people), len(people))
                              for k in range(last - cohort + 1))
            money_of: dict[str, int] = Counter()
            for (customer, currency), amount in revenue.items():
                if customer in people:
                    money_of[currency] += amount
            rows.append(CohortRow(_month_start(cohort), len(people), retention,
                                  tuple(CurrencyAmount(c, a) for c, a in sorted(money_of.items()))))
        return CohortsReport(period, tuple(rows))

    def rfm(self, period: Period, limit: int = 100) -> RfmReport:
        orders, money = self._order_history(period.end)
        in_period = {o: v for o, v in orders.items() if period.holds(v[1])}
        ordered: dict[str, list[datetime]] = defaultdict(list)
        for customer, at in in_period.values():
            ordered[customer].append(at)
        by_currency: Counter[str] = Counter(f.currency or "" for f in money
                                            if f.event_type == "payment.captured")
        currency = by_currency.most_common(1)[0][0] if by_currency else None
        monetary: Counter[str] = Counter()
        for fact in money:
            if fact.order_id in in_period and fact.currency == currency:
                sign = 1 if fact.event_type == "payment.captured" else -1
                monetary[in_period[fact.order_id or ""][0]] += sign * (fact.amount or 0)
        customers = sorted(ordered)
        recency = {c: (period.end - max(ordered[c])).days for c in customers}
        frequency = {c: len(ordered[c]) for c in customers}
        r = quintiles({c: -recency[c] for c in customers})
        f = quintiles(frequency)
        m = quintiles({c: monetary[c] for c in customers})
        rows = [RfmRow(c, recency[c], frequency[c], monetary[c], r[c], f[c], m[c],
                       segment(r[c], f[c], m[c])) for c in customers]
        rows.sort(key=lambda row: (-(row.r + row.f + row.m), -row.monetary, row.customer))
        segments = Counter(row.segment for row in rows)
        return RfmReport(period, currency, tuple(rows[:limit]),
                         tuple(SegmentCount(s, n) for s, n in sorted(segments.items())))

    # -- everything at once ---------------------------------------------------------------------
    def overview(self, period: Period) -> OverviewReport:
        revenue, before = self.revenue_totals(period), self.revenue_totals(period.previous)
        orders, orders_before = self.orders(period).created, \
            self.orders(period.previous).created
        customers = self.customers_with_orders(period)
        customers_before = self.customers_with_orders(period.previous)
        previous_net = {r.currency: r.net for r in before}
        growth = [Growth("revenue", r.currency, r.net, previous_net.get(r.currency, 0))
                  for r in revenue]
        growth += [Growth("revenue", c, 0, n) for c, n in sorted(previous_net.items())
                   if c not in {r.currency for r in revenue}]
        growth += [Growth("orders", "", orders, orders_before),
                   Growth("customers", "", customers, customers_before)]
        return OverviewReport(
            period, revenue, orders, customers, self.funnel(period).conversion, tuple(growth),
            tuple(self._store.alerts(period.start, period.end)),
            len(self._store.dead_letters(limit=10_000)))


def revenue_totals(facts: Iterable[Fact]) -> tuple[CurrencyRevenue, ...]:
    """Captured - refunded per currency over the payment facts among `facts`; paid orders are
    the distinct orders with a capture."""
    captured: Counter[str] = Counter()
    refunded: Counter[str] = Counter()
    paid: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        currency = fact.currency or ""
        if fact.event_type == "payment.captured":
            captured[currency] += fact.amount or 0
            paid[currency].add(fact.order_id or fact.subject_id)
        elif fact.event_type == "payment.refunded":
            refunded[currency] += fact.amount or 0
    rows = []
    for currency in sorted(captured.keys() | refunded.keys()):
        net = captured[currency] - refunded[currency]
        rows.append(CurrencyRevenue(currency, captured[currency], refunded[currency], net,
                                    len(paid[currency]), half_up(net, len(paid[currency]))))
    return tuple(rows)


def quintiles(values: dict[str, int]) -> dict[str, int]:
    """Scores 1-5 by rank (ties share the lower score); 5 for the highest values."""
    ranked = sorted(values.values())
    n = len(ranked)
    return {key: 1 + (5 * bisect_left(ranked, value)) // n for key, value in values.items()}


def segment(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4:
        return "champions"
    if f >= 4:
        return "loyal"
    if r >= 4 and f <= 2:
        return "new"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r <= 2:
        return "hibernating"
    return "promising" if m >= 3 else "needs_attention"


def _spans(steps: dict[tuple[str, str], datetime], subjects: Iterable[str], begin: str,
           end: str) -> list[timedelta]:
    return [steps[(s, end)] - steps[(s, begin)] for s in subjects
            if (s, begin) in steps and (s, end) in steps and steps[(s, end)] >= steps[(s, begin)]]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)
