"""`commerce analytics`: the reports (overview, revenue, orders, funnel, fulfilment, shipping,
returns, cohorts, rfm) as tables, JSON or an SVG chart file, the dashboard page as an HTML
file, and the rollup run the worker makes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from commerce_core import Commerce
from commerce_core.analytics.queries import (
    CohortsReport,
    CurrencyRevenue,
    FulfilmentReport,
    FunnelReport,
    OrdersReport,
    OverviewReport,
    Period,
    Ratio,
    ReturnsReport,
    RevenueReport,
    RfmReport,
    ShippingReport,
)
from commerce_core.shared.money import EXPONENTS, Money
from commerce_core.shared.permissions import Permission
from entrypoints.analytics_charts import chart_file
from entrypoints.analytics_json import as_json
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime
from entrypoints.dashboard import gather, render
from entrypoints.dashboard import period as dashboard_period

app = typer.Typer(no_args_is_help=True,
                  help="Analytics reports (overview, revenue, orders, funnel, fulfilment, "
                       "shipping, returns, cohorts, rfm) and the rollup run.")

READ = Permission.ANALYTICS_READ
DEFAULT_DAYS = 30

From = Annotated[datetime | None, typer.Option(
    "--from", formats=["%Y-%m-%d"], help="First day (included; default 30 days ago)")]
To = Annotated[datetime | None, typer.Option(
    "--to", formats=["%Y-%m-%d"], help="Last day (included; default today)")]
AsJson = Annotated[bool, typer.Option("--json", help="The report as the API gives it")]
ChartFile = Annotated[Path | None, typer.Option(
    "--chart", help="Also write the report's charts to this SVG file", dir_okay=False)]


def _period(commerce: Commerce, start: datetime | None, end: datetime | None) -> Period:
    today = commerce.ports.clock.now().astimezone(commerce.analytics.zone).date()
    last = end.date() if end is not None else today
    first = start.date() if start is not None else last - timedelta(days=DEFAULT_DAYS - 1)
    return commerce.analytics.period(first, last)


def money(amount: int, currency: str) -> str:
    if currency not in EXPONENTS:
        return f"{amount} {currency}"  # minor units of a currency the shop does not price in
    return str(Money(amount, currency))


def rate(ratio: Ratio) -> str:
    percent = ratio.percent
    return "-" if percent is None else f"{percent:.2f} % ({ratio.numerator}/{ratio.denominator})"


def number(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f} {unit}"


def _table(title: str, headings: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    table = Table(title=title)
    for heading in headings:
        table.add_column(heading, justify="left" if heading in headings[:1] else "right")
    for row in rows:
        table.add_row(*row)
    return table


def _figures(title: str, pairs: Iterable[tuple[str, str]]) -> Table:
    return _table(title, ("Figure", "Value"), pairs)


def _revenue_rows(rows: Iterable[CurrencyRevenue]) -> Table:
    return _table("Revenue", ("Currency", "Captured", "Refunded", "Net", "Paid orders", "AOV"),
                  [(r.currency, money(r.captured, r.currency), money(r.refunded, r.currency),
                    money(r.net, r.currency), str(r.paid_orders), money(r.aov, r.currency))
                   for r in rows])


def _heading(period: Period) -> str:
    last = period.end - timedelta(microseconds=1)
    return f"{period.start:%Y-%m-%d} to {last:%Y-%m-%d}"


def show_overview(r: OverviewReport) -> None:
    console.print(f"Overview {_heading(r.period)}")
    console.print(_revenue_rows(r.revenue))
    console.print(_figures("Activity", [
        ("Orders", str(r.orders)), ("Active customers", str(r.active_customers)),
        ("Conversion (carts)", rate(r.conversion)),
        ("Dead letters", str(r.dead_letters))]))
    console.print(_table("Growth against the period before",
                         ("Metric", "Currency", "Now", "Before", "Growth"),
                         [(g.metric, g.dimension or "-", str(g.current), str(g.previous),
                           "-" if g.percent is None else f"{g.percent:+.2f} %")
                          for g in r.growth]))
    if r.alerts:
        console.print(_table("Reconciliation alerts", ("Day", "Event type", "Count", "7-day avg"),
                             [(f"{a.day:%Y-%m-%d}", a.event_type, str(a.count),
                               f"{a.average:.2f}") for a in r.alerts]))


def show_revenue(r: RevenueReport) -> None:
    console.print(f"Revenue {_heading(r.period)}")
    console.print(_revenue_rows(r.totals))
    console.print(_table("Per day", ("Day", "Currency", "Captured", "Refunded", "Net"),
                         [(d.day.isoformat(), d.currency, money(d.captured, d.currency),
                           money(d.refunded, d.currency), money(d.net, d.currency))
                          for d in r.days]))


def show_orders(r: OrdersReport) -> None:
    console.print(f"Orders {_heading(r.period)}")
    console.print(_figures("Orders created", [
        ("Created", str(r.created)), ("Cancelled", str(r.cancelled)),
        ("Completed", str(r.completed)), ("Cancellation rate", rate(r.cancellation))]))
    console.print(_table("Where they stand", ("Status", "Orders"),
                         [(s.status, str(s.count)) for s in r.statuses]))
    console.print(_table("Created per day", ("Day", "Orders"),
                         [(d.day.isoformat(), str(d.count)) for d in r.days]))


def show_funnel(r: FunnelReport) -> None:
    console.print(f"Funnel {_heading(r.period)} (sessions are carts)")
    first = r.stages[0].sessions if r.stages else 0
    console.print(_table("Funnel", ("Stage", "Sessions", "Of the first"),
                         [(s.name, str(s.sessions), rate(Ratio(s.sessions, first)))
                          for s in r.stages]))
    console.print(f"conversion: {rate(r.conversion)}")


def show_fulfilment(r: FulfilmentReport) -> None:
    console.print(f"Fulfilment {_heading(r.period)}")
    console.print(_figures("Orders confirmed in the period", [
        ("Confirmed", str(r.confirmed)), ("Shipped", str(r.shipped)),
        ("Pending", str(r.pending)), ("Fulfilment rate", rate(r.fulfilment_rate)),
        ("Average time to ship", number(r.avg_hours_to_ship, "h")),
        ("Average pick time", number(r.avg_pick_minutes, "min")),
        ("Average pack time", number(r.avg_pack_minutes, "min")),
        ("SLA breaches", str(r.sla_breaches))]))


def show_shipping(r: ShippingReport) -> None:
    console.print(f"Shipping {_heading(r.period)}")
    console.print(_table("Carriers", ("Carrier", "Shipped", "Delivered", "Failed", "Success",
                                      "Avg delivery"),
                         [(c.carrier, str(c.shipped), str(c.delivered), str(c.failed),
                           rate(c.success), number(c.avg_hours_to_deliver, "h"))
                          for c in r.carriers]))
    console.print(f"all carriers: {r.delivered} delivered of {r.shipped} shipped, success "
                  f"{rate(r.success)}, average {number(r.avg_hours_to_deliver, 'h')}")


def show_returns(r: ReturnsReport) -> None:
    console.print(f"Returns {_heading(r.period)}")
    console.print(_figures("Returns", [
        ("Requested", str(r.requested)), ("Approved", str(r.approved)),
        ("Rejected", str(r.rejected)), ("Completed", str(r.completed)),
        ("Return rate (of delivered orders)", rate(r.return_rate))]))
    rates = {c.currency: c.ratio for c in r.refund_rate}
    console.print(_table("Refunds", ("Currency", "Refunded", "Of captured"),
                         [(a.currency, money(a.amount, a.currency), rate(rates[a.currency]))
                          for a in r.refunded]))
    console.print(_table("Top reasons", ("Reason", "Returns"),
                         [(x.reason, str(x.count)) for x in r.reasons]))


def show_cohorts(r: CohortsReport) -> None:
    console.print(f"Cohorts {_heading(r.period)}")
    months = max((len(c.retention) for c in r.cohorts), default=0)
    console.print(_table("Retention by month after the first order",
                         ("Cohort", "Customers", *(f"M{k}" for k in range(months)), "Revenue"),
                         [(f"{c.cohort:%Y-%m}", str(c.customers),
                           *(f"{x.percent:.0f} %" if x.percent is not None else "-"
                             for x in c.retention),
                           *(["-"] * (months - len(c.retention))),
                           ", ".join(money(a.amount, a.currency) for a in c.revenue) or "-")
                          for c in r.cohorts]))


def show_rfm(r: RfmReport) -> None:
    console.print(f"RFM {_heading(r.period)}, monetary in {r.currency or '-'}")
    console.print(_table("Segments", ("Segment", "Customers"),
                         [(s.segment, str(s.customers)) for s in r.segments]))
    console.print(_table("Customers (pseudonymous)", ("Customer", "Recency", "Orders",
                                                       "Monetary", "R", "F", "M", "Segment"),
                         [(c.customer, f"{c.recency_days} d", str(c.frequency),
                           money(c.monetary, r.currency or "") if r.currency else "-",
                           str(c.r), str(c.f), str(c.m), c.segment) for c in r.customers]))


def _report(name: str, show: Callable[[Any], None],
            read: Callable[[Commerce, Period], Any], summary: str) -> None:
    @app.command(name, help=summary)
    @permits(READ)
    def command(ctx: typer.Context, start: From = None, end: To = None,
                json_out: AsJson = False, chart: ChartFile = None) -> None:
        commerce = runtime(ctx).commerce
        report = read(commerce, _period(commerce, start, end))
        if json_out:
            console.print(json.dumps(as_json(report), ensure_ascii=False, indent=2))
        else:
            show(report)
        if chart is not None:
            _write(chart, chart_file(name, report), "chart", quiet=json_out)


def _write(path: Path, text: str, what: str, *, quiet: bool = False) -> None:
    """Write `text` to `path`: a one-line refusal and exit 1 when it cannot be; the note
    that it was is left out after `--json`, whose output stays one JSON document."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        typer.echo(f"error: cannot write the {what} to {path}: {error.strerror or error}",
                   err=True)
        raise typer.Exit(1) from None
    if not quiet:
        ok(f"{what} written to {path}")



