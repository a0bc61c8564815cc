"""Checkout sagas in memory."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import RELEASED_KEY_PREFIX, CheckoutSaga, SagaStatus
from commerce_core.shared.errors import ConcurrencyConflict


class InMemoryCheckoutSagaRepository(_Repository):
    kind = "checkout"
    not_found = CheckoutNotFound
    # A reused key is a concurrent duplicate of one request, exactly as the SQL unique index says.
    unique = (("idempotency key", lambda s: [s.idempotency_key], ConcurrencyConflict),)

    def by_key(self, idempotency_key: str) -> CheckoutSaga | None:
        rows = self._by("idempotency key", idempotency_key)
        return self._load(rows[0]) if rows else None

    def keys_to_release(self, created_before: datetime, limit: int) -> list[str]:
        rows = sorted(
            (r for r in self._all()
             if r.status in (SagaStatus.COMPLETED, SagaStatus.FAILED)
             and r.created_at <= created_before
             and not r.idempotency_key.startswith(RELEASED_KEY_PREFIX)),
            key=lambda r: (r.created_at, r.id),
        )
        return [r.id for r in rows[:limit]]

    def stale(self, now: datetime, limit: int) -> list[str]:
        rows = sorted(
            (r for r in self._all()
             if r.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING)
             and r.lease_until <= now),
            key=lambda r: (r.created_at, r.id),
        )
        return [r.id for r in rows[:limit]]
