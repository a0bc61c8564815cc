"""Cart: the shopper's quote of lines, re-priced from the catalog whenever it is shown."""

from commerce_core.cart.commands import AddCartItem, CreateCart, RemoveCartItem, UpdateCartItem
from commerce_core.cart.model import Cart, CartLine, CartStatus
from commerce_core.cart.queries import CartLineView, CartView

__all__ = [
    "AddCartItem",
    "Cart",
    "CartLine",
    "CartLineView",
    "CartStatus",
    "CartView",
    "CreateCart",
    "RemoveCartItem",
    "UpdateCartItem",
]
