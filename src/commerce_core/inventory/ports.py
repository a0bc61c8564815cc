"""What inventory needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.inventory.model import Reservation, StockLevel, Warehouse
from commerce_core.shared.uow import UnitOfWork


class WarehouseRepository(Protocol):
    def add(self, warehouse: Warehouse) -> None:
        """Codes are unique: a reused code raises `DuplicateWarehouse` at the latest on commit."""
        ...

    def get(self, warehouse_id: str) -> Warehouse:
        """The warehouse, or `WarehouseNotFound`."""
        ...

    def by_code(self, code: str) -> Warehouse | None: ...

    def list(self) -> list[Warehouse]:
        """All warehouses, the default first, then by code."""
        ...


class StockLevels(Protocol):
    """Stock counters per (SKU, warehouse). Every method is ONE atomic conditional update in the
    current transaction, never a read-modify-write, so concurrent callers cannot oversell.

    The invariant `0 <= reserved <= on_hand` holds after every call.
    """

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None: ...

    def list(self, sku: str | None = None) -> list[StockLevel]:
        """Levels ordered by SKU then warehouse id."""
        ...

    def set_on_hand(self, sku: str, warehouse_id: str, on_hand: int) -> StockLevel | None:
        """Set on hand (creating the row at 0 reserved if absent); returns the level before the
        change, or raises `StockBelowReserved` when `on_hand` would drop below reserved."""
        ...

    def try_reserve(self, sku: str, warehouse_id: str, quantity: int) -> bool:
        """`reserved += quantity` only if `on_hand - reserved >= quantity`; False otherwise."""
        ...

    def unreserve(self, sku: str, warehouse_id: str, quantity: int) -> None:
        """`reserved -= quantity`; raises `InvalidStockChange` if fewer units are reserved."""
        ...

    def commit(self, sku: str, warehouse_id: str, quantity: int) -> None:
        """Reserved units leave: `on_hand -= quantity` and `reserved -= quantity`."""
        ...


class ReservationRepository(Protocol):
    def add(self, reservation: Reservation) -> None: ...

    def get(self, reservation_id: str) -> Reservation:
        """The reservation, or `ReservationNotFound`."""
        ...

    def for_reference(self, reference: str) -> list[Reservation]:
        """Reservations made for a checkout (its saga id) or an order, oldest first."""
        ...

    def for_order(self, order_id: str) -> list[Reservation]: ...

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        """Ids of active reservations with `expires_at <= now`, soonest first."""
        ...

    def count_live(self, sku: str | None = None) -> int: ...

    def list(self, *, statuses: Sequence[str] | None = None, limit: int = 100) -> list[Reservation]:
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    warehouses: WarehouseRepository
    stock: StockLevels
    reservations: ReservationRepository
