"""Facts about returns (spec returns §6). `returns.return_completed` is what the refund, the
restocked stock and the order's status follow."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class RequestedItem:
    order_item_id: str
    product_id: str
    sku: str
    quantity: int
    unit_price: Money


@frozen
class RefundEstimate:
    subtotal: Money
    tax: Money
    shipping: Money
    total: Money


@frozen
class ReturnRequested(DomainEvent):
    type = "returns.return_requested"
    return_id: str
    return_number: str
    order_id: str
    customer_id: str | None
    items: tuple[RequestedItem, ...]
    return_method: str
    reason: str
    reason_category: str
    description: str
    return_type: str
    refund_method: str
    refund_amount: RefundEstimate
    risk_score: int
    requested_at: datetime


@frozen
class ReturnApproved(DomainEvent):
    type = "returns.return_approved"
    return_id: str
    order_id: str
    customer_id: str | None
    label_url: str | None
    tracking_number: str | None
    approved_by: str
    exchange_order_id: str | None
    occurred_at: datetime


@frozen
class ReturnRejected(DomainEvent):
    type = "returns.return_rejected"
    return_id: str
    order_id: str
    customer_id: str | None
    reason: str
    occurred_at: datetime


@frozen
class ReturnCancelled(DomainEvent):
    type = "returns.return_cancelled"
    return_id: str
    order_id: str
    reason: str
    exchange_order_id: str | None
    occurred_at: datetime


@frozen
class CompletedItem:
    order_item_id: str
    product_id: str
    sku: str
    quantity_returned: int
    quantity_restocked: int
    condition: str | None
    disposition: str
    warehouse_id: str


@frozen
class ReturnCompleted(DomainEvent):
    """The goods are back and judged: the refund (key `{return_id}:refund`) and the order's
    status follow from this event."""

    type = "returns.return_completed"
    return_id: str
    order_id: str
    customer_id: str | None
    payment_id: str | None
    refund_amount: Money
    refund_method: str
    items: tuple[CompletedItem, ...]
    is_full_return: bool
    completed_at: datetime


@frozen
class ReturnRefunded(DomainEvent):
    """The refund of a completed return went through (Payment's `payment.refunded` is the
    authority on the money; this closes the return's saga)."""

    type = "returns.return_refunded"
    return_id: str
    order_id: str
    refund_id: str
    amount: Money
    occurred_at: datetime


@frozen
class ReturnRefundFailed(DomainEvent):
    """The refund did not go through; the compensation job retries it under the same key, and
    after the last attempt the return's refund is dead-lettered for a person."""

    type = "returns.refund_failed"
    return_id: str
    order_id: str
    attempt: int
    last_error: str
    dead_lettered: bool
    occurred_at: datetime


@frozen
class ExchangeItem:
    sku: str
    product_id: str
    quantity: int
    unit_price: Money


@frozen
class ExchangeRequested(DomainEvent):
    type = "returns.exchange_requested"
    return_id: str
    order_id: str
    original_items: tuple[RequestedItem, ...]
    new_items: tuple[ExchangeItem, ...]
    occurred_at: datetime


@frozen
class ExchangeApproved(DomainEvent):
    type = "returns.exchange_approved"
    return_id: str
    order_id: str
    original_items: tuple[RequestedItem, ...]
    new_items: tuple[ExchangeItem, ...]
    price_difference: Money  # positive: the customer owes it; negative: refunded
    exchange_order_id: str
    occurred_at: datetime


@frozen
class ExchangeCompleted(DomainEvent):
    type = "returns.exchange_completed"
    return_id: str
    order_id: str
    original_items: tuple[RequestedItem, ...]
    new_items: tuple[ExchangeItem, ...]
    price_difference: Money
    exchange_order_id: str
    occurred_at: datetime
