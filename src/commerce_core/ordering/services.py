"""What ordering offers other contexts inside their own transaction: placing the pending
order of a checkout, confirming it once its payment is secured, and cancelling it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from commerce_core.ordering.model import (
    LineAllocation,
    Order,
    OrderLine,
    OrderStatus,
    Totals,
    order_number,
)
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.ordering.queries import OrderSummary, ReturnableLine, ReturnableOrder
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money

__all__ = [
    "LineAllocation", "PendingLine", "Totals", "advance", "cancel", "confirm", "place_pending",
    "returnable", "summary",
]


@frozen
class PendingLine:
    """A line as bought: its price frozen, its units held by one reservation per warehouse."""

    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    allocations: tuple[LineAllocation, ...]


def _summary(order: Order) -> OrderSummary:
    return OrderSummary(order.id, order.number, order.status.value, order.checkout_id,
                        order.totals.total)


def place_pending(
    uow: OrderingUnitOfWork, *, checkout_id: str, cart_id: str, customer_id: str | None,
    email: str | None, currency: str, lines: Sequence[PendingLine], totals: Totals,
    payment_method: str, now: datetime, ids: IdGenerator,
    ship_to: PostalAddress | None = None, shipping_method: str | None = None,
) -> str:
    """A new order awaiting payment (its math checked exactly); returns its id. One order per
    checkout: a second one for the same checkout fails the commit with `ConcurrencyConflict`."""
    order_id = ids.new_id()
    order = Order.place(
        order_id=order_id, number=order_number(order_id, now), checkout_id=checkout_id,
        cart_id=cart_id, customer_id=customer_id, email=email, currency=currency,
        lines=[
            OrderLine(ids.new_id(), ln.sku, ln.product_id, ln.name, ln.quantity, ln.unit_price,
                      ln.line_total, main.warehouse_id, main.reservation_id, ln.allocations)
            for ln in lines
            for main in (max(ln.allocations, key=lambda part: part.quantity),)
        ],
        totals=totals, payment_method=payment_method, payment_id=None, now=now,
        ship_to=ship_to, shipping_method=shipping_method,
    )
    uow.orders.add(order)
    return order_id


def confirm(uow: OrderingUnitOfWork, order_id: str, payment_id: str, *,
            now: datetime) -> OrderSummary:
    """The order's payment is secured: the shop commits to deliver (idempotent)."""
    order = uow.orders.get(order_id)
    order.confirm(payment_id, now=now)
    return _summary(order)


def mark_paid(uow: OrderingUnitOfWork, order_id: str, *, now: datetime) -> OrderSummary:
    """The order's money is in: an order stored value paid in full is paid when it is
    confirmed, there being no gateway capture to wait for (idempotent)."""
    order = uow.orders.get(order_id)
    order.mark_paid(now=now)
    return _summary(order)


def cancel(uow: OrderingUnitOfWork, order_id: str, reason: str, *, changed_by: str,
           now: datetime) -> None:
    order = uow.orders.get(order_id)
    order.cancel(reason, changed_by=changed_by, now=now)


def summary(uow: OrderingUnitOfWork, order_id: str) -> OrderSummary:
    return _summary(uow.orders.get(order_id))


def advance(uow: OrderingUnitOfWork, order_id: str, to: str, reason: str, *, by: str,
            now: datetime) -> bool:
    """Move the order along its delivery and return path in the caller's transaction (shipping
    and returns react to their own events with it); False when it already was there."""
    order = uow.orders.get(order_id)
    return order.advance(OrderStatus(to), reason, by=by, now=now)


def returnable(uow: OrderingUnitOfWork, order_id: str) -> ReturnableOrder:
    """The order as a return reads it (`OrderNotFound` when there is none)."""
    order = uow.orders.get(order_id)
    t = order.totals
    return ReturnableOrder(
        order.id, order.number, order.status.value, order.customer_id, order.email,
        order.currency,
        tuple(ReturnableLine(ln.id, ln.sku, ln.product_id, ln.name, ln.quantity, ln.unit_price,
                             ln.line_total, ln.warehouse_id) for ln in order.lines),
        t.subtotal, t.discount, t.shipping, t.tax, t.total, order.payment_id,
        order.payment_method, order.delivered_at, order.ship_to,
    )
