"""A shop with analytics over the memory adapters, and events written the way their producers
write them (as envelopes: analytics reads nothing else)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs

from adapters.memory import FrozenClock, SequentialIds, bundle
from commerce_core import Commerce
from commerce_core.analytics.ports import AnalyticsPorts
from commerce_core.analytics.queries import Period
from commerce_core.shared.events import EventEnvelope

KEY = b"analytics test pseudonym key"
ANALYTICS = ["analytics.record_event"]  # deliver to analytics alone
DAY1 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def analytics_ports(timezone: str = "UTC") -> AnalyticsPorts:
    return AnalyticsPorts(KEY, timezone=timezone)


def shop(now: datetime = DAY1, timezone: str = "UTC") -> tuple[Commerce, FrozenClock]:
    clock = FrozenClock(now)
    ports = attrs.evolve(bundle(clock=clock, ids=SequentialIds()),
                         analytics=analytics_ports(timezone))
    return Commerce(ports), clock


def day(d: date) -> Period:
    return Period(datetime(d.year, d.month, d.day, tzinfo=UTC),
                  datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(days=1))


def vnd(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "VND"}


class Events:
    """Envelopes with fresh ids; each builder takes the moment the fact happened."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def envelope(self, kind: str, at: datetime, aggregate: str,
                 payload: dict[str, Any]) -> EventEnvelope:
        return EventEnvelope(f"evt-{next(self._ids):05d}", kind, 1, at, aggregate,
                             {**payload, "occurred_at": at.isoformat()})

    def order_created(self, order: str, at: datetime, customer: str | None = "cust-1",
                      total: int = 100_000, currency: str = "VND") -> EventEnvelope:
        return self.envelope("order.created", at, order, {
            "order_id": order, "order_number": f"N-{order}", "checkout_id": "co",
            "customer_id": customer, "status": "pending",
            "total": {"amount": total, "currency": currency}, "items": []})

    def status(self, order: str, new: str, at: datetime,
               customer: str | None = "cust-1") -> EventEnvelope:
        return self.envelope("order.status_changed", at, order, {
            "order_id": order, "order_number": f"N-{order}", "customer_id": customer,
            "previous_status": None, "new_status": new, "reason": "", "changed_by": "system"})

    def captured(self, payment: str, order: str, amount: int, at: datetime,
                 currency: str = "VND", total: int | None = None) -> EventEnvelope:
        return self.envelope("payment.captured", at, payment, {
            "payment_id": payment, "order_id": order,
            "amount": {"amount": amount, "currency": currency}, "gateway": "fake",
            "total_captured": {"amount": total or amount, "currency": currency},
            "final": True})

    def refunded(self, payment: str, order: str, amount: int, at: datetime,
                 refund: str = "r-1", currency: str = "VND") -> EventEnvelope:
        return self.envelope("payment.refunded", at, payment, {
            "payment_id": payment, "order_id": order,
            "amount": {"amount": amount, "currency": currency}, "gateway": "fake",
            "refund_id": refund, "total_refunded": {"amount": amount, "currency": currency},
            "full": False})

    def shipment_created(self, shipment: str, order: str, at: datetime,
                         carrier: str = "ghn") -> EventEnvelope:
        return self.envelope("shipping.shipment_created", at, shipment, {
            "shipment_id": shipment, "order_id": order, "fulfillment_id": "f",
            "package_id": "pk", "carrier": carrier, "service_type": "standard",
            "tracking_number": "T", "status": "booked", "warehouse_id": "w", "cost": vnd(1)})

    def shipment_status(self, shipment: str, order: str, new: str,
                        at: datetime) -> EventEnvelope:
        return self.envelope("shipping.shipment_status_changed", at, shipment, {
            "shipment_id": shipment, "order_id": order, "fulfillment_id": "f",
            "old_status": "booked", "new_status": new, "reason": "", "tracking_number": "T"})

    def return_requested(self, ret: str, order: str, at: datetime,
                         reason: str = "damaged") -> EventEnvelope:
        return self.envelope("returns.return_requested", at, ret, {
            "return_id": ret, "return_number": "R", "order_id": order, "customer_id": "cust-1",
            "items": [], "return_method": "pickup", "reason": reason,
            "reason_category": "quality", "description": "", "return_type": "refund",
            "refund_method": "original", "refund_amount": {}, "risk_score": 0,
            "requested_at": at.isoformat()})

    def return_completed(self, ret: str, order: str, amount: int,
                         at: datetime) -> EventEnvelope:
        return self.envelope("returns.return_completed", at, ret, {
            "return_id": ret, "order_id": order, "customer_id": "cust-1", "payment_id": "p",
            "refund_amount": vnd(amount), "refund_method": "original", "items": [],
            "is_full_return": True, "completed_at": at.isoformat()})

    def cart(self, kind: str, cart: str, at: datetime, **extra: Any) -> EventEnvelope:
        return self.envelope(kind, at, cart, {"cart_id": cart, **extra})
