"""Cart storage: the cart row and its lines."""

from __future__ import annotations

import sqlalchemy as sa

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


_ACTIVE_FOR = (
    sa.select(carts)
    .where(carts.c.customer_id == sa.bindparam("customer_id"),
           carts.c.status == CartStatus.ACTIVE.value)
    .order_by(carts.c.updated_at.desc(), carts.c.id.desc())
    .limit(1)
)


class SqlCartRepository(AggregateRepository[Cart]):
    """Carts are read by id, and a customer's active cart when a guest cart merges in."""

    def active_for(self, customer_id: str) -> Cart | None:
        return self._store.first(_ACTIVE_FOR, {"customer_id": customer_id})
