"""Payment use cases and reactions."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from commerce_core.payment import services
from commerce_core.payment.commands import (
    CapturePayment,
    ExpireAuthorizations,
    RecordCollection,
    RecordCollectionFailed,
    RefundPayment,
    RetryCaptures,
    VoidPayment,
)
from commerce_core.payment.errors import (
    CaptureNotPossible,
    GatewayTimeout,
    GatewayUnavailable,
    InvalidPaymentState,
    PaymentNotFound,
    RefundAboveLimit,
    RefundRefused,
)
from commerce_core.payment.model import (
    CAPTURABLE,
    REFUNDABLE,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    TransactionKind,
    TransactionStatus,
)
from commerce_core.payment.ports import GatewayRouting, PartialCaptureGateway, PaymentUnitOfWork
from commerce_core.payment.tenders import Tender, TenderKind, TenderPolicy, TenderStatus
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

log = logging.getLogger("commerce.payment")

def live_payment(uow: PaymentUnitOfWork, order_id: str) -> Payment:
    """The order's payment that holds or took money (the latest attempt otherwise)."""
    payments = uow.payments.for_order(order_id)
    if not payments:
        raise PaymentNotFound(f"order {order_id} has no payment", order_id=order_id)
    for payment in reversed(payments):
        if payment.status in (*CAPTURABLE, *REFUNDABLE):
            return payment
    return payments[-1]


CAPTURE_RETRY_DELAY = timedelta(minutes=15)
CAPTURE_MAX_ATTEMPTS = 3
AUTHORIZATION_WINDOW = timedelta(days=7)


def capture_key(payment: Payment) -> str:
    """The gateway key of the payment's next capture: one per capture, the same for every
    retry of it (the first keeps the name captures always had)."""
    done = sum(1 for t in payment.transactions
               if t.kind is TransactionKind.CAPTURE and t.status is TransactionStatus.SUCCEEDED)
    return f"payment:{payment.id}:capture" + (f":{done + 1}" if done else "")


class CapturePaymentHandler:
    """Capture authorized money; the order becomes paid when `payment.captured` lands.

    Three steps, like a refund: the capture is remembered on the payment (under its version, so
    two captures asked for at once cannot together exceed the authorization; the loser conflicts
    and is told a capture is in flight); the gateway is called outside any transaction,
    idempotent on `capture_key`; its answer is recorded in the ledger. A gateway that does not
    answer leaves the capture pending with a retry time: the `RetryCaptures` job (or the same
    command again) asks once more under the same key, so money is taken once.
    """

    def __init__(
        self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting, clock: Clock
    ) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: CapturePayment) -> str:
        with self._uow() as uow:
            payment = live_payment(uow, cmd.order_id)
            if payment.status is PaymentStatus.CAPTURED and cmd.amount is None:
                return payment.id
            if payment.status not in CAPTURABLE or payment.reference is None:
                raise InvalidPaymentState(
                    f"payment {payment.id} is {payment.status}; only an authorization is "
                    "captured", payment_id=payment.id, status=payment.status.value)
            if payment.capture_pending:
                # Without a key per capture, another capture of an amount cannot be told from
                # a retry of this one: only "finish what is pending" (no amount) goes on.
                if cmd.amount is not None:
                    raise InvalidPaymentState(
                        f"a capture of {payment.capture_pending} of payment {payment.id} is in "
                        "flight; capture without an amount to finish it",
                        payment_id=payment.id, pending=payment.capture_pending)
            else:
                amount = cmd.amount if cmd.amount is not None else payment.capturable
                partial = not cmd.final and amount < payment.capturable
                if partial and not getattr(self._gateways.gateway(payment.gateway),
                                           "multiple_captures", False):
                    raise CaptureNotPossible(
                        f"gateway {payment.gateway} captures once; capture with final=true",
                        payment_id=payment.id, gateway=payment.gateway)
                payment.capture_requested(amount, final=cmd.final)
                uow.commit()
        return capture(self._uow, self._gateways, self._clock, payment.id, payment)


