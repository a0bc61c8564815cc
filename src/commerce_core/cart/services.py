"""What the cart offers other contexts inside their own transaction: the checkout's view of a
cart and the three moves checkout makes on it (begin, complete, reopen)."""

from __future__ import annotations

from datetime import datetime

from commerce_core.cart.model import Cart
from commerce_core.cart.ports import CartUnitOfWork
from commerce_core.cart.pricing import pricing_input
from commerce_core.cart.queries import CartLineSnapshot, CartSnapshot
from commerce_core.shared.money import Money

__all__ = [
    "begin_checkout", "complete", "for_checkout", "pricing_input", "reopen", "snapshot",
]


def snapshot(cart: Cart) -> CartSnapshot:
    return CartSnapshot(
        id=cart.id, customer_id=cart.customer_id, currency=cart.currency,
        status=cart.status.value, version=cart.version, order_id=cart.order_id,
        lines=tuple(CartLineSnapshot(ln.id, ln.sku, ln.product_id, ln.name, ln.quantity,
                                     ln.unit_price, ln.warehouse_id) for ln in cart.lines),
        coupon_codes=tuple(cart.coupon_codes),
    )


def for_checkout(uow: CartUnitOfWork, cart_id: str) -> CartSnapshot:
    """The cart as it is now, or `CartNotFound`."""
    return snapshot(uow.carts.get(cart_id))


def begin_checkout(uow: CartUnitOfWork, cart_id: str, *, now: datetime) -> None:
    """Freeze the cart's lines while an order is placed from them."""
    uow.carts.get(cart_id).begin_checkout(now=now)


def complete(uow: CartUnitOfWork, cart_id: str, order_id: str, total: Money, *,
             now: datetime) -> None:
    """The cart became this order; it never changes again."""
    uow.carts.get(cart_id).complete(order_id, total, now=now)


def reopen(uow: CartUnitOfWork, cart_id: str, reason: str, *, now: datetime) -> None:
    """The checkout failed: the shopper may edit the cart and try again."""
    uow.carts.get(cart_id).reopen(reason, now=now)

