"""Analytics routes for staff: each report as JSON over `?from=&to=` (days in the analytics
timezone, both included; default the last 30 days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from commerce_core import Commerce
from commerce_core.analytics.queries import Period
from commerce_core.shared.permissions import Permission
from entrypoints.analytics_json import as_json
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import Day

admin = APIRouter(tags=["analytics"])
READ = [permit(Permission.ANALYTICS_READ)]
DEFAULT_DAYS = 30

First = Annotated[Day | None, Query(
    alias="from", description="First day (included; default 30 days before `to`); days fall "
    "in 1970-9000 and a period spans at most 1100 days")]
Last = Annotated[Day | None, Query(
    alias="to", description="Last day (included; default today in the analytics timezone); "
    "not before `from`")]
Json = dict[str, Any]


def _period(commerce: Commerce, first: date | None, last: date | None) -> Period:
    today = commerce.ports.clock.now().astimezone(commerce.analytics.zone).date()
    end = last if last is not None else today
    start = first if first is not None else end - timedelta(days=DEFAULT_DAYS - 1)
    return commerce.analytics.period(start, end)


def _route(name: str, summary: str, read: Callable[[Commerce, Period], Any]) -> None:
    @admin.get(f"/analytics/{name}", summary=summary, dependencies=READ,
               operation_id=f"analytics_{name}")
    def report(commerce: CommerceDep, first: First = None, last: Last = None) -> Json:
        result: Json = as_json(read(commerce, _period(commerce, first, last)))
        return result


_route("overview", "Revenue, orders, customers, conversion, growth, alerts, dead letters",
       lambda c, p: c.analytics.overview(p))
_route("revenue", "Captured - refunded per currency, paid orders, AOV; per day",
       lambda c, p: c.analytics.revenue(p))
_route("orders", "Orders created, cancelled, completed; where they stand; per day",
       lambda c, p: c.analytics.orders(p))
_route("funnel", "Sessions (carts) from created to purchased",
       lambda c, p: c.analytics.funnel(p))
_route("fulfilment", "Confirmed orders shipped, time to ship, pick and pack times",
       lambda c, p: c.analytics.fulfilment(p))
_route("shipping", "Delivery success and time per carrier",
       lambda c, p: c.analytics.shipping(p))
_route("returns", "Returns by status, return and refund rates, top reasons",
       lambda c, p: c.analytics.returns(p))
_route("cohorts", "Customers by first-order month and their retention",
       lambda c, p: c.analytics.cohorts(p))
_route("rfm", "Recency, frequency and monetary scores per pseudonymous customer",
       lambda c, p: c.analytics.rfm(p))