def capture(uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting, clock: Clock,
            payment_id: str, payment: Payment | None = None) -> str:
    """Ask the gateway for the payment's pending capture and record its answer (`payment`: as
    the caller just committed it, so it is not read again)."""
    if payment is None:
        with uow() as tx:
            payment = tx.payments.get(payment_id)
    if not payment.capture_pending or payment.reference is None:
        return payment.id
    amount = Money(payment.capture_pending, payment.amount.currency)
    gateway = gateways.gateway(payment.gateway)
    try:
        if payment.capture_final:
            result = gateway.capture(payment.reference, amount, capture_key(payment))
        else:
            # Only asked of a gateway that said `multiple_captures` (checked when asked for).
            result = cast(PartialCaptureGateway, gateway).capture(
                payment.reference, amount, capture_key(payment), final=False)
    except (GatewayTimeout, GatewayUnavailable) as error:
        _unanswered(uow, clock, payment.id, error.code)
        raise
    if result.pending:
        _unanswered(uow, clock, payment.id, "capture_pending")
        raise GatewayTimeout(f"the gateway has not settled the capture of payment {payment.id}",
                             payment_id=payment.id)

    def record() -> None:
        with uow() as tx:
            settled = tx.payments.get(payment.id)
            if not settled.capture_pending:
                return  # another process recorded this answer
            if result.approved:
                settled.captured(now=clock.now(), amount=amount, final=settled.capture_final,
                                 reference=result.reference)
            else:
                settled.capture_refused(result.decline_code or "declined", now=clock.now())
            tx.commit()

    retrying(record, retry_on=ConcurrencyConflict, attempts=10)
    if not result.approved:
        raise InvalidPaymentState(
            f"the gateway refused the capture: {result.decline_code or result.message}",
            payment_id=payment.id, decline_code=result.decline_code)
    return payment.id


def _unanswered(uow: UnitOfWorkFactory[PaymentUnitOfWork], clock: Clock, payment_id: str,
                code: str) -> None:
    def record() -> None:
        with uow() as tx:
            payment = tx.payments.get(payment_id)
            if not payment.capture_pending:
                return
            now = clock.now()
            retry = (now + CAPTURE_RETRY_DELAY * 2 ** payment.capture_attempts
                     if payment.capture_attempts + 1 < CAPTURE_MAX_ATTEMPTS else None)
            payment.capture_unanswered(code, now=now, retry_at=retry)
            tx.commit()

    retrying(record, retry_on=ConcurrencyConflict, attempts=10)


def _cash_on_delivery(gateways: GatewayRouting, payment: Payment) -> None:
    if not getattr(gateways.gateway(payment.gateway), "collects_on_delivery", False):
        raise InvalidPaymentState(
            f"payment {payment.id} is not paid on delivery ({payment.gateway})",
            payment_id=payment.id, gateway=payment.gateway)


class RecordCollectionHandler:
    """Record what the courier collected: the capture of what was owed (at most), in the
    ledger like any capture; a collection recorded twice captures once."""

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: RecordCollection) -> str:
        with self._uow() as uow:
            payment = live_payment(uow, cmd.order_id)
            _cash_on_delivery(self._gateways, payment)
            if payment.status is PaymentStatus.CAPTURED:
                return payment.id
            if cmd.collected.currency != payment.amount.currency or cmd.collected.amount < 0:
                raise CaptureNotPossible(
                    f"a collection is an amount in {payment.amount.currency}",
                    payment_id=payment.id)
            if not payment.capture_pending:
                payment.collection_recorded(cmd.collected, now=self._clock.now())
                taken = min(cmd.collected.amount, payment.amount.amount)
                if taken == 0:
                    payment.collection_failed("nothing_collected", now=self._clock.now())
                    uow.commit()
                    return payment.id
                payment.capture_requested(Money(taken, payment.amount.currency), final=True)
                uow.commit()
        return capture(self._uow, self._gateways, self._clock, payment.id)


class RecordCollectionFailedHandler:
    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: RecordCollectionFailed) -> str:
        with self._uow() as uow:
            payment = live_payment(uow, cmd.order_id)
            _cash_on_delivery(self._gateways, payment)
            payment.collection_failed(cmd.reason, now=self._clock.now())
            uow.commit()
        return payment.id


class RetryCapturesHandler:
    """The job over captures whose gateway did not answer: each due one is asked again under its
    own key; after the last attempt it waits for staff (`payment.capture_failed`, not
    retryable). Returns how many were settled this run."""

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: RetryCaptures) -> int:
        with self._uow() as uow:
            due = uow.payments.captures_due(self._clock.now(), cmd.limit)
        settled = 0
        for payment_id in due:
            try:
                capture(self._uow, self._gateways, self._clock, payment_id)
                settled += 1
            except (GatewayTimeout, GatewayUnavailable, InvalidPaymentState) as error:
                log.warning("capture retry of payment %s: %s", payment_id, error.message)
        return settled


