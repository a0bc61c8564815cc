"""Stock per (SKU, warehouse): the ledger of movements, item settings, bins and batches.

Counters never change without a `StockMovement`: the `StockLevels` port appends one in the same
statement sequence as every counter update, so the ledger of a (SKU, warehouse) always sums to
its current on hand and reserved (`commerce stock audit` proves it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from attrs import field, frozen

from commerce_core.inventory.errors import InsufficientStock, InvalidStockChange


class MovementType(StrEnum):
    OPENING = "opening"  # the balance a row had when the ledger started (migration)
    COUNT = "count"  # on hand set after a count
    RECEIPT = "receipt"
    RESERVATION = "reservation"
    CANCELLATION = "cancellation"  # a released reservation gives its unfulfilled units back
    EXPIRY = "expiry"
    FULFILLMENT = "fulfillment"
    ADJUSTMENT = "adjustment"
    DAMAGE = "damage"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RETURN = "return"
    RECONCILIATION = "reconciliation"


@frozen
class MovementInfo:
    """Why the counters move; the ledger keeps it next to the numbers."""

    type: MovementType
    reason: str = ""
    reference_type: str = ""
    reference_id: str = ""
    batch_number: str | None = None
    expiry_date: date | None = None
    transfer_id: str | None = None
    counterpart_warehouse_id: str | None = None
    notes: str = ""
    actor: str = "system"


@frozen
class StockChange:
    """One guarded counter change of a batch (`StockLevels.change_many`)."""

    sku: str
    warehouse_id: str
    info: MovementInfo
    on_hand: int = 0
    reserved: int = 0


@frozen
class StockMovement:
    """One line of the append-only ledger: signed changes and the counters right after them."""

    id: str
    sku: str
    warehouse_id: str
    type: MovementType
    on_hand_change: int
    reserved_change: int
    on_hand_after: int
    reserved_after: int
    reason: str
    reference_type: str
    reference_id: str
    batch_number: str | None
    expiry_date: date | None
    transfer_id: str | None
    counterpart_warehouse_id: str | None
    notes: str
    actor: str
    created_at: datetime

    @classmethod
    def record(
        cls, movement_id: str, sku: str, warehouse_id: str, info: MovementInfo, *,
        on_hand_change: int, reserved_change: int, on_hand_after: int, reserved_after: int,
        now: datetime,
    ) -> StockMovement:
        return cls(
            movement_id, sku, warehouse_id, info.type, on_hand_change, reserved_change,
            on_hand_after, reserved_after, info.reason, info.reference_type, info.reference_id,
            info.batch_number, info.expiry_date, info.transfer_id, info.counterpart_warehouse_id,
            info.notes, info.actor, now,
        )

    @property
    def on_hand_before(self) -> int:
        return self.on_hand_after - self.on_hand_change

    @property
    def reserved_before(self) -> int:
        return self.reserved_after - self.reserved_change

    @property
    def available_before(self) -> int:
        return self.on_hand_before - self.reserved_before

    @property
    def available_after(self) -> int:
        return self.on_hand_after - self.reserved_after


@frozen
class LedgerBalance:
    """A row's counters next to what its ledger sums to; they differ only after tampering."""

    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    ledger_on_hand: int
    ledger_reserved: int

    @property
    def drift(self) -> bool:
        return (self.on_hand, self.reserved) != (self.ledger_on_hand, self.ledger_reserved)


# A bin location as given: aisle-shelf-bin (case-insensitive; kept upper-case).
BIN_LOCATION_FORMAT: Final = r"^([A-Za-z0-9]{1,8})-([0-9]{1,4})-([0-9]{1,4})$"
_BIN = re.compile(BIN_LOCATION_FORMAT)


@frozen(order=False)
class BinLocation:
    """Where a SKU sits in a warehouse: aisle-shelf-bin, `A-12-03`. Bins sort in walking order:
    by aisle, then shelf and bin as numbers (`A-2-1` before `A-10-1`)."""

    aisle: str
    shelf: int
    bin: int

    @classmethod
    def parse(cls, text: str) -> BinLocation:
        match = _BIN.match(text.strip().upper())
        if match is None:
            raise InvalidStockChange(
                f"a bin location reads aisle-shelf-bin, like A-12-03; got {text!r}", bin=text
            )
        return cls(match.group(1), int(match.group(2)), int(match.group(3)))

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.aisle, self.shelf, self.bin)

    def __str__(self) -> str:
        return f"{self.aisle}-{self.shelf:02d}-{self.bin:02d}"


def walk_order(bin_location: str | None) -> tuple[int, tuple[str, int, int]]:
    """Sort key putting bins in walking order and SKUs without a bin at the end."""
    if not bin_location:
        return (1, ("", 0, 0))
    return (0, BinLocation.parse(bin_location).sort_key)


def normal_bin(text: str | None) -> str | None:
    """A bin location as stored: `a-1-3` becomes `A-01-03`; empty means none."""
    if text is None or not text.strip():
        return None
    return str(BinLocation.parse(text))


@frozen
class StockSettings:
    """What an operator sets on a stock item; none of it moves the counters."""

    reorder_point: int = 0
    reorder_quantity: int = 0
    min_level: int = 0
    max_level: int = 0
    bin_location: str | None = field(default=None, converter=normal_bin)

    def __attrs_post_init__(self) -> None:
        numbers = (self.reorder_point, self.reorder_quantity, self.min_level, self.max_level)
        if any(n < 0 for n in numbers):
            raise InvalidStockChange("stock thresholds cannot be negative")
        if self.max_level and self.max_level < self.min_level:
            raise InvalidStockChange("the max level is below the min level",
                                     min_level=self.min_level, max_level=self.max_level)


@frozen
class StockItem:
    """A (SKU, warehouse) row as operators see it: counters plus settings."""

    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    settings: StockSettings = field(factory=StockSettings)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def stock_status(self) -> str:
        return "in_stock" if self.available > 0 else "out_of_stock"

    @property
    def low_stock(self) -> bool:
        return self.settings.reorder_point > 0 and self.available <= self.settings.reorder_point

    @property
    def bin_location(self) -> str | None:
        return self.settings.bin_location


@frozen
class Batch:
    """Units of one batch (lot) of a SKU in a warehouse; `expiry_date` None never expires."""

    sku: str
    warehouse_id: str
    batch_number: str
    expiry_date: date | None
    on_hand: int

    def expired(self, today: date) -> bool:
        return self.expiry_date is not None and self.expiry_date < today


@frozen
class BatchTake:
    batch_number: str
    expiry_date: date | None
    quantity: int


def fefo(batches: Sequence[Batch], quantity: int, *, today: date) -> list[BatchTake]:
    """First expiry, first out (spec A2.13): unexpired batches by expiry date, those without a
    date last; `min(remaining, batch)` from each. If they cannot cover `quantity`, raises
    `InsufficientStock` and takes nothing. Expired batches are never taken."""
    usable = sorted(
        (b for b in batches if b.on_hand > 0 and not b.expired(today)),
        key=lambda b: (b.expiry_date is None, b.expiry_date or date.max, b.batch_number),
    )
    takes: list[BatchTake] = []
    remaining = quantity
    for batch in usable:
        if remaining == 0:
            break
        take = min(remaining, batch.on_hand)
        takes.append(BatchTake(batch.batch_number, batch.expiry_date, take))
        remaining -= take
    if remaining:
        sku = batches[0].sku if batches else ""
        covered = quantity - remaining
        raise InsufficientStock(
            f"unexpired batches hold {covered} of the {quantity} units requested",
            sku=sku, requested=quantity, available=covered,
        )
    return takes
