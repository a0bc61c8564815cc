"""Facts the cart publishes (analytics and abandoned-cart reminders listen)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class CartCreated(DomainEvent):
    type = "cart.created"
    cart_id: str
    customer_id: str | None
    currency: str
    occurred_at: datetime


@frozen
class CartItemAdded(DomainEvent):
    type = "cart.item_added"
    cart_id: str
    line_id: str
    sku: str
    product_id: str
    quantity: int
    unit_price: Money
    occurred_at: datetime


@frozen
class CartItemUpdated(DomainEvent):
    type = "cart.item_updated"
    cart_id: str
    line_id: str
    sku: str
    quantity: int
    occurred_at: datetime


@frozen
class CartItemRemoved(DomainEvent):
    type = "cart.item_removed"
    cart_id: str
    line_id: str
    sku: str
    occurred_at: datetime


@frozen
class CartCheckoutStarted(DomainEvent):
    type = "cart.checkout_started"
    cart_id: str
    occurred_at: datetime


@frozen
class CartReopened(DomainEvent):
    """A checkout did not finish: the cart is editable again."""

    type = "cart.reopened"
    cart_id: str
    reason: str
    occurred_at: datetime


@frozen
class CartConverted(DomainEvent):
    type = "cart.converted"
    cart_id: str
    order_id: str
    customer_id: str | None
    items_count: int
    cart_total: Money
    occurred_at: datetime


@frozen
class CartCouponApplied(DomainEvent):
    """A code was put on the cart; whether it gives anything is the price engine's answer."""

    type = "cart.coupon_applied"
    cart_id: str
    code: str
    occurred_at: datetime


@frozen
class CartCouponRemoved(DomainEvent):
    type = "cart.coupon_removed"
    cart_id: str
    code: str
    occurred_at: datetime


@frozen
class CartMerged(DomainEvent):
    """A guest cart went to its customer on sign-in: into their active cart `into_cart_id`
    (the guest cart is then closed, `merged`), or, without one, it became theirs
    (`into_cart_id` is the cart itself). `capped_lines` lines kept fewer units than asked."""

    type = "cart.merged"
    cart_id: str
    into_cart_id: str
    customer_id: str
    lines: int
    capped_lines: int
    occurred_at: datetime
