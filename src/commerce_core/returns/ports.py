"""What the returns context needs from storage: its repository, and one transaction over the
orders, payments, stock and catalog it coordinates."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

from commerce_core.catalog.ports import ProductReadUnitOfWork
from commerce_core.giftcard.ports import GiftCardUnitOfWork
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.payment.ports import PaymentUnitOfWork
from commerce_core.returns.model import Return


class ReturnRepository(Protocol):
    def add(self, ret: Return) -> None:
        """A second open return of the same order raises `ReturnAlreadyOpen` (or
        `ConcurrencyConflict`) at the latest on commit: `open_order_id` is unique."""
        ...

    def get(self, return_id: str) -> Return:
        """The return, or `ReturnNotFound`."""
        ...

    def for_order(self, order_id: str) -> list[Return]:
        """Every return of the order, oldest first."""
        ...

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             order_id: str | None = None, limit: int = 50, offset: int = 0) -> list[Return]:
        """Newest first."""
        ...

    def in_status_since(self, status: str, before: datetime, limit: int) -> builtins.list[str]:
        """Ids of returns that entered `status` at or before `before`, oldest first."""
        ...

    def compensations_due(self, now: datetime, limit: int) -> builtins.list[str]:
        """Ids of returns with a step to retry: a failed refund or restock due by `now`, an
        approval still without its label; oldest first."""
        ...

    def count_for_customer(self, customer_id: str, since: datetime) -> int:
        """The customer's returns requested since `since`."""
        ...


class ReturnsUnitOfWork(ProductReadUnitOfWork, InventoryUnitOfWork, OrderingUnitOfWork,
                        PaymentUnitOfWork, GiftCardUnitOfWork, Protocol):
    @property
    def returns(self) -> ReturnRepository: ...
