"""The cart as a shopper sees it: lines re-priced from the catalog, with totals."""

from __future__ import annotations

from attrs import frozen

from commerce_core.cart.model import Cart
from commerce_core.cart.ports import ProductLookup
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


def cart_view(cart: Cart, lookup: ProductLookup) -> CartView:
    """Totals use today's list prices; a line whose SKU is no longer sold keeps its snapshot
    price for display but is flagged unavailable (checkout refuses it).

    Discounts, shipping and tax are zero until the pricing, shipping and tax contexts land.
    """
    current = lookup.lookup({line.sku for line in cart.lines}) if cart.lines else {}
    lines = []
    for line in cart.lines:
        item = current.get(line.sku)
        unit_price = item.unit_price if item is not None else line.unit_price
        lines.append(
            CartLineView(
                id=line.id, sku=line.sku, product_id=line.product_id, name=line.name,
                quantity=line.quantity, unit_price=unit_price,
                line_total=unit_price * line.quantity, warehouse_id=line.warehouse_id,
                available=item is not None and item.available,
                price_changed=unit_price != line.unit_price,
            )
        )
    subtotal = total([line.line_total for line in lines], cart.currency)
    zero = Money.zero(cart.currency)
    return CartView(
        id=cart.id, customer_id=cart.customer_id, status=cart.status.value,
        currency=cart.currency, version=cart.version, order_id=cart.order_id,
        lines=tuple(lines), subtotal=subtotal, discount_total=zero, shipping_total=zero,
        tax_total=zero, total=subtotal, item_count=sum(line.quantity for line in lines),
    )
