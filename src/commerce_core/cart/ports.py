"""What the cart needs: its storage, and a narrow view of the catalog's sellable items."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from attrs import frozen

from commerce_core.cart.model import Cart
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork


@frozen
class SellableItem:
    """A SKU as the catalog offers it now: its product, display name and list price."""

    sku: str
    product_id: str
    name: str
    unit_price: Money
    available: bool  # published and sellable


class ProductLookup(Protocol):
    """Current sellable data for SKUs; unknown SKUs are absent from the result. It never
    invents a price: a SKU without one is absent, so no line is ever priced at 0 by mistake."""

    def lookup(self, skus: Collection[str]) -> dict[str, SellableItem]: ...


class CartRepository(Protocol):
    def add(self, cart: Cart) -> None: ...

    def attach(self, cart: Cart) -> Cart:
        """Adopt a Cart an earlier unit of work committed, without reading it again; its
        changes are written under the version it carries, so a change made meanwhile by someone
        else raises `ConcurrencyConflict` on commit."""
        ...

    def get(self, cart_id: str) -> Cart:
        """The cart, or `CartNotFound`."""
        ...


class CartUnitOfWork(UnitOfWork, Protocol):
    carts: CartRepository
