"""Payment records in memory (the scripted gateway is in `payments.py`)."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment


class InMemoryPaymentRepository(_Repository):
    kind = "payment"
    not_found = PaymentNotFound

    def for_order(self, order_id: str) -> list[Payment]:
        rows = sorted((r for r in self._all() if r.order_id == order_id),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]
