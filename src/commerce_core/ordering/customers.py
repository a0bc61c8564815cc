"""Ordering's answer to the customer context's `CustomerOrders` port: a customer's orders, those
still in progress, and what they spent (the composition root injects it into customer)."""

from __future__ import annotations

from commerce_core.customer.ports import OrderFacts
from commerce_core.ordering.model import OrderStatus
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.uow import UnitOfWorkFactory

S = OrderStatus
# Still moving: money or goods are on their way, so the account must stay.
IN_PROGRESS = frozenset({S.PENDING, S.CONFIRMED, S.PAID, S.PROCESSING, S.PARTIALLY_SHIPPED,
                         S.SHIPPED})
SPENT = frozenset({S.DELIVERED, S.COMPLETED, S.PARTIALLY_RETURNED})
_PAGE = 200


class OrdersOfCustomer:
    def __init__(self, uow: UnitOfWorkFactory[OrderingUnitOfWork], currency: str = "VND") -> None:
        self._uow, self._currency = uow, currency

    def facts(self, customer_id: str) -> OrderFacts:
        ids: list[str] = []
        active: list[str] = []
        spent = 0
        offset = 0
        with self._uow() as uow:
            while True:
                page = uow.orders.list(customer_id=customer_id, limit=_PAGE, offset=offset)
                for order in page:
                    ids.append(order.id)
                    if order.status in IN_PROGRESS:
                        active.append(order.id)
                    elif order.status in SPENT and order.currency == self._currency:
                        spent += order.totals.total.amount
                if len(page) < _PAGE:
                    break
                offset += _PAGE
        return OrderFacts(tuple(ids), tuple(active), spent)
