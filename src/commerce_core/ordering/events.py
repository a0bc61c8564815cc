"""Facts about orders. `order.status_changed` is published for every transition; the specific
events (`order.confirmed`, `order.paid`, `order.cancelled`) carry what their consumers need."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class OrderLineSnapshot:
    sku: str
    product_id: str
    quantity: int
    unit_price: Money
    warehouse_id: str


@frozen
class AllocatedItem:
    """What one warehouse ships of one order line, and the reservation holding it there."""

    line_id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    warehouse_id: str
    reservation_id: str


@frozen
class OrderCreated(DomainEvent):
    type = "order.created"
    order_id: str
    order_number: str
    checkout_id: str
    customer_id: str | None
    status: str
    total: Money
    items: tuple[OrderLineSnapshot, ...]
    occurred_at: datetime


@frozen
class OrderStatusChanged(DomainEvent):
    type = "order.status_changed"
    order_id: str
    order_number: str
    customer_id: str | None
    previous_status: str | None
    new_status: str
    reason: str
    changed_by: str
    occurred_at: datetime


@frozen
class OrderConfirmed(DomainEvent):
    type = "order.confirmed"
    order_id: str
    payment_id: str
    total: Money
    occurred_at: datetime
    order_number: str = ""
    payment_method: str = ""
    customer_id: str | None = None
    items: tuple[AllocatedItem, ...] = ()


@frozen
class OrderPaid(DomainEvent):
    """The order is paid: fulfilment may start, one fulfilment per warehouse of `items`."""

    type = "order.paid"
    order_id: str
    payment_id: str
    total: Money
    reservation_ids: tuple[str, ...]
    occurred_at: datetime
    order_number: str = ""
    payment_method: str = ""
    customer_id: str | None = None
    items: tuple[AllocatedItem, ...] = ()


@frozen
class OrderCancelled(DomainEvent):
    type = "order.cancelled"
    order_id: str
    reason: str
    previous_status: str
    payment_id: str | None
    reservation_ids: tuple[str, ...]
    occurred_at: datetime


@frozen
class OrderCustomerLinked(DomainEvent):
    """An order placed as a guest now belongs to the customer who verified its email."""

    type = "order.customer_linked"
    order_id: str
    customer_id: str
    occurred_at: datetime
