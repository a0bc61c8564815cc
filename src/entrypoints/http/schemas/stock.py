"""Stock bodies: stock items and their settings, receipts, damage and returns, batches, the
ledger and its audit, alerts, adjustment requests and transfers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from commerce_core.inventory.alerts import StockAlert
from commerce_core.inventory.commands import (
    ConfigureStockItem,
    ReceiveStock,
    RecordDamage,
    RequestAdjustment,
    RequestTransfer,
    RestockReturn,
)
from commerce_core.inventory.movements import ADJUSTMENT_REASONS, AdjustmentRequest, Transfer
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    StockItem,
    StockMovement,
    StockSettings,
)
from entrypoints.http.schemas.common import (
    BinLocation,
    Day,
    Integral,
    RequestBody,
    Sku,
    StrictCount,
)
from entrypoints.http.schemas.inventory import PositiveCount, StockLevelOut


def _known_reason(reason: str) -> str:
    if reason not in ADJUSTMENT_REASONS:
        raise ValueError(f"one of {', '.join(sorted(ADJUSTMENT_REASONS))}")
    return reason


AdjustmentReason = Annotated[
    str, Field(json_schema_extra={"enum": sorted(ADJUSTMENT_REASONS)}),
    AfterValidator(_known_reason),
]


# -- stock items, batches, the ledger ---------------------------------------------------------


class StockSettingsBody(RequestBody):
    reorder_point: StrictCount = 0
    reorder_quantity: StrictCount = 0
    min_level: StrictCount = 0
    max_level: StrictCount = 0
    bin_location: BinLocation | None = None

    def to_command(self, sku: str, warehouse: str) -> ConfigureStockItem:
        return ConfigureStockItem(sku, warehouse, StockSettings(
            self.reorder_point, self.reorder_quantity, self.min_level, self.max_level,
            self.bin_location))


class StockItemOut(StockLevelOut):
    stock_status: str
    low_stock: bool
    reorder_point: int
    reorder_quantity: int
    min_level: int
    max_level: int
    bin_location: str | None

    @classmethod
    def of_item(cls, item: StockItem) -> StockItemOut:
        s = item.settings
        return cls(sku=item.sku, warehouse_id=item.warehouse_id, on_hand=item.on_hand,
                   reserved=item.reserved, available=item.available,
                   stock_status=item.stock_status, low_stock=item.low_stock,
                   reorder_point=s.reorder_point, reorder_quantity=s.reorder_quantity,
                   min_level=s.min_level, max_level=s.max_level, bin_location=s.bin_location)


class Receipt(RequestBody):
    quantity: PositiveCount
    batch_number: str | None = Field(None, max_length=64)
    expiry_date: Day | None = None
    bin_location: BinLocation | None = None

    def to_command(self, sku: str, warehouse: str) -> ReceiveStock:
        return ReceiveStock(sku, warehouse, self.quantity, self.batch_number, self.expiry_date,
                            self.bin_location)


class Damage(RequestBody):
    quantity: PositiveCount
    batch_number: str | None = None
    reason: str = Field("damaged", max_length=64)

    def to_command(self, sku: str, warehouse: str) -> RecordDamage:
        return RecordDamage(sku, warehouse, self.quantity, self.batch_number, self.reason)


class ReturnRestock(RequestBody):
    quantity: PositiveCount
    order_id: str | None = None

    def to_command(self, sku: str, warehouse: str) -> RestockReturn:
        return RestockReturn(sku, warehouse, self.quantity, self.order_id)


class BatchOut(BaseModel):
    sku: str
    warehouse_id: str
    batch_number: str
    expiry_date: date | None
    on_hand: int

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(sku=batch.sku, warehouse_id=batch.warehouse_id,
                   batch_number=batch.batch_number, expiry_date=batch.expiry_date,
                   on_hand=batch.on_hand)


class MovementOut(BaseModel):
    id: str
    sku: str
    warehouse_id: str
    type: str
    on_hand_change: int
    reserved_change: int
    on_hand_after: int
    reserved_after: int
    reason: str
    reference_type: str
    reference_id: str
    batch_number: str | None
    created_at: datetime

    @classmethod
    def of(cls, m: StockMovement) -> MovementOut:
        return cls(id=m.id, sku=m.sku, warehouse_id=m.warehouse_id, type=m.type.value,
                   on_hand_change=m.on_hand_change, reserved_change=m.reserved_change,
                   on_hand_after=m.on_hand_after, reserved_after=m.reserved_after,
                   reason=m.reason, reference_type=m.reference_type,
                   reference_id=m.reference_id, batch_number=m.batch_number,
                   created_at=m.created_at)


class LedgerBalanceOut(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    ledger_on_hand: int
    ledger_reserved: int
    drift: bool

    @classmethod
    def of(cls, b: LedgerBalance) -> LedgerBalanceOut:
        return cls(sku=b.sku, warehouse_id=b.warehouse_id, on_hand=b.on_hand,
                   reserved=b.reserved, ledger_on_hand=b.ledger_on_hand,
                   ledger_reserved=b.ledger_reserved, drift=b.drift)


class AlertOut(BaseModel):
    type: str
    priority: str
    sku: str
    warehouse_id: str
    current: int
    threshold: int
    message: str
    reference: str

    @classmethod
    def of(cls, a: StockAlert) -> AlertOut:
        return cls(type=a.type.value, priority=a.priority.value, sku=a.sku,
                   warehouse_id=a.warehouse_id, current=a.current, threshold=a.threshold,
                   message=a.message, reference=a.reference)


# -- adjustments, transfers, reservations -----------------------------------------------------


class NewAdjustment(RequestBody):
    sku: Sku
    warehouse: str
    quantity_change: Annotated[int, Integral] = Field(strict=True, ge=-1_000_000, le=1_000_000,
                                 description="Signed change of on hand, never 0",
                                 json_schema_extra={"not": {"const": 0}})
    reason: AdjustmentReason = "correction"
    notes: str = ""
    requested_by: str = "operator"

    def to_command(self) -> RequestAdjustment:
        return RequestAdjustment(self.sku, self.warehouse, self.quantity_change, self.reason,
                                 self.notes, self.requested_by)


class Decision(RequestBody):
    by: str = "operator"
    reason: str = ""


class AdjustmentOut(BaseModel):
    id: str
    sku: str
    warehouse_id: str
    quantity_change: int
    reason: str
    status: str
    requested_by: str
    decided_by: str | None
    rejection_reason: str | None

    @classmethod
    def of(cls, a: AdjustmentRequest) -> AdjustmentOut:
        return cls(id=a.id, sku=a.sku, warehouse_id=a.warehouse_id,
                   quantity_change=a.quantity_change, reason=a.reason, status=a.status.value,
                   requested_by=a.requested_by, decided_by=a.decided_by,
                   rejection_reason=a.rejection_reason)


class NewTransfer(RequestBody):
    sku: Sku
    from_warehouse: str
    to_warehouse: str
    quantity: PositiveCount
    reason: str = "rebalance"

    def to_command(self) -> RequestTransfer:
        return RequestTransfer(self.sku, self.from_warehouse, self.to_warehouse, self.quantity,
                               self.reason)


class TransferOut(BaseModel):
    id: str
    sku: str
    from_warehouse_id: str
    to_warehouse_id: str
    quantity: int
    status: str
    reservation_id: str

    @classmethod
    def of(cls, t: Transfer) -> TransferOut:
        return cls(id=t.id, sku=t.sku, from_warehouse_id=t.from_warehouse_id,
                   to_warehouse_id=t.to_warehouse_id, quantity=t.quantity,
                   status=t.status.value, reservation_id=t.reservation_id)
