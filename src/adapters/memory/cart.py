"""Carts in memory."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.cart.errors import CartNotFound
from commerce_core.cart.model import Cart, CartStatus


class InMemoryCartRepository(_Repository):
    kind = "cart"
    not_found = CartNotFound
    indexed = (("customer", lambda c: [c.customer_id] if c.customer_id else []),)

    def active_for(self, customer_id: str) -> Cart | None:
        active = [c for c in self._by("customer", customer_id)
                  if c.status is CartStatus.ACTIVE]
        if not active:
            return None
        latest = max(active, key=lambda c: (c.updated_at, c.id))
        found: Cart = self._load(latest)
        return found
