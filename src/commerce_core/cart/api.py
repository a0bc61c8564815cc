"""`commerce.cart`: the shopper's cart as plain methods, priced by the engine when shown."""

from __future__ import annotations

from commerce_core.cart.commands import (
    AddCartItem,
    ApplyCoupon,
    CreateCart,
    MergeGuestCart,
    RemoveCartItem,
    RemoveCoupon,
    UpdateCartItem,
)
from commerce_core.cart.ports import CartUnitOfWork
from commerce_core.cart.pricing import cart_prices, pricing_input
from commerce_core.cart.queries import (
    CartAccess,
    CartMergeResult,
    CartSnapshot,
    CartView,
    cart_view,
)
from commerce_core.cart.services import snapshot
from commerce_core.catalog import services as catalog
from commerce_core.catalog.queries import SellableItem
from commerce_core.pricing.ports import TaxDestination
from commerce_core.pricing.queries import (
    CustomerContext,
    PriceBreakdown,
    ShippingSelection,
    explain,
)
from commerce_core.pricing.services import CartPricer
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class CartApi:
    """Carts: lines, coupons, and the cart priced as the shopper sees it now."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[CartUnitOfWork],
                 pricer: CartPricer) -> None:
        self._handle, self._read, self._pricer = handle, read, pricer

    def create(self, currency: str, customer_id: str | None = None, *,
               access_token_hash: str | None = None) -> str:
        return str(self._handle(CreateCart(currency, customer_id, access_token_hash)))

    def access(self, cart_id: str) -> CartAccess:
        """Who may reach the cart; `CartNotFound` for an unknown cart."""
        with self._read() as uow:
            cart = uow.carts.get(cart_id)
            return CartAccess(cart.id, cart.customer_id, cart.access_token_hash)

    def merge(self, guest_cart_id: str, customer_id: str) -> CartMergeResult:
        """On sign-in: the guest cart's lines join the customer's active cart (quantities
        added up to 99 a line, at most 100 lines; what was cut is reported) and the guest cart
        closes; without an active cart the guest cart becomes theirs."""
        result: CartMergeResult = self._handle(MergeGuestCart(guest_cart_id, customer_id))
        return result

    def add_item(self, cart_id: str, sku: str, quantity: int,
                 warehouse_id: str | None = None) -> str:
        return str(self._handle(AddCartItem(cart_id, sku, quantity, warehouse_id)))

    def update_item(self, cart_id: str, line_id: str, quantity: int) -> None:
        self._handle(UpdateCartItem(cart_id, line_id, quantity))

    def remove_item(self, cart_id: str, line_id: str) -> None:
        self._handle(RemoveCartItem(cart_id, line_id))

    def apply_coupon(self, cart_id: str, code: str) -> str:
        return str(self._handle(ApplyCoupon(cart_id, code)))

    def remove_coupon(self, cart_id: str, code: str) -> None:
        self._handle(RemoveCoupon(cart_id, code))

    def get(self, cart_id: str) -> CartView:
        """The cart priced by the engine (quote stage: tax pending until the address is known);
        the cart and its products are read once."""
        cart, items = self._load(cart_id)
        prices = cart_prices(self._quote(cart, _sellable(items), None, None)) \
            if cart.lines else None
        return cart_view(cart, items, prices)

    def price(self, cart_id: str, *, destination: TaxDestination | None = None,
              shipping: ShippingSelection | None = None) -> PriceBreakdown:
        """The engine's breakdown of the cart's sellable lines as a shopper sees it now (quote
        stage): tax pending until `destination` (or the policy's quote destination) is known."""
        cart, items = self._load(cart_id)
        return self._quote(cart, _sellable(items), destination, shipping)

    def explain(self, cart_id: str, *,
                destination: TaxDestination | None = None) -> list[str]:
        """How each line's price came about, as text."""
        return explain(self.price(cart_id, destination=destination))

    def _load(self, cart_id: str) -> tuple[CartSnapshot, dict[str, SellableItem]]:
        with self._read() as uow:
            cart = snapshot(uow.carts.get(cart_id))
            items = catalog.sellable(uow, {line.sku for line in cart.lines}) \
                if cart.lines else {}
        return cart, items

    def _quote(self, cart: CartSnapshot, sellable: dict[str, SellableItem],
               destination: TaxDestination | None,
               shipping: ShippingSelection | None) -> PriceBreakdown:
        return self._pricer.quote(
            pricing_input(cart, sellable, destination=destination, shipping=shipping),
            CustomerContext(customer_id=cart.customer_id),
        )


def _sellable(items: dict[str, SellableItem]) -> dict[str, SellableItem]:
    return {sku: item for sku, item in items.items() if item.available}
