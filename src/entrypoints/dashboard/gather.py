"""The figures the dashboard shows for a period, read through the facade."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from commerce_core.app import Commerce
from commerce_core.shared.errors import InvalidInput
from entrypoints.charts import money
from entrypoints.dashboard.page import Dashboard, Day, Headline

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 366
_PAGE: Final = 200
# Statuses whose order total counts as revenue: paid and on its way (a cancelled or refunded
# order, or one still waiting for its payment, does not).
_EARNING: Final = frozenset({"paid", "processing", "partially_shipped", "shipped", "delivered",
                             "completed", "partially_returned"})


class InvalidDashboardPeriod(InvalidInput):
    code = "dashboard.invalid_period"


def period(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    """The days to show: `first`..`last` (both included); by default 30 days, up to today
    when neither is given; refused when it ends before it starts or spans more than a year."""
    last = last or (today if first is None else first + timedelta(DEFAULT_DAYS - 1))
    first = first or last - timedelta(DEFAULT_DAYS - 1)
    if last < first:
        raise InvalidDashboardPeriod(
            f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})",
            first=first.isoformat(), last=last.isoformat())
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidDashboardPeriod(f"a dashboard shows at most {MAX_DAYS} days",
                                     first=first.isoformat(), last=last.isoformat())
    return first, last


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def gather(commerce: Commerce, first: date, last: date) -> Dashboard:
    """Orders created on the days `first`..`last` (UTC): per day, by status, and the revenue
    of those paid, per currency."""
    start, end = _start(first), _start(last + timedelta(days=1))
    per_day: Counter[date] = Counter()
    by_status: Counter[str] = Counter()
    revenue: defaultdict[str, Counter[date]] = defaultdict(Counter)
    offset = 0
    while True:
        page = commerce.orders.list(limit=_PAGE, offset=offset)
        for order in page:
            if not start <= order.created_at < end:
                continue
            day = order.created_at.astimezone(UTC).date()
            per_day[day] += 1
            by_status[order.status.value] += 1
            if order.status.value in _EARNING:
                revenue[order.currency][day] += order.totals.total.amount
        if len(page) < _PAGE:
            break
        offset += _PAGE
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    orders: list[Day] = [(d, per_day[d]) for d in days]
    headlines = [Headline("orders", "Orders", f"{sum(per_day.values()):,}",
                          "created in the period", tuple(n for _, n in orders))]
    for currency in sorted(revenue):
        amounts = revenue[currency]
        headlines.append(Headline(
            f"revenue-{currency.lower()}", f"Revenue, {currency}",
            _money(sum(amounts.values()), currency), "orders paid and not cancelled",
            tuple(amounts[d] for d in days)))
    return Dashboard(
        first=first, last=last, generated_at=commerce.ports.clock.now(),
        headlines=tuple(headlines),
        revenue={c: [(d, revenue[c][d]) for d in days] for c in sorted(revenue)},
        orders_per_day=orders,
        orders_by_status=sorted(by_status.items(), key=lambda kv: (-kv[1], kv[0])),
        notes=("Revenue is the total of orders created in the period and paid, per currency; "
               "currencies are never added together.",),
    )


def _money(minor: int, currency: str) -> str:
    return money(currency)(minor)