class VoidPaymentHandler:
    """Release what is left of an authorization at the gateway, then record it."""

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: VoidPayment) -> str:
        with self._uow() as uow:
            payment = live_payment(uow, cmd.order_id)
        if payment.status not in CAPTURABLE:
            raise InvalidPaymentState(
                f"payment {payment.id} is {payment.status}; only an authorization is voided",
                payment_id=payment.id, status=payment.status.value)
        if payment.capture_pending:
            raise InvalidPaymentState(
                f"a capture of payment {payment.id} is in flight; retry it first",
                payment_id=payment.id, pending=payment.capture_pending)
        self._gateways.gateway(payment.gateway).void(payment.idempotency_key)

        def record() -> None:
            with self._uow() as uow:
                uow.payments.get(payment.id).voided(now=self._clock.now())
                uow.commit()

        retrying(record, retry_on=ConcurrencyConflict, attempts=10)
        return payment.id


class ExpireAuthorizationsHandler:
    """The job over holds older than their gateway's window (`authorization_window` on the
    gateway, seven days otherwise; None for a sale, which holds nothing): released at the
    gateway where it still knows them, then recorded as expired so nobody tries to capture
    them. Returns how many expired."""

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    def __call__(self, cmd: ExpireAuthorizations) -> int:
        now = self._clock.now()
        lapsed: list[Payment] = []
        for name in self._gateways.names:
            # None: a sale, the money already taken; there is no hold to lapse.
            window: timedelta | None = getattr(self._gateways.gateway(name),
                                               "authorization_window", AUTHORIZATION_WINDOW)
            if window is not None:
                with self._uow() as uow:
                    lapsed += uow.payments.authorized_before(name, now - window, cmd.limit)
        expired = 0
        for payment in lapsed:
            gateway = self._gateways.gateway(payment.gateway)
            if payment.capture_pending:
                continue  # its capture may have taken the money: the retry job settles it
            try:
                gateway.void(payment.idempotency_key)
            except (GatewayTimeout, GatewayUnavailable) as error:
                # The provider lets the hold lapse by itself; nothing may be captured anyway.
                log.warning("releasing expired authorization of payment %s: %s", payment.id,
                            error.message)

            def record(payment_id: str = payment.id) -> None:
                with self._uow() as uow:
                    current = uow.payments.get(payment_id)
                    if current.status in CAPTURABLE and not current.capture_pending:
                        current.authorization_expired(now=self._clock.now())
                        uow.commit()

            retrying(record, retry_on=ConcurrencyConflict, attempts=10)
            expired += 1
        return expired


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
                asked = cmd.amount or payment.refundable
                if cmd.limit is not None and asked.amount > cmd.limit:
                    raise RefundAboveLimit(
                        f"a refund of {asked} is above this caller's ceiling of "
                        f"{Money(cmd.limit, asked.currency)}", limit=cmd.limit,
                        requested=asked.amount)
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

    def __init__(self, gateways: GatewayRouting, clock: Clock,
                 tenders: TenderPolicy | None = None) -> None:
        self._gateways, self._clock = gateways, clock
        self._tenders = tenders or TenderPolicy()

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        order_id = str(envelope.payload["order_id"])
        self._restore_stored_value(uow, order_id)
        for payment in uow.payments.for_order(order_id):
            now = self._clock.now()
            gateway = self._gateways.gateway(payment.gateway)
            if payment.status in (PaymentStatus.PENDING, *CAPTURABLE):
                gateway.void(payment.idempotency_key)
                payment.voided(now=now)  # after a capture in parts, the rest: now captured
            if payment.status in REFUNDABLE and payment.reference:
                result = gateway.refund(
                    payment.reference, payment.refundable, f"payment:{payment.id}:refund"
                )
                if not result.approved:
                    raise InvalidPaymentState(
                        f"refund refused: {result.decline_code}", payment_id=payment.id
                    )
                payment.refunded(now=now)

    def _restore_stored_value(self, uow: Any, order_id: str) -> None:
        """Stored value still held is freed; what was spent goes back whole to the account it
        came from (points and store credit as new lots lasting the policy's days), once."""
        now = self._clock.now()
        tenders = services.tenders_of(uow, order_id)
        if not tenders:
            return
        services.release_tenders(uow, order_id, now=now)
        left = sum(t.value - t.refunded_value for t in tenders
                   if t.status is TenderStatus.CAPTURED)
        if left <= 0:
            return
        policy = self._tenders

        def back(tender: Tender) -> services.RestoreTarget:
            days = {TenderKind.POINTS: policy.restored_points_days,
                    TenderKind.STORE_CREDIT: policy.store_credit_days}.get(tender.kind)
            return services.RestoreTarget(
                tender.account_id, None if days is None else now + timedelta(days=days))

        services.refund_tenders(uow, order_id, source_id=f"cancel:{order_id}",
                                amount=Money(left, tenders[0].currency), target=back, now=now)
