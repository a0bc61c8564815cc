"""The analytics reports as SVG charts: what `commerce analytics REPORT --chart FILE` writes and
what the dashboard page shows. Money stays in minor units per currency: a report in two
currencies draws two charts, never one sum."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Final

from commerce_core.analytics.queries import (
    CohortsReport,
    FulfilmentReport,
    FunnelReport,
    OrdersReport,
    OverviewReport,
    Period,
    ReturnsReport,
    RevenueReport,
    RfmReport,
    ShippingReport,
)
from commerce_core.shared.money import EXPONENTS
from entrypoints.charts import (
    Series,
    bar_chart,
    compact,
    funnel_chart,
    grouped,
    in_major_units,
    line_chart,
    money,
    stack,
    stacked_bar_chart,
)
from entrypoints.charts.scale import Format

Chart = tuple[str, str]  # (title, svg)


def days_of(period: Period) -> list[date]:
    """Every day of the period, in the zone its bounds carry."""
    first = period.start.date()
    last = (period.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def span(period: Period) -> str:
    days = days_of(period)
    return f"{days[0].isoformat()} to {days[-1].isoformat()}"


def _axis(currency: str) -> tuple[Format, Format]:
    if currency not in EXPONENTS:  # minor units of a currency the shop does not price in
        return compact, grouped
    return in_major_units(currency), money(currency)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "x"


def revenue_charts(report: RevenueReport) -> list[Chart]:
    """Net revenue (captured - refunded) per day, one chart per currency; days without a
    capture or refund are drawn at zero."""
    days = days_of(report.period)
    currencies = sorted({t.currency for t in report.totals} | {d.currency for d in report.days})
    charts = []
    for currency in currencies:
        net = {d.day: d.net for d in report.days if d.currency == currency}
        title = f"Net revenue per day, {currency}"
        ticks, values = _axis(currency)
        charts.append((title, line_chart(
            [Series(currency, currency, [(day, net.get(day, 0)) for day in days])],
            chart_id=f"revenue-{_slug(currency)}", title=title, y_format=ticks,
            value_format=values)))
    return charts


def orders_charts(report: OrdersReport) -> list[Chart]:
    per_day = {d.day: d.count for d in report.days}
    points = [(day, per_day.get(day, 0)) for day in days_of(report.period)]
    return [
        ("Orders created per day", line_chart(
            [Series("orders", "orders", points)], chart_id="orders-per-day",
            title="Orders created per day")),
        ("Where those orders stand", bar_chart(
            sorted(((s.status.replace("_", " "), s.count) for s in report.statuses),
                   key=lambda row: (-row[1], row[0])), chart_id="orders-by-status",
            title="Orders created in the period, by status now")),
    ]


def funnel_charts(report: FunnelReport) -> list[Chart]:
    return [("Funnel (sessions are carts)", funnel_chart(
        [(s.name.replace("_", " "), s.sessions) for s in report.stages], chart_id="funnel",
        title="Sessions reaching each stage (sessions are carts)"))]


def returns_charts(report: ReturnsReport) -> list[Chart]:
    return [
        ("Returns by reason", bar_chart(
            [(r.reason.replace("_", " "), r.count) for r in report.reasons],
            chart_id="returns-by-reason",
            title="Returns by reason")),
        ("Returns by outcome", bar_chart(
            [(name, count) for name, count in (
                ("requested", report.requested), ("approved", report.approved),
                ("rejected", report.rejected), ("completed", report.completed)) if count],
            chart_id="returns-by-outcome", title="Returns requested, approved, rejected, "
                                                 "completed")),
    ]


def shipping_charts(report: ShippingReport) -> list[Chart]:
    rows = [(c.carrier, [("delivered", c.delivered), ("failed", c.failed),
                         ("on the way", max(c.shipped - c.delivered - c.failed, 0))])
            for c in report.carriers]
    return [("Shipments by carrier", stacked_bar_chart(
        rows, chart_id="shipments-by-carrier", title="Shipments by carrier and outcome"))]


def fulfilment_charts(report: FulfilmentReport) -> list[Chart]:
    return [("Orders confirmed: shipped and pending", bar_chart(
        [("confirmed", report.confirmed), ("shipped", report.shipped),
         ("pending", report.pending)] if report.confirmed else [],
        chart_id="fulfilment", title="Orders confirmed in the period, shipped and pending"))]


def overview_charts(report: OverviewReport) -> list[Chart]:
    """Each growth figure as this period against the one before (one chart each: revenue per
    currency, orders, customers never share an axis)."""
    charts = []
    for growth in report.growth:
        name = f"{growth.metric} {growth.dimension}".strip()
        values: Format = grouped
        if growth.metric == "revenue" and growth.dimension:
            values = _axis(growth.dimension)[1]
        change = "" if growth.percent is None else f" ({growth.percent:+.2f} %)"
        title = f"{name.capitalize()}: this period against the one before{change}"
        charts.append((title, bar_chart(
            [("this period", growth.current), ("period before", growth.previous)],
            chart_id=f"growth-{_slug(name)}", title=title, value_format=values,
            tick_format=_axis(growth.dimension)[0] if growth.metric == "revenue" else compact,
            width=480)))
    return charts


def cohorts_charts(report: CohortsReport) -> list[Chart]:
    return [("Customers by first-order month", bar_chart(
        [(f"{c.cohort:%Y-%m}", c.customers) for c in report.cohorts], chart_id="cohorts",
        title="Customers by the month of their first order"))]


def rfm_charts(report: RfmReport) -> list[Chart]:
    return [("Customers by RFM segment", bar_chart(
        [(s.segment, s.customers) for s in report.segments], chart_id="rfm-segments",
        title="Customers by RFM segment"))]


CHARTS: Final[dict[str, Callable[[Any], list[Chart]]]] = {
    "overview": overview_charts, "revenue": revenue_charts, "orders": orders_charts,
    "funnel": funnel_charts, "fulfilment": fulfilment_charts, "shipping": shipping_charts,
    "returns": returns_charts, "cohorts": cohorts_charts, "rfm": rfm_charts,
}


def chart_file(name: str, report: Any) -> str:
    """The report's charts in one SVG document, one under the other."""
    title = f"Analytics: {name}, {span(report.period)}"
    svgs = [svg for _, svg in CHARTS[name](report)]
    if not svgs:  # a revenue report in no currency at all
        svgs = [line_chart([], chart_id=f"{name}-empty", title=title)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + stack(svgs, chart_id=f"report-{name}", title=title) + "\n")
