"""The cart as the price engine reads it, and the engine's answer as the cart shows it."""

from __future__ import annotations

from collections.abc import Mapping

from commerce_core.cart.queries import CartPrices, CartSnapshot, PricedLine
from commerce_core.catalog.queries import SellableItem
from commerce_core.pricing.ports import TaxDestination
from commerce_core.pricing.queries import (
    CartLineInput,
    PriceBreakdown,
    PricingInput,
    ShippingSelection,
)


def pricing_input(
    cart: CartSnapshot,
    items: Mapping[str, SellableItem],
    *,
    destination: TaxDestination | None = None,
    shipping: ShippingSelection | None = None,
    payment_method: str | None = None,
) -> PricingInput:
    """The cart's lines whose SKU `items` holds, with the catalog facts rules, promotions and tax
    look at (categories, brand, tax class, attributes); other lines are left out."""
    lines = []
    for line in cart.lines:
        item = items.get(line.sku)
        if item is None:
            continue
        lines.append(CartLineInput(
            line_id=line.id, product_id=item.product_id, quantity=line.quantity, sku=line.sku,
            warehouse_id=line.warehouse_id, category_ids=item.category_ids,
            brand_id=item.brand_id, tax_class=item.tax_class, attributes=item.attributes,
        ))
    return PricingInput(cart.currency, tuple(lines), tuple(cart.coupon_codes), shipping,
                        destination, payment_method)


def cart_prices(breakdown: PriceBreakdown) -> CartPrices:
    t = breakdown.totals
    return CartPrices(
        lines={ln.line_id: PricedLine(ln.unit_price, ln.subtotal) for ln in breakdown.lines},
        subtotal=t.subtotal, discount_total=t.discount_total + t.shipping_discount,
        shipping_total=t.shipping, tax_total=t.tax_added, total=t.total,
        tax_status=breakdown.tax_status.value,
    )
