"""Facts about checkouts."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class CheckoutStarted(DomainEvent):
    type = "checkout.started"
    checkout_id: str
    cart_id: str
    customer_id: str | None
    total: Money
    item_count: int
    payment_method: str
    occurred_at: datetime


@frozen
class CheckoutCompleted(DomainEvent):
    type = "checkout.completed"
    checkout_id: str
    order_id: str
    occurred_at: datetime


@frozen
class CheckoutFailed(DomainEvent):
    """Everything the attempt took was given back (stock released, authorization voided)."""

    type = "checkout.failed"
    checkout_id: str
    cart_id: str
    step: str
    code: str
    reason: str
    occurred_at: datetime
