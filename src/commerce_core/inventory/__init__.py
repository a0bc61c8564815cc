"""Inventory: warehouses, stock per SKU per warehouse with its ledger, batches and bins,
reservations with an expiry, allocation across warehouses, adjustments and transfers."""

from commerce_core.inventory.commands import (
    ApproveAdjustment,
    ConfigureStockItem,
    CreateWarehouse,
    DeactivateWarehouse,
    ExpireReservations,
    ExtendReservation,
    FulfilReservation,
    ReceiveStock,
    ReconcileReservedCounts,
    ReleaseReservation,
    RequestAdjustment,
    RequestTransfer,
    ReserveStock,
    SetStock,
)
from commerce_core.inventory.errors import InsufficientStock, ReservationNotActive
from commerce_core.inventory.model import (
    Reservation,
    ReservationPolicy,
    ReservationStatus,
    StockLevel,
    Warehouse,
)
from commerce_core.inventory.stock import MovementType, StockMovement, StockSettings

__all__ = [
    "ApproveAdjustment",
    "ConfigureStockItem",
    "CreateWarehouse",
    "DeactivateWarehouse",
    "ExpireReservations",
    "ExtendReservation",
    "FulfilReservation",
    "InsufficientStock",
    "MovementType",
    "ReceiveStock",
    "ReconcileReservedCounts",
    "ReleaseReservation",
    "RequestAdjustment",
    "RequestTransfer",
    "Reservation",
    "ReservationNotActive",
    "ReservationPolicy",
    "ReservationStatus",
    "ReserveStock",
    "SetStock",
    "StockLevel",
    "StockMovement",
    "StockSettings",
    "Warehouse",
]
