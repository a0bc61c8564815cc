"""Inventory commands."""

from __future__ import annotations

from attrs import frozen


@frozen
class CreateWarehouse:
    code: str
    name: str = ""
    is_default: bool = False


@frozen
class SetStock:
    """Set on hand for a SKU in a warehouse (given by id or code) after a count or a delivery."""

    sku: str
    warehouse: str
    on_hand: int
    reason: str = "count"


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
