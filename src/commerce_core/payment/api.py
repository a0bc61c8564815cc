"""`commerce.payments`: capturing and reading payments as plain methods."""

from __future__ import annotations

from commerce_core.payment.commands import (
    CapturePayment,
    CloseDispute,
    ExpireAuthorizations,
    RecordCollection,
    RecordCollectionFailed,
    RecordDispute,
    RefundPayment,
    RetryCaptures,
    VoidPayment,
)
from commerce_core.payment.model import Dispute, Payment, PaymentTransaction, Refund
from commerce_core.payment.ports import PaymentUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory


class PaymentsApi:
    """Payments of orders."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[PaymentUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def capture(self, order_id: str, *, amount: Money | None = None, final: bool = True) -> str:
        """Capture `amount` (all that is left of the authorization when None); `final=False`
        keeps the rest capturable, where the gateway captures in parts."""
        return str(self._handle(CapturePayment(order_id, amount, final)))

    def void(self, order_id: str, *, reason: str = "") -> str:
        """Release what is left of the order's authorization."""
        return str(self._handle(VoidPayment(order_id, reason)))

    def record_collection(self, order_id: str, collected: Money) -> str:
        """The courier collected `collected` for a cash-on-delivery order (captured)."""
        return str(self._handle(RecordCollection(order_id, collected)))

    def record_collection_failed(self, order_id: str, *, reason: str = "not_collected") -> str:
        """Nobody paid the courier for a cash-on-delivery order (the payment fails)."""
        return str(self._handle(RecordCollectionFailed(order_id, reason)))

    def retry_captures(self, *, limit: int = 100) -> int:
        """The job: captures whose gateway did not answer, asked again; how many settled."""
        return int(self._handle(RetryCaptures(limit)))

    def expire_authorizations(self, *, limit: int = 100) -> int:
        """The job: holds past their gateway's window, released; how many expired."""
        return int(self._handle(ExpireAuthorizations(limit)))

    def get(self, payment_id: str) -> Payment:
        with self._read() as uow:
            return uow.payments.get(payment_id)

    def ledger(self, payment_id: str) -> list[PaymentTransaction]:
        """The payment's transactions, oldest first (append-only)."""
        return list(self.get(payment_id).transactions)

    def refund(self, order_id: str, *, idempotency_key: str, amount: Money | None = None,
               reason: str = "", limit: int | None = None) -> str:
        """Refund `amount` (all that is left when None) of the order's captured payment;
        `limit`: the caller's ceiling (`RefundAboveLimit` above it)."""
        return str(self._handle(RefundPayment(order_id, idempotency_key, amount, reason,
                                              limit)))

    def by_reference(self, gateway: str, reference: str) -> Payment | None:
        """The payment `gateway` knows by `reference` (a provider's notification quotes it)."""
        with self._read() as uow:
            return uow.payments.by_reference(gateway, reference)

    def for_order(self, order_id: str) -> list[Payment]:
        with self._read() as uow:
            return uow.payments.for_order(order_id)

    def refunds(self, order_id: str) -> list[Refund]:
        """Every refund of the order's payments, oldest first."""
        with self._read() as uow:
            return [r for p in uow.payments.for_order(order_id)
                    for r in uow.refunds.for_payment(p.id)]

    def record_dispute(self, gateway: str, reference: str, dispute_id: str, *,
                       amount: Money | None = None, reason: str = "") -> str | None:
        """A gateway's chargeback notification: recorded once per `dispute_id`; the payment's
        id, or None when no payment has `reference`."""
        result = self._handle(RecordDispute(gateway, reference, dispute_id, amount, reason))
        return None if result is None else str(result)

    def close_dispute(self, payment_id: str, dispute_id: str, outcome: str) -> str:
        """Finance records the decision: `won` or `lost` (a lost one counts as refunded)."""
        return str(self._handle(CloseDispute(payment_id, dispute_id, outcome)))

    def disputes(self, payment_id: str) -> list[Dispute]:
        return list(self.get(payment_id).disputes)
