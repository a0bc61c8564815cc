"""Inventory bodies: warehouses and distributors, stock items, batches and the ledger,
adjustments, transfers, reservations and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import attrs
from pydantic import BaseModel, Field

from commerce_core.inventory.allocation import GeoPoint
from commerce_core.inventory.commands import (
    CreateDistributor,
    CreateWarehouse,
    ReserveLine,
    ReserveStock,
    SetStock,
    UpdateWarehouse,
)
from commerce_core.inventory.model import Distributor, Reservation, StockLevel, Warehouse
from commerce_core.inventory.warehouses import Address, Capacity, WarehouseDetails
from entrypoints.http.schemas.common import (
    Code,
    CountryCode,
    Integral,
    Name,
    Number,
    RequestBody,
    Sku,
    StrictCount,
    Timestamp,
)

PositiveCount = Annotated[int, Field(strict=True, ge=1, le=1_000_000), Integral]


class NewWarehouse(RequestBody):
    code: Code
    name: str = Field("", max_length=200)
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


# -- warehouse details ------------------------------------------------------------------------


class AddressBody(RequestBody):
    line1: str = ""
    line2: str = ""
    city: str = ""
    state_province: str = ""
    postal_code: str = ""
    country_code: CountryCode


class CapacityBody(RequestBody):
    orders_per_day: StrictCount | None = None
    items_per_hour: StrictCount | None = None
    cubic_meters: StrictCount | None = None
    weight_kg: StrictCount | None = None


class WarehouseDetailsBody(RequestBody):
    """A warehouse's details; every field replaces the current value."""

    name: Name
    description: str = ""
    warehouse_type: str = "fulfillment"
    address: AddressBody | None = None
    phone: str = ""
    email: str = ""
    manager_name: str = ""
    latitude: Number | None = Field(None, ge=-90, le=90)
    longitude: Number | None = Field(None, ge=-180, le=180)
    capacity: CapacityBody = Field(default_factory=CapacityBody)
    cost_ratio: Number = Field(0.0, ge=0, le=1, description="Operational cost, 0 to 1")
    distributor_id: str | None = None

    def to_details(self) -> WarehouseDetails:
        location = (None if self.latitude is None or self.longitude is None
                    else GeoPoint(self.latitude, self.longitude))
        return WarehouseDetails(
            description=self.description, warehouse_type=self.warehouse_type,
            address=Address(**self.address.model_dump()) if self.address else Address(),
            phone=self.phone, email=self.email,
            manager_name=self.manager_name, location=location,
            capacity=Capacity(**self.capacity.model_dump()), cost_ratio=self.cost_ratio,
            distributor_id=self.distributor_id,
        )

    def to_command(self, warehouse: str) -> UpdateWarehouse:
        return UpdateWarehouse(warehouse, self.name, self.to_details())


class WarehouseDetailsOut(BaseModel):
    id: str
    code: str
    name: str
    status: str
    is_default: bool
    description: str
    warehouse_type: str
    address: dict[str, str]
    phone: str
    email: str
    manager_name: str
    latitude: float | None
    longitude: float | None
    capacity: dict[str, int | None]
    cost_ratio: float
    distributor_id: str | None

    @classmethod
    def of(cls, warehouse: Warehouse) -> WarehouseDetailsOut:
        d = warehouse.details
        return cls(
            id=warehouse.id, code=warehouse.code, name=warehouse.name, status=warehouse.status,
            is_default=warehouse.is_default, description=d.description,
            warehouse_type=d.warehouse_type, address=attrs.asdict(d.address), phone=d.phone,
            email=d.email, manager_name=d.manager_name,
            latitude=d.location.latitude if d.location else None,
            longitude=d.location.longitude if d.location else None,
            capacity=attrs.asdict(d.capacity), cost_ratio=d.cost_ratio,
            distributor_id=d.distributor_id,
        )


class NewDistributor(RequestBody):
    code: Code
    name: str = Field("", max_length=200)
    region_codes: list[str] = Field(default_factory=list)
    email: str = ""
    phone: str = ""

    def to_command(self) -> CreateDistributor:
        return CreateDistributor(self.code, self.name, tuple(self.region_codes), self.email,
                                 self.phone)


class DistributorOut(BaseModel):
    id: str
    code: str
    name: str
    status: str
    region_codes: list[str]
    email: str
    phone: str

    @classmethod
    def of(cls, distributor: Distributor) -> DistributorOut:
        return cls(id=distributor.id, code=distributor.code, name=distributor.name,
                   status=distributor.status.value, region_codes=distributor.region_codes,
                   email=distributor.contact.email, phone=distributor.contact.phone)


# -- reservations ---------------------------------------------------------------------------


class HoldLine(RequestBody):
    sku: Sku
    quantity: PositiveCount
    warehouse: str | None = None


class NewReservation(RequestBody):
    reference: str = Field(min_length=1, max_length=128)
    lines: list[HoldLine] = Field(min_length=1, max_length=100)
    payment_method: str | None = None
    customer_id: str | None = None
    latitude: Number | None = Field(None, ge=-90, le=90, description="Where the goods go")
    longitude: Number | None = Field(None, ge=-180, le=180)
    distances_km: dict[str, Number] = Field(
        default_factory=dict, description="Or: km to each warehouse (code or id)")

    def to_command(self) -> ReserveStock:
        return ReserveStock(self.reference, tuple(ReserveLine(ln.sku, ln.quantity, ln.warehouse)
                                                  for ln in self.lines),
                            self.payment_method, self.customer_id, "order", self.latitude,
                            self.longitude, tuple(self.distances_km.items()))


class Extension(RequestBody):
    expires_at: Timestamp


class Confirmation(RequestBody):
    order_id: str = Field(min_length=1)


class Release(RequestBody):
    reason: str = "manual"


class FulfilQuantity(RequestBody):
    quantity: PositiveCount


class DriftOut(BaseModel):
    sku: str
    warehouse_id: str
    reserved: int
    live_units: int
    corrected: bool
