"""What analytics keeps: one minimised fact per event it reads, dead letters of events it could
not read, rollup values per wall-clock bucket, and reconciliation alerts.

Facts are a set keyed by event id (and by a business key where one fact can arrive under two
event ids, as a payment capture can); every metric is a function of that set, so replaying
events twice or in any order gives the same figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from commerce_core.analytics.errors import InvalidPeriod

# Order statuses by how far along the lifecycle they are: when two status facts of one order
# carry the same instant, the later stage wins (a late `shipped` never undoes `delivered`).
ORDER_STAGE = {
    "pending": 0, "failed": 0, "confirmed": 1, "paid": 2, "processing": 3,
    "partially_shipped": 4, "shipped": 5, "delivered": 6, "completed": 7,
    "partially_returned": 7, "returned": 8, "refunded": 9, "cancelled": 9,
}

MAX_PERIOD = timedelta(days=1100)  # three years of a report in one request at most


@frozen
class Fact:
    """One event as analytics keeps it: ids, a pseudonymous customer key, amounts in minor
    units with their currency, and the few attributes the metrics read. No names, emails,
    addresses or full IP addresses.

    `dedupe_key` names the business fact (a capture step of a payment, a refund): a second
    event for it changes nothing. `subject_id` is the aggregate the fact is about (payment,
    shipment, return, fulfillment, cart); `session_key` the browsing session (today the cart)."""

    event_id: str
    event_type: str
    occurred_at: datetime
    recorded_at: datetime
    dedupe_key: str
    subject_id: str = ""
    order_id: str | None = None
    customer_key: str | None = None
    session_key: str | None = None
    status: str | None = None
    amount: int | None = None
    currency: str | None = None
    carrier: str | None = None
    reason: str | None = None
    product_id: str | None = None
    quantity: int | None = None
    client_ip: str | None = None
    user_agent_hash: str | None = None


@frozen
class DeadLetter:
    """An event analytics could not read, parked with why (its payload minimised)."""

    id: str
    event_id: str
    event_type: str
    version: int
    occurred_at: datetime
    aggregate_id: str
    payload: dict[str, Any]
    error: str
    failed_at: datetime


@frozen
class MetricValue:
    """One rollup figure: `metric` over the bucket starting at `bucket` (an hour or a day),
    split by `dimension` (a currency for money, an event type for event counts, else "")."""

    grain: str
    bucket: datetime
    metric: str
    dimension: str
    value: int


@frozen
class ReconciliationAlert:
    """A day on which an event type came in below 80 % of its average over the seven days
    before: events may be getting lost upstream."""

    day: datetime
    event_type: str
    count: int
    window_total: int  # events of the type over the seven days before
    raised_at: datetime

    @property
    def average(self) -> float:
        return round(self.window_total / 7, 2)


@frozen
class Period:
    """[start, end): both timezone-aware."""

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidPeriod("a period's bounds need a timezone")
        if self.end <= self.start:
            raise InvalidPeriod(f"the period ends ({self.end.isoformat()}) before it starts "
                                f"({self.start.isoformat()})")
        if self.end - self.start > MAX_PERIOD:
            raise InvalidPeriod(f"a period spans at most {MAX_PERIOD.days} days")

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one (growth compares with it)."""
        return Period(self.start - (self.end - self.start), self.start)

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end


def status_key(fact: Fact) -> tuple[datetime, int, str]:
    """How status facts of one aggregate are ordered: by when they happened, then by stage,
    then by event id (a total order, so the newest status never depends on arrival order)."""
    return (fact.occurred_at, ORDER_STAGE.get(fact.status or "", 0), fact.event_id)