_report("overview", show_overview, lambda c, p: c.analytics.overview(p),
        "Revenue, orders, customers, conversion, growth, alerts and dead letters.")
_report("revenue", show_revenue, lambda c, p: c.analytics.revenue(p),
        "Captured - refunded per currency, paid orders and AOV; per day.")
_report("orders", show_orders, lambda c, p: c.analytics.orders(p),
        "Orders created, cancelled, completed; where they stand now; per day.")
_report("funnel", show_funnel, lambda c, p: c.analytics.funnel(p),
        "Sessions (carts) from created to purchased.")
_report("fulfilment", show_fulfilment, lambda c, p: c.analytics.fulfilment(p),
        "Confirmed orders shipped in the period, time to ship, pick and pack times.")
_report("shipping", show_shipping, lambda c, p: c.analytics.shipping(p),
        "Delivery success and time per carrier.")
_report("returns", show_returns, lambda c, p: c.analytics.returns(p),
        "Returns by status, return and refund rates, top reasons.")
_report("cohorts", show_cohorts, lambda c, p: c.analytics.cohorts(p),
        "Customers by first-order month and their retention.")
_report("rfm", show_rfm, lambda c, p: c.analytics.rfm(p),
        "Recency, frequency and monetary scores per (pseudonymous) customer.")


@app.command("dashboard")
@permits(READ)
def dashboard(
    ctx: typer.Context, start: From = None, end: To = None,
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False,
                                      help="The HTML file to write")] = Path("dashboard.html"),
) -> None:
    """The dashboard page (`GET /admin/analytics/dashboard`) written to an HTML file: headline
    figures and charts, no script, opens offline in any browser."""
    commerce = runtime(ctx).commerce
    first = start.date() if start is not None else None
    last = end.date() if end is not None else None
    _write(out, render(gather(commerce, dashboard_period(commerce, first, last))), "dashboard")


@app.command("rollup")
@permits(Permission.ANALYTICS_MANAGE)
def rollup(ctx: typer.Context) -> None:
    """Build the hourly and daily buckets that are due now (the worker does this every few
    minutes), then check the days built for reconciliation alerts."""
    built = runtime(ctx).commerce.analytics.build_rollups()
    ok(f"built {built.hours} hours and {built.days} days at {when(built.built_at)}; "
       f"{built.alerts} reconciliation alerts")

