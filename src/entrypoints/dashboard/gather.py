"""The figures the dashboard shows for a period, read from the analytics reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from commerce_core.analytics.api import EARLIEST_YEAR, LATEST_YEAR
from commerce_core.analytics.errors import InvalidPeriod
from commerce_core.analytics.queries import Growth, Period, Ratio
from commerce_core.app import Commerce
from entrypoints.analytics_charts import (
    days_of,
    funnel_charts,
    orders_charts,
    returns_charts,
    revenue_charts,
    shipping_charts,
)
from entrypoints.charts import money
from entrypoints.dashboard.page import Dashboard, Headline

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366


def period(commerce: Commerce, first: date | None, last: date | None) -> Period:
    """The days to show, in the analytics timezone: `first`..`last` (both included); 30 days
    by default, up to today when neither is given; at most 366 (one point a day stays
    readable)."""
    for day in (first, last):
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise InvalidPeriod(f"days are between {EARLIEST_YEAR} and {LATEST_YEAR}",
                                day=day.isoformat())
    today = commerce.ports.clock.now().astimezone(commerce.analytics.zone).date()
    last = last or (today if first is None else first + timedelta(DEFAULT_DAYS - 1))
    first = first or last - timedelta(DEFAULT_DAYS - 1)
    if last >= first and (last - first).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"the dashboard shows at most {MAX_DAYS} days",
                            first=first.isoformat(), last=last.isoformat())
    return commerce.analytics.period(first, last)


def _growth(growth: Growth | None) -> str:
    if growth is None or growth.percent is None:
        return "nothing to compare with before"
    return f"{growth.percent:+.1f} % on the period before"


def _rate(ratio: Ratio) -> str:
    return "-" if ratio.percent is None else f"{ratio.percent:.1f} %"


def gather(commerce: Commerce, shown: Period) -> Dashboard:
    """Overview, revenue, orders, funnel, returns and shipping for the period: the headline
    figures (with growth against the period before) and the charts."""
    reports = commerce.analytics
    overview, revenue = reports.overview(shown), reports.revenue(shown)
    orders, returns = reports.orders(shown), reports.returns(shown)
    funnel, shipping = reports.funnel(shown), reports.shipping(shown)
    days = days_of(shown)
    growth = {(g.metric, g.dimension): g for g in overview.growth}
    per_day = {d.day: d.count for d in orders.days}

    headlines = []
    for total in overview.revenue:
        net = {d.day: d.net for d in revenue.days if d.currency == total.currency}
        headlines.append(Headline(
            f"revenue-{total.currency.lower()}", f"Net revenue, {total.currency}",
            money(total.currency)(total.net), _growth(growth.get(("revenue", total.currency))),
            tuple(net.get(day, 0) for day in days)))
    headlines.append(Headline("orders", "Orders", f"{overview.orders:,}",
                              _growth(growth.get(("orders", ""))),
                              tuple(per_day.get(day, 0) for day in days)))
    headlines += [Headline(f"aov-{t.currency.lower()}", f"Average order, {t.currency}",
                           money(t.currency)(t.aov), f"{t.paid_orders:,} paid orders")
                  for t in overview.revenue]
    headlines += [
        Headline("customers", "Active customers", f"{overview.active_customers:,}",
                 _growth(growth.get(("customers", "")))),
        Headline("conversion", "Conversion", _rate(overview.conversion),
                 f"{overview.conversion.numerator:,} of {overview.conversion.denominator:,} "
                 "carts ordered"),
        Headline("cancellation", "Cancellation rate", _rate(orders.cancellation),
                 f"{orders.cancelled:,} of {orders.created:,} orders"),
        Headline("returns", "Return rate", _rate(returns.return_rate),
                 f"{returns.completed:,} returns completed"),
    ]
    notes = ["Net revenue is captured less refunded payments, per currency: amounts in two "
             "currencies are never added together.",
             f"Days are counted in {reports.zone.key}; sessions are carts."]
    if overview.alerts:
        notes.append(f"{len(overview.alerts)} reconciliation alerts: events may be missing "
                     "(commerce analytics overview).")
    if overview.dead_letters:
        notes.append(f"{overview.dead_letters} events could not be read "
                     "(commerce events dlq list).")
    charts = [*revenue_charts(revenue), *orders_charts(orders), *funnel_charts(funnel),
              returns_charts(returns)[0], *shipping_charts(shipping)]
    return Dashboard(first=days[0], last=days[-1], generated_at=commerce.ports.clock.now(),
                     zone=reports.zone.key, headlines=tuple(headlines), charts=tuple(charts),
                     notes=tuple(notes))
