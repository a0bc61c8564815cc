"""Ordering's published read language."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money


@frozen
class OrderSummary:
    """An order as its buyer is told about it once placed."""

    order_id: str
    number: str
    status: str
    checkout_id: str
    total: Money


@frozen
class ReturnableLine:
    """One order line as a return needs it: what was bought, at what price, from where."""

    line_id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    warehouse_id: str  # the warehouse that shipped (most of) the line: restock goes there


@frozen
class ReturnableOrder:
    """An order as the returns context reads it: owner, status, delivery time and totals."""

    order_id: str
    number: str
    status: str
    customer_id: str | None
    email: str | None
    currency: str
    lines: tuple[ReturnableLine, ...]
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    total: Money
    payment_id: str | None
    payment_method: str
    delivered_at: datetime | None
    ship_to: PostalAddress | None = None
