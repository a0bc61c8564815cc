"""The analytics reports drawn as charts: one chart per currency, every day of the period,
and a report's charts stacked in one SVG file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from commerce_core.analytics.queries import (
    CurrencyRevenue,
    DayRevenue,
    FunnelReport,
    FunnelStage,
    Period,
    Ratio,
    RevenueReport,
)
from entrypoints.analytics_charts import chart_file, days_of, revenue_charts

NS = {"s": "http://www.w3.org/2000/svg"}
WEEK = Period(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))


def revenue(*days: DayRevenue) -> RevenueReport:
    currencies = sorted({d.currency for d in days})
    totals = tuple(CurrencyRevenue(c, 0, 0, sum(d.net for d in days if d.currency == c), 0, 0)
                   for c in currencies)
    return RevenueReport(WEEK, totals, days)


def day(n: int, currency: str, net: int) -> DayRevenue:
    return DayRevenue(date(2026, 12, n), currency, net, 0, net)


def test_the_period_is_every_day_from_its_start_to_the_day_before_its_end() -> None:
    assert days_of(WEEK) == [date(2026, 12, n) for n in range(1, 8)]


def test_two_currencies_draw_two_charts_and_no_sum() -> None:
    report = revenue(day(1, "VND", 350_000), day(3, "USD", 1_250), day(3, "VND", 90_000))

    charts = revenue_charts(report)

    assert [title for title, _ in charts] == ["Net revenue per day, USD",
                                              "Net revenue per day, VND"]
    usd, vnd = (ET.fromstring(svg) for _, svg in charts)
    tips = [t.text for t in vnd.findall(".//s:circle/s:title", NS)]
    assert tips[0] == "VND, 2026-12-01: 350,000 VND"
    assert tips[2] == "VND, 2026-12-03: 90,000 VND"
    assert "USD, 2026-12-03: 12.50 USD" in [t.text for t in
                                          usd.findall(".//s:circle/s:title", NS)]
    assert not any("440,000" in (t or "") for t in tips)


def test_days_without_revenue_are_drawn_at_zero() -> None:
    (_, svg), = revenue_charts(revenue(day(4, "VND", 500_000)))

    tips = [t.text for t in ET.fromstring(svg).findall(".//s:circle/s:title", NS)]

    assert len(tips) == 7
    assert tips[0] == "VND, 2026-12-01: 0 VND"
    assert tips[3] == "VND, 2026-12-04: 500,000 VND"


def test_a_chart_file_stacks_the_reports_charts_one_under_the_other() -> None:
    report = revenue(day(1, "VND", 350_000), day(2, "USD", 1_000))

    root = ET.fromstring(chart_file("revenue", report).split("\n", 1)[1])

    nested = root.findall("s:svg", NS)
    title = root.find("s:title", NS)
    assert title is not None
    assert title.text == "Analytics: revenue, 2026-12-01 to 2026-12-07"
    assert [n.get("id") for n in nested] == ["revenue-usd", "revenue-vnd"]
    assert float(nested[1].get("y", "")) >= float(nested[0].get("height", ""))
    assert float(root.get("height", "")) >= sum(float(n.get("height", "")) for n in nested)


def test_a_report_with_nothing_to_draw_is_still_a_chart_saying_so() -> None:
    text = chart_file("revenue", revenue())

    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.find(".//s:g[@class='empty']", NS) is not None


def test_funnel_stages_read_as_words() -> None:
    report = FunnelReport(WEEK, (FunnelStage("cart_created", 10), FunnelStage("purchased", 4)),
                          Ratio(4, 10))

    root = ET.fromstring(chart_file("funnel", report).split("\n", 1)[1])

    labels = [g.get("data-label") for g in root.findall(".//s:g[@class='step']", NS)]
    assert labels == ["cart created", "purchased"]
