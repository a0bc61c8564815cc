"""`commerce.payments`: capturing and reading payments as plain methods."""

from __future__ import annotations

from commerce_core.payment.commands import CapturePayment
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import PaymentUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class PaymentsApi:
    """Payments of orders."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[PaymentUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def capture(self, order_id: str) -> str:
        return str(self._handle(CapturePayment(order_id)))

    def for_order(self, order_id: str) -> list[Payment]:
        with self._read() as uow:
            return uow.payments.for_order(order_id)
