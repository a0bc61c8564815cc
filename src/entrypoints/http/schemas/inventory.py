"""Inventory bodies: warehouses, stock levels, availability and reservations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from commerce_core.inventory.commands import CreateWarehouse, SetStock
from commerce_core.inventory.model import Reservation, StockLevel, Warehouse
from entrypoints.http.schemas.common import RequestBody, StrictCount


class NewWarehouse(RequestBody):
    code: str = Field(min_length=1, max_length=32, examples=["HCM"])
    name: str = ""
    is_default: bool = False

    def to_command(self) -> CreateWarehouse:
        return CreateWarehouse(self.code, self.name, self.is_default)


class WarehouseOut(BaseModel):
    id: str
    code: str
    name: str
    is_default: bool
    active: bool

    @classmethod
    def of(cls, warehouse: Warehouse) -> WarehouseOut:
        return cls(id=warehouse.id, code=warehouse.code, name=warehouse.name,
                   is_default=warehouse.is_default, active=warehouse.active)


class StockCount(RequestBody):
    on_hand: StrictCount
    reason: str = Field("count", max_length=64)

    def to_command(self, sku: str, warehouse: str) -> SetStock:
        return SetStock(sku, warehouse, self.on_hand, self.reason)


class StockLevelOut(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    available: int

    @classmethod
    def of(cls, level: StockLevel) -> StockLevelOut:
        return cls(sku=level.sku, warehouse_id=level.warehouse_id, on_hand=level.on_hand,
                   reserved=level.reserved, available=level.available)


class Availability(BaseModel):
    """What a shopper may know about stock: how many can be bought now, not where they are."""

    sku: str
    available: int
    in_stock: bool


class ReservationOut(BaseModel):
    id: str
    sku: str
    warehouse_id: str
    quantity: int
    fulfilled: int
    status: str
    reference: str
    order_id: str | None
    expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, reservation: Reservation) -> ReservationOut:
        return cls(
            id=reservation.id, sku=reservation.sku, warehouse_id=reservation.warehouse_id,
            quantity=reservation.quantity, fulfilled=reservation.fulfilled,
            status=reservation.status.value, reference=reservation.reference,
            order_id=reservation.order_id, expires_at=reservation.expires_at,
            created_at=reservation.created_at,
        )
