"""Order storage: the order row, its lines and its status history."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import (
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
from commerce_core.shared.money import Money


def _order_row(order: Order) -> Values:
    totals = order.totals
    return {
        "id": order.id,
        "number": order.number,
        "checkout_id": order.checkout_id,
        "cart_id": order.cart_id,
        "customer_id": order.customer_id,
        "email": order.email,
        "status": order.status.value,
        # Every amount of an order is in its currency (`Order.place` checks it).
        "currency": order.currency,
        "subtotal_amount": totals.subtotal.amount,
        "discount_amount": totals.discount.amount,
        "shipping_amount": totals.shipping.amount,
        "tax_amount": totals.tax.amount,
        "total_amount": totals.total.amount,
        "payment_method": order.payment_method,
        "payment_id": order.payment_id,
        "cancel_reason": order.cancel_reason,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def _order_children(order: Order) -> ChildRows:
    return {
        order_lines.name: [
            {
                "order_id": order.id,
                "position": position,
                "line_id": line.id,
                "sku": line.sku,
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_amount": line.unit_price.amount,
                "line_total_amount": line.line_total.amount,
                "currency": line.unit_price.currency,
                "warehouse_id": line.warehouse_id,
                "reservation_id": line.reservation_id,
            }
            for position, line in enumerate(order.lines)
        ],
        # The warehouse parts of each line, in line order (lines written before 0002 have none
        # and read as one part: their own warehouse and reservation).
        order_line_allocations.name: [
            {
                "order_id": order.id,
                "position": position,
                "line_id": line_id,
                "warehouse_id": part.warehouse_id,
                "reservation_id": part.reservation_id,
                "quantity": part.quantity,
            }
            for position, (line_id, part) in enumerate(
                (line.id, part) for line in order.lines for part in line.allocations)
        ],
        order_status_history.name: [
            {
                "order_id": order.id,
                "position": position,
                "from_status": None if change.from_status is None else change.from_status.value,
                "to_status": change.to_status.value,
                "reason": change.reason,
                "changed_by": change.changed_by,
                "changed_at": change.changed_at,
            }
            for position, change in enumerate(order.history)
        ],
    }


def _order_from(row: Row, children: LoadedChildren) -> Order:
    def money(amount: int) -> Money:
        return Money(amount, row.currency)

    parts: dict[str, list[LineAllocation]] = {}
    for part in children[order_line_allocations.name]:
        parts.setdefault(part.line_id, []).append(
            LineAllocation(part.warehouse_id, part.reservation_id, part.quantity))

    return Order(
        id=row.id,
        number=row.number,
        checkout_id=row.checkout_id,
        cart_id=row.cart_id,
        customer_id=row.customer_id,
        email=row.email,
        status=OrderStatus(row.status),
        currency=row.currency,
        lines=[
            OrderLine(
                id=line.line_id,
                sku=line.sku,
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                unit_price=Money(line.unit_price_amount, line.currency),
                line_total=Money(line.line_total_amount, line.currency),
                warehouse_id=line.warehouse_id,
                reservation_id=line.reservation_id,
                allocations=tuple(parts.get(line.line_id, ())),
            )
            for line in children[order_lines.name]
        ],
        totals=Totals(
            subtotal=money(row.subtotal_amount),
            discount=money(row.discount_amount),
            shipping=money(row.shipping_amount),
            tax=money(row.tax_amount),
            total=money(row.total_amount),
        ),
        payment_method=row.payment_method,
        payment_id=row.payment_id,
        history=[
            StatusChange(
                from_status=None if change.from_status is None
                else OrderStatus(change.from_status),
                to_status=OrderStatus(change.to_status),
                reason=change.reason,
                changed_by=change.changed_by,
                changed_at=change.changed_at,
            )
            for change in children[order_status_history.name]
        ],
        created_at=row.created_at,
        updated_at=row.updated_at,
        cancel_reason=row.cancel_reason,
        version=row.version,
    )


ORDERS = AggregateMap[Order](
    kind="order",
    table=orders,
    children=(order_lines, order_line_allocations, order_status_history),
    not_found=OrderNotFound,
    to_row=_order_row,
    to_children=_order_children,
    from_rows=_order_from,
)

_o = orders.c
_BY_NUMBER = sa.select(orders).where(_o.number == sa.bindparam("number"))
_BY_CHECKOUT = sa.select(orders).where(_o.checkout_id == sa.bindparam("checkout_id"))


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
