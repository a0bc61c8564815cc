"""The cart as a shopper sees it: lines priced by the price engine, with totals.

The view takes neutral prices per line (`CartPrices`), not the engine's breakdown, so the cart's
read model does not follow the engine's structure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from commerce_core.catalog.queries import SellableItem
from commerce_core.shared.money import Money, total


@frozen
class CartLineSnapshot:
    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money  # the list price when the line was last added to (display only)
    warehouse_id: str | None


@frozen
class MergedLineResult:
    """What merging did to one guest line: `kept` units of the `requested` ones (fewer when the
    line would pass 99 units, none when the cart already holds 100 lines)."""

    sku: str
    warehouse_id: str | None
    requested: int
    kept: int


@frozen
class CartMergeResult:
    """Where the guest cart's lines went (`cart_id`, the customer's cart now) and what became
    of each: `kept` below `requested` when a limit cut it."""

    cart_id: str
    merged_from: str
    lines: tuple[MergedLineResult, ...]

    @property
    def capped(self) -> tuple[MergedLineResult, ...]:
        return tuple(line for line in self.lines if line.kept < line.requested)


@frozen
class CartSnapshot:
    """A cart as it is stored now, for reading: what checkout prices and freezes, and what the
    shopper's view is built from."""

    id: str
    customer_id: str | None
    currency: str
    status: str  # active, checkout, completed
    version: int
    order_id: str | None
    lines: tuple[CartLineSnapshot, ...]
    coupon_codes: tuple[str, ...]

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def in_checkout(self) -> bool:
        return self.status == "checkout"

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"


@frozen
class CartAccess:
    """Who may reach a cart (and the checkouts and order made from it): its customer, or a
    guest presenting the token whose SHA-256 is `access_token_hash`."""

    cart_id: str
    customer_id: str | None
    access_token_hash: str | None


@frozen
class CartLineView:
    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    line_total: Money
    warehouse_id: str | None
    available: bool
    price_changed: bool


@frozen
class CartView:
    id: str
    customer_id: str | None
    status: str
    currency: str
    version: int
    order_id: str | None
    lines: tuple[CartLineView, ...]
    subtotal: Money
    discount_total: Money
    shipping_total: Money
    tax_total: Money
    total: Money
    item_count: int
    coupon_codes: tuple[str, ...] = ()
    tax_status: str = "pending"


@frozen
class PricedLine:
    unit_price: Money  # after sale prices and price rules
    line_total: Money


@frozen
class CartPrices:
    """What the price engine charges for a cart, line by line and in total."""

    lines: Mapping[str, PricedLine]  # by cart line id; lines not for sale are absent
    subtotal: Money
    discount_total: Money
    shipping_total: Money
    tax_total: Money
    total: Money
    tax_status: str


def cart_view(cart: CartSnapshot, items: Mapping[str, SellableItem],
              prices: CartPrices | None = None) -> CartView:
    """Lines the engine priced (at the quote stage) show its unit price and totals; a line
    whose SKU is no longer sold keeps its snapshot price for display, is flagged unavailable
    (checkout refuses it) and counts in no total. Without prices (nothing sellable to price)
    every total is the snapshot subtotal. Tax stays pending until the shipping destination is
    known."""
    priced = prices.lines if prices else {}
    lines = []
    for line in cart.lines:
        item = items.get(line.sku)
        engine = priced.get(line.id)
        if engine is not None:
            unit_price, line_total = engine.unit_price, engine.line_total
        else:
            unit_price = item.unit_price if item is not None else line.unit_price
            line_total = unit_price * line.quantity
        lines.append(
            CartLineView(
                id=line.id, sku=line.sku, product_id=line.product_id, name=line.name,
                quantity=line.quantity, unit_price=unit_price, line_total=line_total,
                warehouse_id=line.warehouse_id,
                available=item is not None and item.available,
                price_changed=unit_price != line.unit_price,
            )
        )
    zero = Money.zero(cart.currency)
    common: dict[str, Any] = {
        "id": cart.id, "customer_id": cart.customer_id, "status": cart.status,
        "currency": cart.currency, "version": cart.version, "order_id": cart.order_id,
        "lines": tuple(lines), "item_count": sum(line.quantity for line in lines),
        "coupon_codes": tuple(cart.coupon_codes),
    }
    if prices is None:
        subtotal = total([line.line_total for line in lines], cart.currency)
        return CartView(subtotal=subtotal, discount_total=zero, shipping_total=zero,
                        tax_total=zero, total=subtotal, **common)
    return CartView(
        subtotal=prices.subtotal, discount_total=prices.discount_total,
        shipping_total=prices.shipping_total, tax_total=prices.tax_total, total=prices.total,
        tax_status=prices.tax_status, **common,
    )
