"""Facts inventory publishes."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class WarehouseCreated(DomainEvent):
    type = "inventory.warehouse_created"
    warehouse_id: str
    code: str
    name: str
    is_default: bool
    occurred_at: datetime


@frozen
class StockChanged(DomainEvent):
    """On hand was set or adjusted by an operator (reservations have their own events)."""

    type = "inventory.stock_changed"
    sku: str
    warehouse_id: str
    on_hand_before: int
    on_hand: int
    reserved: int
    reason: str
    occurred_at: datetime
    movement_type: str = "count"
    batch_number: str | None = None


@frozen
class StockReserved(DomainEvent):
    type = "inventory.stock_reserved"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reference: str
    expires_at: datetime
    occurred_at: datetime
    payment_method: str | None = None
    customer_id: str | None = None


@frozen
class ReservationConfirmed(DomainEvent):
    type = "inventory.reservation_confirmed"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    order_id: str | None
    occurred_at: datetime


@frozen
class ReservationReleased(DomainEvent):
    type = "inventory.reservation_released"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reason: str
    reference: str
    order_id: str | None
    occurred_at: datetime


@frozen
class ReservationExpired(DomainEvent):
    type = "inventory.reservation_expired"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reference: str
    order_id: str | None
    expires_at: datetime
    occurred_at: datetime


@frozen
class StockCommitted(DomainEvent):
    """Reserved units left the warehouse: on hand and reserved both went down."""

    type = "inventory.stock_committed"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    order_id: str | None
    occurred_at: datetime


@frozen
class WarehouseUpdated(DomainEvent):
    type = "inventory.warehouse_updated"
    warehouse_id: str
    code: str
    changed: tuple[str, ...]
    occurred_at: datetime


@frozen
class WarehouseActivated(DomainEvent):
    type = "inventory.warehouse_activated"
    warehouse_id: str
    code: str
    occurred_at: datetime


@frozen
class WarehouseDeactivated(DomainEvent):
    """The warehouse takes no new reservations; what it already holds stays until released."""

    type = "inventory.warehouse_deactivated"
    warehouse_id: str
    code: str
    occurred_at: datetime


@frozen
class DistributorCreated(DomainEvent):
    type = "inventory.distributor_created"
    distributor_id: str
    code: str
    name: str
    region_codes: tuple[str, ...]
    occurred_at: datetime


@frozen
class StockItemConfigured(DomainEvent):
    type = "inventory.stock_item_configured"
    sku: str
    warehouse_id: str
    reorder_point: int
    reorder_quantity: int
    min_level: int
    max_level: int
    bin_location: str | None
    occurred_at: datetime


@frozen
class ReservationExtended(DomainEvent):
    type = "inventory.reservation_extended"
    reservation_id: str
    sku: str
    warehouse_id: str
    previous_expires_at: datetime
    expires_at: datetime
    occurred_at: datetime


@frozen
class StockDepleted(DomainEvent):
    """A reservation took the last available unit of a row: the SKU is sold out in that
    warehouse until stock comes back (shop fronts and search follow this, not every reservation)."""

    type = "inventory.stock_depleted"
    sku: str
    warehouse_id: str
    occurred_at: datetime


@frozen
class LowStockDetected(DomainEvent):
    """Available stock entered a more severe low-stock band (once per crossing)."""

    type = "inventory.low_stock_detected"
    sku: str
    warehouse_id: str
    available: int
    reorder_point: int
    priority: str
    alert_type: str
    occurred_at: datetime


@frozen
class StockDamaged(DomainEvent):
    type = "inventory.stock_damaged"
    sku: str
    warehouse_id: str
    quantity: int
    batch_number: str | None
    reason: str
    on_hand: int
    occurred_at: datetime


@frozen
class ReservedReconciled(DomainEvent):
    """`reserved` disagreed with the live reservations and was corrected to match them."""

    type = "inventory.reserved_reconciled"
    sku: str
    warehouse_id: str
    reserved_before: int
    reserved: int
    live_units: int
    occurred_at: datetime


@frozen
class ReservationLeaked(DomainEvent):
    """Still active more than 24 hours after it was made (reported once per reservation)."""

    type = "inventory.reservation_leaked"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reference: str
    created_at: datetime
    occurred_at: datetime


@frozen
class AdjustmentRequested(DomainEvent):
    type = "inventory.adjustment_requested"
    adjustment_id: str
    sku: str
    warehouse_id: str
    quantity_change: int
    reason: str
    requested_by: str
    occurred_at: datetime


@frozen
class AdjustmentApproved(DomainEvent):
    """Approved and executed: on hand changed by `quantity_change` in the same transaction."""

    type = "inventory.adjustment_approved"
    adjustment_id: str
    sku: str
    warehouse_id: str
    quantity_change: int
    approved_by: str
    occurred_at: datetime


@frozen
class AdjustmentRejected(DomainEvent):
    type = "inventory.adjustment_rejected"
    adjustment_id: str
    sku: str
    warehouse_id: str
    quantity_change: int
    rejected_by: str
    rejection_reason: str
    occurred_at: datetime


@frozen
class TransferStatusChanged(DomainEvent):
    type = "inventory.transfer_status_changed"
    transfer_id: str
    sku: str
    from_warehouse_id: str
    to_warehouse_id: str
    quantity: int
    previous_status: str | None
    status: str
    occurred_at: datetime
