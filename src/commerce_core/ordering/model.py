"""The order aggregate and its state machine (spec order.md §3-§4, with `paid` after confirmed).

Prices are a snapshot taken at checkout; nothing re-prices an order later. Status moves only along
`TRANSITIONS`; every accepted move appends a history entry and records `order.status_changed`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.ordering.errors import InvalidOrder, InvalidTransition, OrderNotCancellable
from commerce_core.ordering.events import (
    AllocatedItem,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    OrderCustomerLinked,
    OrderLineSnapshot,
    OrderPaid,
    OrderStatusChanged,
)
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money, total

MAX_LINES = 100  # matches the cart's line limit, so every valid cart can become an order


class OrderStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PAID = "paid"
    PROCESSING = "processing"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    REFUNDED = "refunded"
    FAILED = "failed"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED, S.FAILED}),
    S.CONFIRMED: frozenset({S.PAID, S.PROCESSING, S.CANCELLED}),
    S.PAID: frozenset({S.PROCESSING, S.CANCELLED}),
    S.PROCESSING: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.PARTIALLY_RETURNED, S.RETURNED, S.REFUNDED}),
    S.PARTIALLY_RETURNED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset({S.PENDING}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
CANCELLABLE = frozenset({S.PENDING, S.CONFIRMED, S.PAID, S.PROCESSING})
# Where shipping and returns move an order (`Order.advance`); payment and cancellation have
# their own methods, because they carry more than a status.
_DELIVERY_PATH = frozenset({S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED,
                            S.COMPLETED})
ADVANCES = frozenset({S.PROCESSING, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED,
                      S.PARTIALLY_RETURNED, S.RETURNED})


@frozen
class LineAllocation:
    """The part of a line one warehouse serves, held there by one reservation."""

    warehouse_id: str
    reservation_id: str
    quantity: int


@frozen
class OrderLine:
    """A line as bought. A line split across warehouses keeps one allocation per warehouse;
    `warehouse_id` and `reservation_id` name its largest part (the only one, usually)."""

    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    warehouse_id: str
    reservation_id: str
    allocations: tuple[LineAllocation, ...] = ()

    @property
    def parts(self) -> tuple[LineAllocation, ...]:
        return self.allocations or (
            LineAllocation(self.warehouse_id, self.reservation_id, self.quantity),
        )


@frozen
class StatusChange:
    from_status: OrderStatus | None
    to_status: OrderStatus
    reason: str
    changed_by: str
    changed_at: datetime


@frozen
class Totals:
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    total: Money

    def check(self) -> None:
        """`total = subtotal - discount + shipping + tax`, every part >= 0, exactly."""
        parts = (self.subtotal, self.discount, self.shipping, self.tax, self.total)
        if any(p.amount < 0 for p in parts):
            raise InvalidOrder("order amounts cannot be negative")
        if self.subtotal - self.discount + self.shipping + self.tax != self.total:
            raise InvalidOrder(
                "order total does not add up", subtotal=self.subtotal.amount,
                discount=self.discount.amount, shipping=self.shipping.amount,
                tax=self.tax.amount, total=self.total.amount,
            )


@define(eq=False)
class Order:
    id: str
    number: str
    checkout_id: str
    cart_id: str
    customer_id: str | None
    email: str | None
    status: OrderStatus
    currency: str
    lines: list[OrderLine]
    totals: Totals
    payment_method: str
    payment_id: str | None
    history: list[StatusChange]
    created_at: datetime
    updated_at: datetime
    cancel_reason: str | None = None
    # Where the goods go and how (None for orders placed before shipping existed, or picked up).
    ship_to: PostalAddress | None = None
    shipping_method: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        number: str,
        checkout_id: str,
        cart_id: str,
        customer_id: str | None,
        email: str | None,
        currency: str,
        lines: list[OrderLine],
        totals: Totals,
        payment_method: str,
        payment_id: str | None,
        now: datetime,
        ship_to: PostalAddress | None = None,
        shipping_method: str | None = None,
    ) -> Order:
        """A new order awaiting payment. Its math is re-checked exactly (spec §3)."""
        if not lines:
            raise InvalidOrder("an order needs at least one line")
        if len(lines) > MAX_LINES:
            raise InvalidOrder(f"an order holds at most {MAX_LINES} lines")
        for line in lines:
            if line.quantity < 1:
                raise InvalidOrder(f"line {line.sku} has quantity {line.quantity}", sku=line.sku)
            if not line.warehouse_id or not line.reservation_id:
                raise InvalidOrder(
                    f"line {line.sku} lacks a warehouse or reservation", sku=line.sku
                )
            parts = line.parts
            if (sum(p.quantity for p in parts) != line.quantity
                    or any(p.quantity < 1 or not p.warehouse_id or not p.reservation_id
                           for p in parts)
                    or (line.warehouse_id, line.reservation_id) not in
                    {(p.warehouse_id, p.reservation_id) for p in parts}):
                raise InvalidOrder(
                    f"the warehouse parts of line {line.sku} do not add up to it", sku=line.sku
                )
            if line.unit_price * line.quantity != line.line_total:
                raise InvalidOrder(f"line {line.sku} total does not add up", sku=line.sku)
            if line.unit_price.currency != currency:
                raise InvalidOrder(f"line {line.sku} is not in {currency}", sku=line.sku)
        totals.check()
        if total([ln.line_total for ln in lines], currency) != totals.subtotal:
            raise InvalidOrder("subtotal is not the sum of the lines")
        order = cls(
            order_id, number, checkout_id, cart_id, customer_id, email, OrderStatus.PENDING,
            currency, list(lines), totals, payment_method, payment_id, [], now, now,
            ship_to=ship_to, shipping_method=shipping_method,
        )
        order.events.append(
            OrderCreated(
                order_id, number, checkout_id, customer_id, order.status.value, totals.total,
                tuple(OrderLineSnapshot(ln.sku, ln.product_id, ln.quantity, ln.unit_price,
                                        ln.warehouse_id) for ln in lines),
                now,
            )
        )
        order._record_change(None, OrderStatus.PENDING, "placed", "checkout", now)
        return order

    @property
    def reservation_ids(self) -> tuple[str, ...]:
        return tuple(part.reservation_id for line in self.lines for part in line.parts)

    def allocated_items(self) -> tuple[AllocatedItem, ...]:
        """One item per warehouse part of every line: what each warehouse must ship."""
        return tuple(
            AllocatedItem(line.id, line.sku, line.product_id, line.name, part.quantity,
                          line.unit_price, part.warehouse_id, part.reservation_id)
            for line in self.lines for part in line.parts
        )

    def _record_change(
        self, previous: OrderStatus | None, new: OrderStatus, reason: str, by: str, now: datetime
    ) -> None:
        self.history.append(StatusChange(previous, new, reason, by, now))
        self.updated_at = now
        self.events.append(
            OrderStatusChanged(
                self.id, self.number, self.customer_id, previous.value if previous else None,
                new.value, reason, by, now,
            )
        )

    def _move(self, new: OrderStatus, reason: str, by: str, now: datetime) -> OrderStatus:
        if new not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"order {self.number} cannot go from {self.status} to {new}",
                order_id=self.id, status=self.status.value, requested=new.value,
            )
        previous, self.status = self.status, new
        self._record_change(previous, new, reason, by, now)
        return previous

    def confirm(self, payment_id: str, *, now: datetime) -> None:
        """Payment is secured (authorized): the shop commits to deliver. Idempotent."""
        if self.status is OrderStatus.CONFIRMED and self.payment_id == payment_id:
            return
        self._move(OrderStatus.CONFIRMED, "payment_authorized", "checkout", now)
        self.payment_id = payment_id
        self.events.append(OrderConfirmed(self.id, payment_id, self.totals.total, now,
                                          self.number, self.payment_method, self.customer_id,
                                          self.allocated_items()))

    def mark_paid(self, *, now: datetime) -> None:
        """The payment was captured. Idempotent. Cash on delivery is captured at the door,
        when the order is already on its delivery path: its status stays where it is."""
        if self.status is OrderStatus.PAID or self.status in _DELIVERY_PATH:
            return
        self._move(OrderStatus.PAID, "payment_captured", "payment", now)
        assert self.payment_id is not None
        self.events.append(
            OrderPaid(self.id, self.payment_id, self.totals.total, self.reservation_ids, now,
                      self.number, self.payment_method, self.customer_id,
                      self.allocated_items())
        )

    def cancel(self, reason: str, *, changed_by: str, now: datetime) -> bool:
        """Cancel before anything shipped; returns False if it already was cancelled.

        Stock and money are given back by the reactions to `order.cancelled`, which carries the
        reservation and payment ids they need.
        """
        if self.status is OrderStatus.CANCELLED:
            return False
        if self.status not in CANCELLABLE:
            raise OrderNotCancellable(
                f"order {self.number} is {self.status} and can no longer be cancelled",
                order_id=self.id, status=self.status.value,
            )
        previous = self._move(OrderStatus.CANCELLED, reason, changed_by, now)
        self.cancel_reason = reason
        self.events.append(
            OrderCancelled(self.id, reason, previous.value, self.payment_id,
                           self.reservation_ids, now)
        )
        return True

    def advance(self, to: OrderStatus, reason: str, *, by: str, now: datetime) -> bool:
        """Move along the delivery and return path (processing, shipped, delivered, completed,
        partially returned, returned). False when the order is already there, so a redelivered
        event changes nothing; `InvalidTransition` when the move is not in the table."""
        if to not in ADVANCES:
            raise InvalidTransition(f"order {self.number} is not moved to {to} this way",
                                    order_id=self.id, status=self.status.value,
                                    requested=to.value)
        if self.status is to:
            return False
        self._move(to, reason, by, now)
        return True

    @property
    def delivered_at(self) -> datetime | None:
        """When the order was delivered (the start of its return window), None before."""
        return next((c.changed_at for c in reversed(self.history)
                     if c.to_status is OrderStatus.DELIVERED), None)

    def link_customer(self, customer_id: str, *, now: datetime) -> bool:
        """A guest order becomes the customer's; an order that already has one keeps it."""
        if self.customer_id is not None:
            return False
        self.customer_id = customer_id
        self.updated_at = now
        self.events.append(OrderCustomerLinked(self.id, customer_id, now))
        return True


def order_number(order_id: str, placed_at: datetime) -> str:
    """`ORD-YYYYMMDD-XXXXXXXX`: the date a person reads, and the id's random tail, which needs
    no shared counter (a daily sequence row would serialise every checkout; ADR 0004)."""
    return f"ORD-{placed_at:%Y%m%d}-{order_id.replace('-', '')[-8:].upper()}"
