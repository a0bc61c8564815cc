"""Manual stock changes that need more than one step: adjustment requests (approved before they
execute) and transfers between warehouses (reserve at source, ship, receive)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field

from commerce_core.inventory.errors import (
    AdjustmentNotPending,
    InvalidStockChange,
    InvalidTransferStep,
)
from commerce_core.inventory.events import (
    AdjustmentApproved,
    AdjustmentRejected,
    AdjustmentRequested,
    TransferStatusChanged,
)
from commerce_core.shared.events import DomainEvent

ADJUSTMENT_REASONS = frozenset({"received", "damaged", "correction", "transfer", "count",
                                "found", "lost", "expired"})


class AdjustmentStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"  # approved and executed in one transaction
    REJECTED = "rejected"


@define(eq=False)
class AdjustmentRequest:
    """A change of on hand an operator asks for and another approves (spec A1, A2.10)."""

    id: str
    sku: str
    warehouse_id: str
    quantity_change: int
    reason: str
    notes: str
    status: AdjustmentStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    rejection_reason: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def request(
        cls, *, adjustment_id: str, sku: str, warehouse_id: str, quantity_change: int,
        reason: str, notes: str, requested_by: str, now: datetime,
    ) -> AdjustmentRequest:
        if quantity_change == 0:
            raise InvalidStockChange("an adjustment changes on hand by at least one unit")
        if reason not in ADJUSTMENT_REASONS:
            raise InvalidStockChange(
                f"adjustment reasons are {', '.join(sorted(ADJUSTMENT_REASONS))}", reason=reason
            )
        request = cls(adjustment_id, sku, warehouse_id, quantity_change, reason, notes,
                      AdjustmentStatus.PENDING, requested_by, now)
        request.events.append(AdjustmentRequested(adjustment_id, sku, warehouse_id,
                                                  quantity_change, reason, requested_by, now))
        return request

    def approve(self, approved_by: str, *, now: datetime) -> bool:
        """True when the caller must now execute the change (in this same transaction); False
        when it was already approved and executed: executing twice is a no-op."""
        if self.status is AdjustmentStatus.COMPLETED:
            return False
        if self.status is AdjustmentStatus.REJECTED:
            raise AdjustmentNotPending(f"adjustment {self.id} was rejected",
                                       adjustment_id=self.id, status=self.status.value)
        self.status, self.decided_by, self.decided_at = AdjustmentStatus.COMPLETED, approved_by, now
        self.events.append(AdjustmentApproved(self.id, self.sku, self.warehouse_id,
                                              self.quantity_change, approved_by, now))
        return True

    def reject(self, rejected_by: str, reason: str, *, now: datetime) -> None:
        if self.status is AdjustmentStatus.REJECTED:
            return
        if self.status is AdjustmentStatus.COMPLETED:
            raise AdjustmentNotPending(f"adjustment {self.id} was already executed",
                                       adjustment_id=self.id, status=self.status.value)
        self.status, self.decided_by, self.decided_at = AdjustmentStatus.REJECTED, rejected_by, now
        self.rejection_reason = reason
        self.events.append(AdjustmentRejected(self.id, self.sku, self.warehouse_id,
                                              self.quantity_change, rejected_by, reason, now))


class TransferStatus(StrEnum):
    REQUESTED = "requested"  # units reserved at the source
    SHIPPED = "shipped"  # units left the source
    RECEIVED = "received"  # units are on hand at the destination: complete
    CANCELLED = "cancelled"  # before shipping; the source reservation was released


@define(eq=False)
class Transfer:
    """Stock moving between two warehouses of the shop (spec A2.11). The source units are
    reserved when the transfer is requested, so shipping can never find them gone."""

    id: str
    sku: str
    from_warehouse_id: str
    to_warehouse_id: str
    quantity: int
    status: TransferStatus
    reservation_id: str
    reason: str
    requested_by: str
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    cancelled_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def request(
        cls, *, transfer_id: str, sku: str, from_warehouse_id: str, to_warehouse_id: str,
        quantity: int, reservation_id: str, reason: str, requested_by: str, now: datetime,
    ) -> Transfer:
        if from_warehouse_id == to_warehouse_id:
            raise InvalidStockChange("a transfer goes to another warehouse")
        if quantity < 1:
            raise InvalidStockChange("a transfer moves at least one unit", quantity=quantity)
        transfer = cls(transfer_id, sku, from_warehouse_id, to_warehouse_id, quantity,
                       TransferStatus.REQUESTED, reservation_id, reason, requested_by, now, now)
        transfer._changed(None, now)
        return transfer

    def _changed(self, previous: TransferStatus | None, now: datetime) -> None:
        self.updated_at = now
        self.events.append(TransferStatusChanged(
            self.id, self.sku, self.from_warehouse_id, self.to_warehouse_id, self.quantity,
            previous.value if previous else None, self.status.value, now))

    def _move(self, allowed: TransferStatus, to: TransferStatus, now: datetime) -> bool:
        if self.status is to:
            return False
        if self.status is not allowed:
            raise InvalidTransferStep(
                f"transfer {self.id} is {self.status}; it cannot become {to}",
                transfer_id=self.id, status=self.status.value,
            )
        previous, self.status = self.status, to
        self._changed(previous, now)
        return True

    def ship(self, *, now: datetime) -> bool:
        """The reserved source units leave; False if it had shipped already."""
        moved = self._move(TransferStatus.REQUESTED, TransferStatus.SHIPPED, now)
        if moved:
            self.shipped_at = now
        return moved

    def receive(self, *, now: datetime) -> bool:
        """The units arrive at the destination; False if they had been received already."""
        moved = self._move(TransferStatus.SHIPPED, TransferStatus.RECEIVED, now)
        if moved:
            self.received_at = now
        return moved

    def cancel(self, *, now: datetime) -> bool:
        """Only before shipping; False if it was cancelled already."""
        moved = self._move(TransferStatus.REQUESTED, TransferStatus.CANCELLED, now)
        if moved:
            self.cancelled_at = now
        return moved
