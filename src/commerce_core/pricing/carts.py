"""A cart as the price engine reads it: its lines with the catalog facts rules, promotions and
tax look at (categories, brand, tax class, attributes), and its coupon codes.

Product attributes `brand` and `tax_class` fill the line's brand and tax class; a variant's own
attributes override its product's.
"""

from __future__ import annotations

from collections.abc import Mapping

from commerce_core.cart.model import Cart
from commerce_core.catalog.model import Product
from commerce_core.pricing.engine import CartLineInput, PricingInput, ShippingSelection
from commerce_core.tax.model import TaxDestination


def cart_input(
    cart: Cart,
    products: Mapping[str, Product],
    *,
    destination: TaxDestination | None = None,
    shipping: ShippingSelection | None = None,
    payment_method: str | None = None,
) -> PricingInput:
    """The cart's lines whose SKU `products` knows (by SKU); others are left out."""
    lines = []
    for line in cart.lines:
        product = products.get(line.sku)
        if product is None:
            continue
        attributes = {**product.attributes, **product.variant(line.sku).attributes}
        lines.append(CartLineInput(
            line_id=line.id, product_id=product.id, quantity=line.quantity, sku=line.sku,
            warehouse_id=line.warehouse_id, category_ids=tuple(product.category_ids),
            brand_id=attributes.get("brand"), tax_class=attributes.get("tax_class"),
            attributes=attributes,
        ))
    return PricingInput(cart.currency, tuple(lines), tuple(cart.coupon_codes), shipping,
                        destination, payment_method)
