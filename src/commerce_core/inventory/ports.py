"""What inventory needs from storage."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from commerce_core.inventory.model import Distributor, Reservation, StockLevel, Warehouse
from commerce_core.inventory.movements import AdjustmentRequest, Transfer
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    MovementInfo,
    StockChange,
    StockItem,
    StockMovement,
    StockSettings,
)
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


class DistributorRepository(Protocol):
    def add(self, distributor: Distributor) -> None:
        """Codes are unique: a reused code raises `DuplicateDistributor` at the latest on commit."""
        ...

    def get(self, distributor_id: str) -> Distributor:
        """The distributor, or `DistributorNotFound`."""
        ...

    def list(self) -> list[Distributor]:
        """By code."""
        ...


class StockLevels(Protocol):
    """Stock counters per (SKU, warehouse), with the settings and batches of each row.

    Every counter change is ONE atomic conditional update in the current transaction, never a
    read-modify-write, so concurrent callers cannot oversell; and every counter change appends a
    `StockMovement` to the ledger in the same transaction, so the ledger of a row always sums to
    its counters. No method changes `on_hand` or `reserved` without a movement.

    The invariant `0 <= reserved <= on_hand` holds after every call.
    """

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None: ...

    def list(self, sku: str | None = None) -> list[StockLevel]:
        """Levels ordered by SKU then warehouse id."""
        ...

    def lock(self, sku: str, warehouse_id: str) -> StockLevel | None:
        """The level, its row locked until the transaction ends: counter changes of other
        transactions wait, and those that changed it before have committed."""
        ...

    def change(
        self, sku: str, warehouse_id: str, *, on_hand: int = 0, reserved: int = 0,
        info: MovementInfo,
    ) -> StockMovement | None:
        """Add the signed `on_hand` and `reserved` deltas in one guarded statement, only if
        afterwards `0 <= reserved <= on_hand`; an absent row is created when the deltas alone
        satisfy that. Returns the movement appended, or None when refused (nothing changed).
        Both deltas zero raise `InvalidStockChange`."""
        ...

    def change_many(self, changes: Sequence[StockChange]) -> builtins.list[StockMovement | None]:
        """`change` for each, in order, as if called one after the other (a refused one changes
        nothing and does not stop the others), but in a number of statements that does not
        grow with the batch, so an order of many lines costs what an order of one does. Rows
        that do not exist yet are created as `change` would."""
        ...

    def items_for(self, skus: Collection[str], *, lock: bool = False) -> builtins.list[StockItem]:
        """The rows of these SKUs in every warehouse, ordered by SKU then warehouse id, in one
        read; with `lock`, each row is locked until the transaction ends (in that order, so
        two transactions locking overlapping SKUs cannot deadlock)."""
        ...

    def set_on_hand(
        self, sku: str, warehouse_id: str, on_hand: int, *, info: MovementInfo | None = None
    ) -> StockLevel | None:
        """Set on hand (creating the row at 0 reserved if absent); returns the level before the
        change, or raises `StockBelowReserved` when `on_hand` would drop below reserved. The
        movement records the difference (type `count` unless `info` says otherwise)."""
        ...

    def item(self, sku: str, warehouse_id: str) -> StockItem | None: ...

    def items(
        self, *, sku: str | None = None, warehouse_id: str | None = None
    ) -> builtins.list[StockItem]:
        """Rows with their settings, ordered by SKU then warehouse id."""
        ...

    def configure(self, sku: str, warehouse_id: str, settings: StockSettings) -> None:
        """Replace the row's settings (creating it at 0 on hand if absent); counters unchanged."""
        ...

    def batches(
        self, *, sku: str | None = None, warehouse_id: str | None = None
    ) -> builtins.list[Batch]:
        """Batches holding units, by SKU, warehouse, then expiry (none last) and number."""
        ...

    def change_batch(
        self, sku: str, warehouse_id: str, batch_number: str, quantity: int,
        expiry_date: date | None = None,
    ) -> None:
        """Add `quantity` (signed) to a batch, creating it with `expiry_date` when absent;
        raises `InvalidStockChange` if the batch would hold fewer than 0 units."""
        ...


class StockLedger(Protocol):
    """The append-only ledger `StockLevels` writes; read here, never written."""

    def movements(
        self, *, sku: str | None = None, warehouse_id: str | None = None,
        reference_id: str | None = None, limit: int = 100,
    ) -> list[StockMovement]:
        """Newest first (creation time, then id)."""
        ...

    def balances(self) -> list[LedgerBalance]:
        """Every row's counters next to its ledger sums, read at one instant (one statement),
        by SKU then warehouse id; ledger entries without a row appear with counters 0."""
        ...


class ReservationRepository(Protocol):
    def add(self, reservation: Reservation) -> None: ...

    def get(self, reservation_id: str) -> Reservation:
        """The reservation, or `ReservationNotFound`."""
        ...

    def many(self, reservation_ids: Sequence[str]) -> list[Reservation]:
        """The reservations, in the order of `reservation_ids`, or `ReservationNotFound`; those
        the unit of work does not hold already are read together."""
        ...

    def for_reference(self, reference: str) -> list[Reservation]:
        """Reservations made for a checkout (its saga id) or an order, oldest first."""
        ...

    def for_order(self, order_id: str) -> list[Reservation]: ...

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        """Ids of active reservations with `expires_at <= now`, soonest first."""
        ...

    def live_units(self, sku: str, warehouse_id: str) -> int:
        """Units the live (active or confirmed) reservations of a row still hold."""
        ...

    def leaked(self, created_before: datetime, limit: int) -> list[Reservation]:
        """Active reservations created before `created_before` not reported yet, oldest first."""
        ...

    def count_active_before(self, created_before: datetime) -> int:
        """Active reservations created before `created_before`, reported or not."""
        ...

    def list(self, *, statuses: Sequence[str] | None = None, limit: int = 100) -> list[Reservation]:
        ...


class AdjustmentRequestRepository(Protocol):
    def add(self, request: AdjustmentRequest) -> None: ...

    def get(self, adjustment_id: str) -> AdjustmentRequest:
        """The request, or `AdjustmentNotFound`."""
        ...

    def list(self, *, status: str | None = None, limit: int = 100) -> list[AdjustmentRequest]:
        """Newest first."""
        ...


class TransferRepository(Protocol):
    def add(self, transfer: Transfer) -> None: ...

    def get(self, transfer_id: str) -> Transfer:
        """The transfer, or `TransferNotFound`."""
        ...

    def list(self, *, status: str | None = None, limit: int = 100) -> list[Transfer]:
        """Newest first."""
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    @property
    def warehouses(self) -> WarehouseRepository: ...

    @property
    def distributors(self) -> DistributorRepository: ...

    @property
    def stock(self) -> StockLevels: ...

    @property
    def ledger(self) -> StockLedger: ...

    @property
    def reservations(self) -> ReservationRepository: ...

    @property
    def adjustments(self) -> AdjustmentRequestRepository: ...

    @property
    def transfers(self) -> TransferRepository: ...

