"""Payment use cases and reactions."""

from __future__ import annotations

from typing import Any

from commerce_core.payment.commands import CapturePayment
from commerce_core.payment.errors import InvalidPaymentState, PaymentNotFound
from commerce_core.payment.model import Payment, PaymentStatus
from commerce_core.payment.ports import PaymentGateway, PaymentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import UnitOfWorkFactory


def live_payment(uow: PaymentUnitOfWork, order_id: str) -> Payment:
    """The order's payment that holds or took money (the latest attempt otherwise)."""
    payments = uow.payments.for_order(order_id)
    if not payments:
        raise PaymentNotFound(f"order {order_id} has no payment", order_id=order_id)
    for payment in reversed(payments):
        if payment.status in (PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED):
            return payment
    return payments[-1]


class CapturePaymentHandler:
    """Capture the authorized amount; the order becomes paid when `payment.captured` lands.

    The gateway call runs outside any transaction and is idempotent on `payment:{id}:capture`,
    so a retry after a timeout never takes the money twice.
    """

    def __init__(
        self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateway: PaymentGateway, clock: Clock
    ) -> None:
        self._uow, self._gateway, self._clock = uow, gateway, clock

    def __call__(self, cmd: CapturePayment) -> str:
        with self._uow() as uow:
            payment = live_payment(uow, cmd.order_id)
        if payment.status is PaymentStatus.CAPTURED:
            return payment.id
        if payment.status is not PaymentStatus.AUTHORIZED or payment.reference is None:
            raise InvalidPaymentState(
                f"payment {payment.id} is {payment.status}; only an authorization is captured",
                payment_id=payment.id, status=payment.status.value,
            )
        result = self._gateway.capture(
            payment.reference, payment.amount, f"payment:{payment.id}:capture"
        )
        if not result.approved:
            raise InvalidPaymentState(
                f"the gateway refused the capture: {result.decline_code or result.message}",
                payment_id=payment.id, decline_code=result.decline_code,
            )
        with self._uow() as uow:
            uow.payments.get(payment.id).captured(now=self._clock.now())
            uow.commit()
        return payment.id


class ReleasePaymentOnOrderCancelled:
    """`order.cancelled` → void an authorization, refund a capture (spec order §5.1)."""

    name = "payment.release_payment_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, gateway: PaymentGateway, clock: Clock) -> None:
        self._gateway, self._clock = gateway, clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        for payment in uow.payments.for_order(str(envelope.payload["order_id"])):
            now = self._clock.now()
            if payment.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED):
                self._gateway.void(payment.idempotency_key)
                payment.voided(now=now)
            elif payment.status is PaymentStatus.CAPTURED and payment.reference:
                result = self._gateway.refund(
                    payment.reference, payment.amount, f"payment:{payment.id}:refund"
                )
                if not result.approved:
                    raise InvalidPaymentState(
                        f"refund refused: {result.decline_code}", payment_id=payment.id
                    )
                payment.refunded(now=now)
