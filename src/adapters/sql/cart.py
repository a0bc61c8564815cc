"""Cart storage: the cart row and its lines."""

from __future__ import annotations

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.pricing_tables import cart_coupons
from adapters.sql.tables import cart_lines, carts
from commerce_core.cart.errors import CartNotFound
from commerce_core.cart.model import Cart, CartLine, CartStatus
from commerce_core.shared.money import Money


def _cart_row(cart: Cart) -> Values:
    return {
        "id": cart.id,
        "customer_id": cart.customer_id,
        "currency": cart.currency,
        "status": cart.status.value,
        "order_id": cart.order_id,
        "created_at": cart.created_at,
        "updated_at": cart.updated_at,
    }


def _cart_children(cart: Cart) -> ChildRows:
    return {
        cart_lines.name: [
            {
                "cart_id": cart.id,
                "position": position,
                "line_id": line.id,
                "sku": line.sku,
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_amount": line.unit_price.amount,
                "currency": line.unit_price.currency,
                "warehouse_id": line.warehouse_id,
                "added_at": line.added_at,
            }
            for position, line in enumerate(cart.lines)
        ],
        cart_coupons.name: [
            {"cart_id": cart.id, "position": position, "code": code}
            for position, code in enumerate(cart.coupon_codes)
        ],
    }


def _cart_from(row: Row, children: LoadedChildren) -> Cart:
    return Cart(
        id=row.id,
        customer_id=row.customer_id,
        currency=row.currency,
        status=CartStatus(row.status),
        lines=[
            CartLine(
                id=line.line_id,
                sku=line.sku,
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                unit_price=Money(line.unit_price_amount, line.currency),
                warehouse_id=line.warehouse_id,
                added_at=line.added_at,
            )
            for line in children[cart_lines.name]
        ],
        order_id=row.order_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        coupon_codes=[c.code for c in children[cart_coupons.name]],
    )


CARTS = AggregateMap[Cart](
    kind="cart",
    table=carts,
    children=(cart_lines, cart_coupons),
    not_found=CartNotFound,
    to_row=_cart_row,
    to_children=_cart_children,
    from_rows=_cart_from,
)


class SqlCartRepository(AggregateRepository[Cart]):
    """Carts are only ever read by id."""
