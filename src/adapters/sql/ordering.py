"""Order storage: the order row, its lines and its status history."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, children, column, flat, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.ordering import (
    order_line_allocations,
    order_lines,
    order_status_history,
    orders,
)
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import (
    LineAllocation,
    Order,
    OrderLine,
    OrderStatus,
    StatusChange,
    Totals,
)
from commerce_core.shared.address import PostalAddress

ORDERS = AggregateMap[Order](
    kind="order",
    not_found=OrderNotFound,
    codec=RowCodec(
        Order, orders,
        status=by_value(OrderStatus),
        lines=children(
            order_lines, OrderLine,
            id=column("line_id"), unit_price=money(), line_total=money(),
            # The warehouse parts of each line (lines written before 0002 have none and read as
            # one part: their own warehouse and reservation).
            allocations=children(order_line_allocations, LineAllocation, link=("line_id", "id")),
        ),
        # Every amount of an order is in its currency (`Order.place` checks it).
        totals=flat(Totals, subtotal=money(), discount=money(), shipping=money(), tax=money(),
                    total=money()),
        history=children(order_status_history, StatusChange,
                         from_status=by_value(OrderStatus), to_status=by_value(OrderStatus)),
        ship_to=column(store=PostalAddress.to_dict, load=PostalAddress.from_dict),
        events=IGNORED,
    ),
)

_o = orders.c
_BY_NUMBER = sa.select(orders).where(_o.number == sa.bindparam("number"))
_BY_CHECKOUT = sa.select(orders).where(_o.checkout_id == sa.bindparam("checkout_id"))
_GUEST = (sa.select(orders)
          .where(_o.customer_id.is_(None), sa.func.lower(_o.email) == sa.bindparam("email"))
          .order_by(_o.created_at, CodePointOrder(_o.id)))


def _order_list(by_status: bool, by_customer: bool) -> sa.Select[tuple[object, ...]]:
    statement = sa.select(orders)
    if by_status:
        statement = statement.where(_o.status == sa.bindparam("status"))
    if by_customer:
        statement = statement.where(_o.customer_id == sa.bindparam("customer_id"))
    return (
        statement.order_by(_o.created_at.desc(), CodePointOrder(_o.id).desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


_ORDER_LISTS = {
    (by_status, by_customer): _order_list(by_status, by_customer)
    for by_status in (False, True)
    for by_customer in (False, True)
}


class SqlOrderRepository(AggregateRepository[Order]):
    def by_number(self, number: str) -> Order | None:
        return self._store.first(_BY_NUMBER, {"number": number})

    def by_checkout(self, checkout_id: str) -> Order | None:
        return self._store.first(_BY_CHECKOUT, {"checkout_id": checkout_id})

    def guest_orders(self, email: str) -> list[Order]:
        return self._store.all(_GUEST, {"email": email.strip().lower()})

    def list(
        self,
        *,
        status: OrderStatus | None = None,
        customer_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Order]:
        params: dict[str, object] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status.value
        if customer_id is not None:
            params["customer_id"] = customer_id
        statement = _ORDER_LISTS[status is not None, customer_id is not None]
        return self._store.all(statement, params)
