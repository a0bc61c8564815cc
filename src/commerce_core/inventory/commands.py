"""Inventory commands. A warehouse is named by its code (HCM) or its id."""

from __future__ import annotations

from datetime import date, datetime

from attrs import field, frozen

# Formats of inventory input, re-exported for entry points to state in their schemas.
from commerce_core.inventory.stock import BIN_LOCATION_FORMAT as BIN_LOCATION_FORMAT
from commerce_core.inventory.stock import StockSettings
from commerce_core.inventory.warehouses import CODE_FORMAT as CODE_FORMAT
from commerce_core.inventory.warehouses import WarehouseDetails


@frozen
class CreateWarehouse:
    code: str
    name: str = ""
    is_default: bool = False
    details: WarehouseDetails = field(factory=WarehouseDetails)


@frozen
class UpdateWarehouse:
    """Rename a warehouse and replace its details (address, location, capacity, cost...)."""

    warehouse: str
    name: str
    details: WarehouseDetails


@frozen
class SetDefaultWarehouse:
    warehouse: str


@frozen
class ActivateWarehouse:
    warehouse: str


@frozen
class DeactivateWarehouse:
    warehouse: str


@frozen
class CreateDistributor:
    code: str
    name: str = ""
    region_codes: tuple[str, ...] = ()
    email: str = ""
    phone: str = ""


@frozen
class SetStock:
    """Set on hand for a SKU in a warehouse (given by id or code) after a count or a delivery."""

    sku: str
    warehouse: str
    on_hand: int
    reason: str = "count"


@frozen
class ConfigureStockItem:
    """Reorder point, min/max levels and bin location of a SKU in a warehouse."""

    sku: str
    warehouse: str
    settings: StockSettings


@frozen
class ReceiveStock:
    """Goods received (a GRN line): on hand grows, into a batch and a bin when given."""

    sku: str
    warehouse: str
    quantity: int
    batch_number: str | None = None
    expiry_date: date | None = None
    bin_location: str | None = None
    reason: str = "received"
    actor: str = "operator"


@frozen
class RecordDamage:
    sku: str
    warehouse: str
    quantity: int
    batch_number: str | None = None
    reason: str = "damaged"
    actor: str = "operator"


@frozen
class RestockReturn:
    """Returned goods go back on the shelf of the warehouse they are received in."""

    sku: str
    warehouse: str
    quantity: int
    order_id: str | None = None
    batch_number: str | None = None
    actor: str = "operator"


@frozen
class RequestAdjustment:
    """Ask to change on hand by `quantity_change` (signed); it executes when approved."""

    sku: str
    warehouse: str
    quantity_change: int
    reason: str = "correction"
    notes: str = ""
    requested_by: str = "operator"


@frozen
class ApproveAdjustment:
    adjustment_id: str
    approved_by: str = "operator"


@frozen
class RejectAdjustment:
    adjustment_id: str
    reason: str
    rejected_by: str = "operator"


@frozen
class RequestTransfer:
    sku: str
    from_warehouse: str
    to_warehouse: str
    quantity: int
    reason: str = "rebalance"
    requested_by: str = "operator"


@frozen
class ShipTransfer:
    transfer_id: str


@frozen
class ReceiveTransfer:
    transfer_id: str


@frozen
class CancelTransfer:
    transfer_id: str


@frozen
class ReserveLine:
    sku: str
    quantity: int
    warehouse: str | None = None


@frozen
class ReserveStock:
    """Hold stock for a reference (an order, a manual hold) outside checkout: all lines or
    none, with the TTL of the payment method. Returns the reservation ids per line."""

    reference: str
    lines: tuple[ReserveLine, ...]
    payment_method: str | None = None
    customer_id: str | None = None
    reference_type: str = "order"
    # Where the goods go, to prefer near warehouses: coordinates, or km per warehouse id.
    latitude: float | None = None
    longitude: float | None = None
    distances_km: tuple[tuple[str, float], ...] = ()


@frozen
class ExtendReservation:
    reservation_id: str
    expires_at: datetime


@frozen
class ConfirmReservation:
    reservation_id: str
    order_id: str


@frozen
class ReleaseReservation:
    reservation_id: str
    reason: str = "manual"


@frozen
class FulfilReservation:
    reservation_id: str
    quantity: int


@frozen
class ExpireReservations:
    """Expire due reservations, each in its own transaction; returns how many expired."""

    batch_size: int = 100


@frozen
class ReconcileReservedCounts:
    """Correct `reserved` of every row (or one SKU's rows) to its live reservations."""

    sku: str | None = None


@frozen
class ReportLeakedReservations:
    """Raise the leak alert, once each, for reservations active for more than 24 hours."""

    limit: int = 100
