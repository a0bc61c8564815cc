"""What the cart needs: its storage, and the catalog's products it reads its lines' items from
(`catalog.services.sellable`, in the cart's own transaction)."""

from __future__ import annotations

from typing import Protocol

from commerce_core.cart.model import Cart
from commerce_core.catalog.ports import ProductReadUnitOfWork


class CartRepository(Protocol):
    def add(self, cart: Cart) -> None: ...

    def get(self, cart_id: str) -> Cart:
        """The cart, or `CartNotFound`."""
        ...

    def active_for(self, customer_id: str) -> Cart | None:
        """The customer's most recently updated active cart, if any."""
        ...


class CartUnitOfWork(ProductReadUnitOfWork, Protocol):
    @property
    def carts(self) -> CartRepository: ...

