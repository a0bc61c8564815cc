"""The payment aggregate: one payment of one order through one gateway. No card data, ever:
the shopper's instrument stays with the gateway; we keep its reference and the outcome."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field

from commerce_core.payment.errors import InvalidPaymentState
from commerce_core.payment.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VOIDED = "voided"
    FAILED = "failed"
    REFUNDED = "refunded"


@define(eq=False)
class Payment:
    id: str
    order_id: str
    amount: Money
    method: str
    gateway: str
    idempotency_key: str
    status: PaymentStatus
    reference: str | None
    failure_code: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def start(
        cls, *, payment_id: str, order_id: str, amount: Money, method: str, gateway: str,
        idempotency_key: str, now: datetime,
    ) -> Payment:
        return cls(payment_id, order_id, amount, method, gateway, idempotency_key,
                   PaymentStatus.PENDING, None, None, now, now)

    def _require(self, *allowed: PaymentStatus) -> None:
        if self.status not in allowed:
            raise InvalidPaymentState(
                f"payment {self.id} is {self.status}", payment_id=self.id,
                status=self.status.value,
            )

    def authorized(self, reference: str, *, now: datetime) -> None:
        if self.status is PaymentStatus.AUTHORIZED and self.reference == reference:
            return
        self._require(PaymentStatus.PENDING)
        self.status, self.reference, self.updated_at = PaymentStatus.AUTHORIZED, reference, now
        self.events.append(
            PaymentAuthorized(self.id, self.order_id, self.amount, self.gateway, reference, now)
        )

    def failed(self, code: str, message: str, *, now: datetime) -> None:
        if self.status is PaymentStatus.FAILED:
            return
        self._require(PaymentStatus.PENDING)
        self.status, self.failure_code, self.updated_at = PaymentStatus.FAILED, code, now
        self.events.append(
            PaymentFailed(self.id, self.order_id, self.amount, self.gateway, code, message, now)
        )

    def captured(self, *, now: datetime) -> None:
        if self.status is PaymentStatus.CAPTURED:
            return
        self._require(PaymentStatus.AUTHORIZED)
        self.status, self.updated_at = PaymentStatus.CAPTURED, now
        self.events.append(
            PaymentCaptured(self.id, self.order_id, self.amount, self.gateway, now)
        )

    def voided(self, *, now: datetime) -> None:
        """The hold on the shopper's funds was released (or never existed)."""
        if self.status is PaymentStatus.VOIDED:
            return
        self._require(PaymentStatus.PENDING, PaymentStatus.AUTHORIZED, PaymentStatus.FAILED)
        self.status, self.updated_at = PaymentStatus.VOIDED, now
        self.events.append(PaymentVoided(self.id, self.order_id, self.amount, self.gateway, now))

    def refunded(self, *, now: datetime) -> None:
        if self.status is PaymentStatus.REFUNDED:
            return
        self._require(PaymentStatus.CAPTURED)
        self.status, self.updated_at = PaymentStatus.REFUNDED, now
        self.events.append(
            PaymentRefunded(self.id, self.order_id, self.amount, self.gateway, now)
        )
