"""Payment use cases and reactions."""

from __future__ import annotations

from typing import Any

from commerce_core.payment.commands import CapturePayment, RefundPayment
from commerce_core.payment.errors import InvalidPaymentState, PaymentNotFound, RefundRefused
from commerce_core.payment.model import REFUNDABLE, Payment, PaymentStatus, Refund, RefundStatus
from commerce_core.payment.ports import GatewayRouting, PaymentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory, retrying


def live_payment(uow: PaymentUnitOfWork, order_id: str) -> Payment:
    """The order's payment that holds or took money (the latest attempt otherwise)."""
    payments = uow.payments.for_order(order_id)
    if not payments:
        raise PaymentNotFound(f"order {order_id} has no payment", order_id=order_id)
    for payment in reversed(payments):
        if payment.status in (PaymentStatus.AUTHORIZED, *REFUNDABLE):
            return payment
    return payments[-1]


class CapturePaymentHandler:
    """Capture the authorized amount; the order becomes paid when `payment.captured` lands.

    The gateway call runs outside any transaction and is idempotent on `payment:{id}:capture`,
    so a retry after a timeout never takes the money twice.
    """

    def __init__(
        self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting, clock: Clock
    ) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

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
        result = self._gateways.gateway(payment.gateway).capture(
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


class RefundPaymentHandler:
    """Refund part or all of what an order's payment captured; returns the refund's id.

    Three steps, like capture: the refund is asked for in one transaction (the payment counts it
    at once, under its version, so concurrent refunds cannot exceed the capture: the loser of a
    conflict is checked again against what is left); the gateway is called outside any
    transaction, idempotent on the refund's key; its answer completes or fails the refund. A
    repeated command with the same `idempotency_key` returns the same refund, finishing it if
    the gateway's answer was lost the first time (money moves once).
    """

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._gateways, self._clock, self._ids = uow, gateways, clock, ids

    def __call__(self, cmd: RefundPayment) -> str:
        asked: tuple[Refund, str, str] = retrying(lambda: self._ask(cmd),
                                                  retry_on=ConcurrencyConflict, attempts=10)
        refund, gateway, reference = asked
        if refund.status is RefundStatus.PENDING:
            refund = self._settle(refund, gateway, reference)
        if refund.status is RefundStatus.FAILED:
            raise RefundRefused(f"the gateway refused the refund ({refund.decline_code})",
                                refund_id=refund.id, decline_code=refund.decline_code)
        return refund.id

    def _ask(self, cmd: RefundPayment) -> tuple[Refund, str, str]:
        with self._uow() as uow:
            refund = uow.refunds.by_key(cmd.idempotency_key)
            if refund is not None:
                payment = uow.payments.get(refund.payment_id)
            else:
                payment = live_payment(uow, cmd.order_id)
                refund = Refund.request(
                    refund_id=self._ids.new_id(), payment=payment,
                    amount=cmd.amount or payment.refundable, idempotency_key=cmd.idempotency_key,
                    reason=cmd.reason, now=self._clock.now())
                uow.refunds.add(refund)
                uow.commit()
        assert payment.reference is not None  # a captured payment has its gateway reference
        return refund, payment.gateway, payment.reference

    def _settle(self, refund: Refund, gateway: str, reference: str) -> Refund:
        # The gateway that took the money gives it back.
        result = self._gateways.gateway(gateway).refund(reference, refund.amount,
                                                        refund.gateway_key)

        def record() -> Refund:
            with self._uow() as uow:
                settled = uow.refunds.get(refund.id)
                payment = uow.payments.get(refund.payment_id)
                if result.approved:
                    settled.completed(payment, result.reference, now=self._clock.now())
                else:
                    settled.failed(payment, result.decline_code, now=self._clock.now())
                uow.commit()
            return settled

        # The money moved: record it even while other refunds of the payment keep changing it
        # (each attempt reads afresh). Should every attempt lose, the refund stays pending and
        # the same command again finishes it without a second gateway refund.
        settled: Refund = retrying(record, retry_on=ConcurrencyConflict, attempts=50)
        return settled


class ReleasePaymentOnOrderCancelled:
    """`order.cancelled` → void an authorization, refund a capture (spec order §5.1)."""

    name = "payment.release_payment_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, gateways: GatewayRouting, clock: Clock) -> None:
        self._gateways, self._clock = gateways, clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        for payment in uow.payments.for_order(str(envelope.payload["order_id"])):
            now = self._clock.now()
            gateway = self._gateways.gateway(payment.gateway)
            if payment.status in (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED):
                gateway.void(payment.idempotency_key)
                payment.voided(now=now)
            elif payment.status in REFUNDABLE and payment.reference:
                result = gateway.refund(
                    payment.reference, payment.refundable, f"payment:{payment.id}:refund"
                )
                if not result.approved:
                    raise InvalidPaymentState(
                        f"refund refused: {result.decline_code}", payment_id=payment.id
                    )
                payment.refunded(now=now)
