"""Carts in memory."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.cart.errors import CartNotFound


class InMemoryCartRepository(_Repository):
    kind = "cart"
    not_found = CartNotFound
