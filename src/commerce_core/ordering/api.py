"""`commerce.orders`: following and cancelling orders as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.ordering.commands import CancelOrder
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class OrdersApi:
    """Orders: reads by id, number and filters, and cancellation."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[OrderingUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def get(self, order_id: str) -> Order:
        with self._read() as uow:
            return uow.orders.get(order_id)

    def by_number(self, number: str) -> Order | None:
        with self._read() as uow:
            return uow.orders.by_number(number)

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             limit: int = 50, offset: int = 0) -> builtins.list[Order]:
        with self._read() as uow:
            return uow.orders.list(
                status=OrderStatus(status) if status else None, customer_id=customer_id,
                limit=limit, offset=offset,
            )

    def cancel(self, order_id: str, reason: str = "customer_request",
               changed_by: str = "customer") -> None:
        self._handle(CancelOrder(order_id, reason, changed_by))
