"""Payment records in memory (the scripted gateway is in `payments.py`)."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.payment.errors import PaymentNotFound, RefundNotFound, TenderNotFound
from commerce_core.payment.model import CAPTURABLE, Payment, Refund
from commerce_core.payment.tenders import Tender
from commerce_core.shared.errors import ConcurrencyConflict


class InMemoryPaymentRepository(_Repository):
    kind = "payment"
    not_found = PaymentNotFound
    indexed = (("order", lambda p: [p.order_id]),
               ("reference", lambda p: [f"{p.gateway}\x1f{p.reference}"] if p.reference else []))

    def for_order(self, order_id: str) -> list[Payment]:
        rows = sorted(self._by("order", order_id),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def by_reference(self, gateway: str, reference: str) -> Payment | None:
        rows = self._by("reference", f"{gateway}\x1f{reference}")
        return self._load(rows[0]) if rows else None

    def captures_due(self, now: datetime, limit: int) -> list[str]:
        due = sorted((r for r in self._all()
                      if r.capture_pending and r.capture_retry_at is not None
                      and r.capture_retry_at <= now), key=lambda r: r.capture_retry_at)
        return [r.id for r in due[:limit]]

    def authorized_before(self, gateway: str, cutoff: datetime, limit: int) -> list[Payment]:
        held = sorted((r for r in self._all() if r.status in CAPTURABLE and r.gateway == gateway
                       and r.authorized_at is not None and r.authorized_at < cutoff),
                      key=lambda r: r.authorized_at)
        return [self._load(r) for r in held[:limit]]


class InMemoryRefundRepository(_Repository):
    kind = "refund"
    not_found = RefundNotFound
    # A reused key is a concurrent duplicate of one request, as the SQL unique index says.
    unique = (("idempotency key", lambda r: [r.idempotency_key], ConcurrencyConflict),)
    indexed = (("payment", lambda r: [r.payment_id]),)

    def by_key(self, idempotency_key: str) -> Refund | None:
        rows = self._by("idempotency key", idempotency_key)
        return self._load(rows[0]) if rows else None

    def for_payment(self, payment_id: str) -> list[Refund]:
        rows = sorted(self._by("payment", payment_id), key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]


class InMemoryTenderRepository(_Repository):
    kind = "tender"
    not_found = TenderNotFound
    indexed = (("order", lambda t: [t.order_id]),)

    def of_order(self, order_id: str) -> list[Tender]:
        rows = sorted(self._by("order", order_id), key=lambda t: (t.created_at, t.id))
        return [self._load(t) for t in rows]
