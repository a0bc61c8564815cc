"""Payment records in memory (the scripted gateway is in `payments.py`)."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment


class InMemoryPaymentRepository(_Repository):
    kind = "payment"
    not_found = PaymentNotFound
    indexed = (("order", lambda p: [p.order_id]),)

    def for_order(self, order_id: str) -> list[Payment]:
        rows = sorted(self._by("order", order_id),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]
