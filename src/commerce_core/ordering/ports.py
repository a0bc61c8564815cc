"""What ordering needs from storage."""

from __future__ import annotations

from typing import Protocol

from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.shared.uow import UnitOfWork


class OrderRepository(Protocol):
    def add(self, order: Order) -> None:
        """One order per checkout: a second order with the same `checkout_id` raises
        `ConcurrencyConflict` at the latest on commit."""
        ...

    def get(self, order_id: str) -> Order:
        """The order, or `OrderNotFound`."""
        ...

    def by_number(self, number: str) -> Order | None: ...

    def by_checkout(self, checkout_id: str) -> Order | None: ...

    def guest_orders(self, email: str) -> list[Order]:
        """Orders placed without a customer whose email is `email`, ignoring case; oldest
        first."""
        ...

    def list(
        self, *, status: OrderStatus | None = None, customer_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> list[Order]:
        """Newest first."""
        ...


class OrderingUnitOfWork(UnitOfWork, Protocol):
    @property
    def orders(self) -> OrderRepository: ...

