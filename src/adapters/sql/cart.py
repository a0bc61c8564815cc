"""Cart storage: the cart row and its lines."""

from __future__ import annotations

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, child_values, children, column, money
from adapters.sql.tables.cart import cart_coupons, cart_lines, carts
from commerce_core.cart.errors import CartNotFound
from commerce_core.cart.model import Cart, CartLine, CartStatus

CARTS = AggregateMap[Cart](
    kind="cart",
    not_found=CartNotFound,
    codec=RowCodec(
        Cart, carts,
        status=by_value(CartStatus),
        lines=children(cart_lines, CartLine, id=column("line_id"), unit_price=money()),
        coupon_codes=child_values(cart_coupons, "code"),
        events=IGNORED,
    ),
)


class SqlCartRepository(AggregateRepository[Cart]):
    """Carts are only ever read by id."""
