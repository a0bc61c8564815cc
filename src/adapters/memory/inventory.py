"""In-memory inventory: warehouses, distributors, stock counters with their ledger and batches,
reservations, adjustment requests and transfers.

The counters follow the SQL adapter's rules exactly: each change is applied only when the row
keeps `0 <= reserved <= on_hand`, and appends its movement in the same (journalled) step.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from adapters.memory.base import InMemoryDatabase, Journal, _Repository
from commerce_core.inventory.errors import (
    AdjustmentNotFound,
    DistributorNotFound,
    DuplicateDistributor,
    DuplicateWarehouse,
    InvalidStockChange,
    ReservationNotFound,
    StockBelowReserved,
    TransferNotFound,
    WarehouseNotFound,
)
from commerce_core.inventory.model import (
    LIVE,
    Distributor,
    Reservation,
    ReservationStatus,
    StockLevel,
    Warehouse,
)
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    MovementInfo,
    MovementType,
    StockChange,
    StockItem,
    StockMovement,
    StockSettings,
)
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator


class InMemoryWarehouseRepository(_Repository):
    kind = "warehouse"
    not_found = WarehouseNotFound
    unique = (("warehouse code", lambda w: [w.code], DuplicateWarehouse),)

    def by_code(self, code: str) -> Warehouse | None:
        row = next((r for r in self._all() if r.code == code), None)
        return None if row is None else self._load(row)

    def list(self) -> list[Warehouse]:
        rows = sorted(self._all(), key=lambda w: (not w.is_default, w.code))
        return [self._load(r) for r in rows]


class InMemoryDistributorRepository(_Repository):
    kind = "distributor"
    not_found = DistributorNotFound
    unique = (("distributor code", lambda d: [d.code], DuplicateDistributor),)

    def list(self) -> list[Distributor]:
        return [self._load(r) for r in sorted(self._all(), key=lambda d: d.code)]


@attrs.frozen
class StockRow:
    on_hand: int
    reserved: int
    settings: StockSettings = attrs.field(factory=StockSettings)


class InMemoryStockLevels:
    def __init__(self, db: InMemoryDatabase, journal: Journal, clock: Clock,
                 ids: IdGenerator) -> None:
        self._db, self._journal, self._clock, self._ids = db, journal, clock, ids

    def _row(self, sku: str, warehouse_id: str) -> StockRow | None:
        row: StockRow | None = self._db.stock.get((sku, warehouse_id))
        return row

    def _put(self, sku: str, warehouse_id: str, row: StockRow) -> None:
        self._journal.put(self._db.stock, (sku, warehouse_id), row)
        # Only grows (a rolled-back warehouse merely names no row): lookups by SKU try each.
        self._db.stock_warehouses.add(warehouse_id)

    def _keys_of(self, skus: Collection[str]) -> builtins.list[tuple[str, str]]:
        """The stock rows of `skus`, sorted, without walking every row of the shop."""
        stock, warehouses = self._db.stock, self._db.stock_warehouses
        return sorted(k for k in ((s, w) for s in set(skus) for w in warehouses) if k in stock)

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None:
        row = self._row(sku, warehouse_id)
        return None if row is None else StockLevel(sku, warehouse_id, row.on_hand, row.reserved)

    def list(self, sku: str | None = None) -> list[StockLevel]:
        if sku is not None:
            stock = self._db.stock
            return [StockLevel(s, w, stock[s, w].on_hand, stock[s, w].reserved)
                    for s, w in self._keys_of([sku])]
        return [StockLevel(s, w, row.on_hand, row.reserved)
                for (s, w), row in sorted(self._db.stock.items())]

    def lock(self, sku: str, warehouse_id: str) -> StockLevel | None:
        return self.get(sku, warehouse_id)  # transactions never interleave here

    def change(
        self, sku: str, warehouse_id: str, *, on_hand: int = 0, reserved: int = 0,
        info: MovementInfo,
    ) -> StockMovement | None:
        if on_hand == 0 and reserved == 0:
            raise InvalidStockChange("a stock change moves at least one counter", sku=sku)
        row = self._row(sku, warehouse_id) or StockRow(0, 0)
        after_on_hand, after_reserved = row.on_hand + on_hand, row.reserved + reserved
        if not 0 <= after_reserved <= after_on_hand:
            return None
        self._put(sku, warehouse_id, StockRow(after_on_hand, after_reserved, row.settings))
        movement = StockMovement.record(
            self._ids.new_id(), sku, warehouse_id, info, on_hand_change=on_hand,
            reserved_change=reserved, on_hand_after=after_on_hand,
            reserved_after=after_reserved, now=self._clock.now(),
        )
        self._db.ledger.append(movement)
        self._journal.then(lambda: self._db.ledger.remove(movement))
        return movement

    def set_on_hand(
        self, sku: str, warehouse_id: str, on_hand: int, *, info: MovementInfo | None = None
    ) -> StockLevel | None:
        before = self.get(sku, warehouse_id)
        reserved = before.reserved if before else 0
        if on_hand < reserved or on_hand < 0:
            raise StockBelowReserved(
                f"{reserved} units of {sku} are reserved; on hand cannot drop to {on_hand}",
                sku=sku, reserved=reserved, on_hand=on_hand,
            )
        delta = on_hand - (before.on_hand if before else 0)
        if delta:
            self.change(sku, warehouse_id, on_hand=delta,
                        info=info or MovementInfo(MovementType.COUNT, reason="count"))
        elif before is None:
            self._put(sku, warehouse_id, StockRow(0, 0))
        return before

    def item(self, sku: str, warehouse_id: str) -> StockItem | None:
        row = self._row(sku, warehouse_id)
        return None if row is None else StockItem(sku, warehouse_id, row.on_hand, row.reserved,
                                                  row.settings)

    def items(self, *, sku: str | None = None,
              warehouse_id: str | None = None) -> builtins.list[StockItem]:
        stock = self._db.stock
        keys = self._keys_of([sku]) if sku is not None else sorted(stock)
        return [StockItem(s, w, stock[s, w].on_hand, stock[s, w].reserved, stock[s, w].settings)
                for s, w in keys if warehouse_id is None or w == warehouse_id]

    def items_for(self, skus: Collection[str], *, lock: bool = False) -> builtins.list[StockItem]:
        # The database lock is held for the whole transaction already.
        stock = self._db.stock
        return [StockItem(s, w, stock[s, w].on_hand, stock[s, w].reserved, stock[s, w].settings)
                for s, w in self._keys_of(skus)]

    def change_many(self, changes: Sequence[StockChange]) -> builtins.list[StockMovement | None]:
        return [self.change(c.sku, c.warehouse_id, on_hand=c.on_hand, reserved=c.reserved,
                            info=c.info) for c in changes]

    def configure(self, sku: str, warehouse_id: str, settings: StockSettings) -> None:
        row = self._row(sku, warehouse_id) or StockRow(0, 0)
        self._put(sku, warehouse_id, attrs.evolve(row, settings=settings))

    def batches(self, *, sku: str | None = None,
                warehouse_id: str | None = None) -> builtins.list[Batch]:
        found = [b for b in self._db.batches.values()
                 if b.on_hand > 0 and (sku is None or b.sku == sku)
                 and (warehouse_id is None or b.warehouse_id == warehouse_id)]
        return sorted(found, key=lambda b: (b.sku, b.warehouse_id, b.expiry_date is None,
                                            b.expiry_date or date.max, b.batch_number))

    def change_batch(self, sku: str, warehouse_id: str, batch_number: str, quantity: int,
                     expiry_date: date | None = None) -> None:
        key = (sku, warehouse_id, batch_number)
        batch = self._db.batches.get(key) or Batch(sku, warehouse_id, batch_number,
                                                   expiry_date, 0)
        if batch.on_hand + quantity < 0:
            raise InvalidStockChange(
                f"batch {batch_number} holds {batch.on_hand} units of {sku}",
                sku=sku, batch_number=batch_number,
            )
        self._journal.put(self._db.batches, key,
                          attrs.evolve(batch, on_hand=batch.on_hand + quantity))


class InMemoryStockLedger:
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    def movements(self, *, sku: str | None = None, warehouse_id: str | None = None,
                  reference_id: str | None = None, limit: int = 100) -> list[StockMovement]:
        found = [m for m in self._db.ledger
                 if (sku is None or m.sku == sku)
                 and (warehouse_id is None or m.warehouse_id == warehouse_id)
                 and (reference_id is None or m.reference_id == reference_id)]
        found.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return found[:limit]

    def balances(self) -> list[LedgerBalance]:
        sums: dict[tuple[str, str], tuple[int, int]] = {}
        for m in self._db.ledger:
            on_hand, reserved = sums.get((m.sku, m.warehouse_id), (0, 0))
            sums[(m.sku, m.warehouse_id)] = (on_hand + m.on_hand_change,
                                             reserved + m.reserved_change)
        keys = sorted(set(sums) | set(self._db.stock))
        result = []
        for sku, warehouse_id in keys:
            row = self._db.stock.get((sku, warehouse_id))
            on_hand, reserved = (row.on_hand, row.reserved) if row else (0, 0)
            ledger = sums.get((sku, warehouse_id), (0, 0))
            result.append(LedgerBalance(sku, warehouse_id, on_hand, reserved, *ledger))
        return result


class InMemoryReservationRepository(_Repository):
    kind = "reservation"
    not_found = ReservationNotFound
    indexed = (("reference", lambda r: [r.reference]),
               ("order", lambda r: [] if r.order_id is None else [r.order_id]))

    def many(self, reservation_ids: Sequence[str]) -> list[Reservation]:
        return [self.get(reservation_id) for reservation_id in reservation_ids]

    def for_reference(self, reference: str) -> list[Reservation]:
        rows = sorted(self._by("reference", reference), key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def for_order(self, order_id: str) -> list[Reservation]:
        rows = sorted(self._by("order", order_id), key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        rows = sorted(
            (r for r in self._all()
             if r.status is ReservationStatus.ACTIVE and r.expires_at <= now),
            key=lambda r: (r.expires_at, r.id),
        )
        return [r.id for r in rows[:limit]]

    def live_units(self, sku: str, warehouse_id: str) -> int:
        return sum(r.quantity - r.fulfilled for r in self._all()
                   if r.status in LIVE and r.sku == sku and r.warehouse_id == warehouse_id)

    def leaked(self, created_before: datetime, limit: int) -> list[Reservation]:
        rows = sorted(
            (r for r in self._all() if r.status is ReservationStatus.ACTIVE
             and r.created_at < created_before and r.leak_reported_at is None),
            key=lambda r: (r.created_at, r.id),
        )
        return [self._load(r) for r in rows[:limit]]

    def count_active_before(self, created_before: datetime) -> int:
        return sum(1 for r in self._all()
                   if r.status is ReservationStatus.ACTIVE and r.created_at < created_before)

    def list(self, *, statuses: Sequence[str] | None = None, limit: int = 100) -> list[Reservation]:
        rows = sorted(
            (r for r in self._all() if statuses is None or r.status.value in statuses),
            key=lambda r: (r.created_at, r.id), reverse=True,
        )
        return [self._load(r) for r in rows[:limit]]


class _NewestFirst(_Repository):
    created = "created_at"  # the attribute that orders rows

    def list(self, *, status: str | None = None, limit: int = 100) -> list[Any]:
        rows = sorted((r for r in self._all() if status is None or r.status.value == status),
                      key=lambda r: (getattr(r, self.created), r.id), reverse=True)
        return [self._load(r) for r in rows[:limit]]


class InMemoryAdjustmentRequestRepository(_NewestFirst):
    kind = "adjustment"
    not_found = AdjustmentNotFound
    created = "requested_at"


class InMemoryTransferRepository(_NewestFirst):
    kind = "transfer"
    not_found = TransferNotFound
