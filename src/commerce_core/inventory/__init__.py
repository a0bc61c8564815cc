"""Inventory: warehouses, stock per SKU per warehouse, and reservations with an expiry."""

from commerce_core.inventory.commands import (
    CreateWarehouse,
    ExpireReservations,
    FulfilReservation,
    ReleaseReservation,
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

__all__ = [
    "CreateWarehouse",
    "ExpireReservations",
    "FulfilReservation",
    "InsufficientStock",
    "ReleaseReservation",
    "Reservation",
    "ReservationNotActive",
    "ReservationPolicy",
    "ReservationStatus",
    "SetStock",
    "StockLevel",
    "Warehouse",
]
