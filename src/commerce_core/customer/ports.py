"""What the customer context consumes: its storage, the location hierarchy, and what the
ordering context knows of a customer's orders (a port the composition root fills, since
ordering sits above customer)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol

from attrs import frozen

from commerce_core.customer.locations import Location, LocationDirectory
from commerce_core.customer.model import Customer, CustomerStatus, Segment
from commerce_core.shared.uow import UnitOfWork

__all__ = [
    "Customer", "CustomerOrders", "CustomerRepository", "CustomerStatus", "CustomerUnitOfWork",
    "Location", "LocationDirectory", "NoOrders", "OrderFacts", "Segment", "SegmentRepository",
]


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None:
        """Emails are unique: a second customer with the same (normalised) email raises
        `EmailTaken`, at the latest on commit (the database's unique key decides races)."""
        ...

    def get(self, customer_id: str) -> Customer:
        """The customer, or `CustomerNotFound`."""
        ...

    def by_email(self, email: str) -> Customer | None: ...

    def list(self, *, status: CustomerStatus | None = None, group: str | None = None,
             segment: str | None = None, email_contains: str | None = None,
             limit: int = 50, offset: int = 0) -> builtins.list[Customer]:
        """Newest first."""
        ...

    def after(self, customer_id: str | None, limit: int) -> builtins.list[Customer]:
        """Customers with an id above `customer_id` (from the start for None), by id: a
        stable cursor for the batch jobs."""
        ...

    def count(self) -> int: ...

    def due_for_deletion(self, now: datetime, limit: int) -> builtins.list[Customer]:
        """Customers whose scheduled deletion time passed and who are not deleted yet, the
        longest waiting first."""
        ...


class SegmentRepository(Protocol):
    def add(self, segment: Segment) -> None: ...

    def get(self, segment_id: str) -> Segment:
        """The segment, or `SegmentNotFound`."""
        ...

    def find(self, segment_id: str) -> Segment | None: ...

    def list(self) -> builtins.list[Segment]:
        """Every stored segment, by id."""
        ...


class CustomerUnitOfWork(UnitOfWork, Protocol):
    @property
    def customers(self) -> CustomerRepository: ...

    @property
    def segments(self) -> SegmentRepository: ...


@frozen
class OrderFacts:
    """A customer's orders as the ordering context tells them: every order id, those still in
    progress (not yet delivered, cancelled or failed), and how much was spent on completed
    ones, in minor units of the shop's currency."""

    order_ids: tuple[str, ...] = ()
    active_order_ids: tuple[str, ...] = ()
    total_spent: int = 0


class CustomerOrders(Protocol):
    """Asked outside the customer's transaction (ordering is another context)."""

    def facts(self, customer_id: str) -> OrderFacts: ...


class NoOrders:
    """No ordering context linked: nobody has orders."""

    def facts(self, customer_id: str) -> OrderFacts:
        return OrderFacts()


