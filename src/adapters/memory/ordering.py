"""Orders in memory."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.shared.errors import ConcurrencyConflict


class InMemoryOrderRepository(_Repository):
    kind = "order"
    not_found = OrderNotFound
    unique = (("checkout", lambda o: [o.checkout_id], ConcurrencyConflict),)
    indexed = (("number", lambda o: [o.number]),)

    def by_number(self, number: str) -> Order | None:
        rows = self._by("number", number)
        return self._load(rows[0]) if rows else None

    def by_checkout(self, checkout_id: str) -> Order | None:
        rows = self._by("checkout", checkout_id)
        return self._load(rows[0]) if rows else None

    def guest_orders(self, email: str) -> list[Order]:
        wanted = email.strip().lower()
        rows = sorted((r for r in self._all()
                       if r.customer_id is None and (r.email or "").lower() == wanted),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def list(
        self, *, status: OrderStatus | None = None, customer_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> list[Order]:
        rows = sorted(
            (r for r in self._all()
             if (status is None or r.status is status)
             and (customer_id is None or r.customer_id == customer_id)),
            key=lambda r: (r.created_at, r.id), reverse=True,
        )
        return [self._load(r) for r in rows[offset:offset + limit]]
