"""The cart as a shopper sees it: lines priced by the price engine, with totals."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from commerce_core.cart.model import Cart
from commerce_core.cart.ports import ProductLookup
from commerce_core.pricing.engine import PriceBreakdown
from commerce_core.shared.money import Money, total


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
    breakdown: PriceBreakdown | None = None


def cart_view(cart: Cart, lookup: ProductLookup,
              breakdown: PriceBreakdown | None = None) -> CartView:
    """Lines the engine priced (`breakdown`, at the quote stage) show its unit price and
    totals; a line whose SKU is no longer sold keeps its snapshot price for display, is flagged
    unavailable (checkout refuses it) and counts in no total. Without a breakdown (nothing
    sellable to price) every total is the snapshot subtotal. Tax stays pending until the
    shipping destination is known."""
    current = lookup.lookup({line.sku for line in cart.lines}) if cart.lines else {}
    priced = {ln.line_id: ln for ln in breakdown.lines} if breakdown else {}
    lines = []
    for line in cart.lines:
        item = current.get(line.sku)
        engine = priced.get(line.id)
        if engine is not None:
            unit_price, line_total = engine.unit_price, engine.subtotal
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
        "id": cart.id, "customer_id": cart.customer_id, "status": cart.status.value,
        "currency": cart.currency, "version": cart.version, "order_id": cart.order_id,
        "lines": tuple(lines), "item_count": sum(line.quantity for line in lines),
        "coupon_codes": tuple(cart.coupon_codes),
    }
    if breakdown is None:
        subtotal = total([line.line_total for line in lines], cart.currency)
        return CartView(subtotal=subtotal, discount_total=zero, shipping_total=zero,
                        tax_total=zero, total=subtotal, **common)
    t = breakdown.totals
    return CartView(
        subtotal=t.subtotal, discount_total=t.discount_total + t.shipping_discount,
        shipping_total=t.shipping, tax_total=t.tax_added, total=t.total,
        tax_status=breakdown.tax_status.value, breakdown=breakdown, **common,
    )
