"""Facts about payments."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class PaymentAuthorized(DomainEvent):
    type = "payment.authorized"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    reference: str
    occurred_at: datetime


@frozen
class PaymentFailed(DomainEvent):
    type = "payment.failed"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    code: str
    message: str
    occurred_at: datetime


@frozen
class PaymentCaptured(DomainEvent):
    type = "payment.captured"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime


@frozen
class PaymentVoided(DomainEvent):
    type = "payment.voided"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime


@frozen
class PaymentRefunded(DomainEvent):
    type = "payment.refunded"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime
