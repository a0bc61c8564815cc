"""Warehouses and the distributors that group them."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Final

from attrs import define, field, fields, frozen

from commerce_core.inventory.allocation import GeoPoint, Site
from commerce_core.inventory.errors import DefaultWarehouseRequired, InvalidWarehouse
from commerce_core.inventory.events import (
    DistributorCreated,
    WarehouseActivated,
    WarehouseCreated,
    WarehouseDeactivated,
    WarehouseUpdated,
)
from commerce_core.shared.events import DomainEvent

# A warehouse or distributor code as given (case-insensitive; kept upper-case).
CODE_FORMAT: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
_CODE = re.compile(CODE_FORMAT)


def _code(raw: str, what: str) -> str:
    code = raw.strip().upper()
    if not _CODE.match(code):
        raise InvalidWarehouse(f"a {what} code is 1-32 letters, digits, '-' or '_'", code=raw)
    return code


@frozen
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state_province: str = ""
    postal_code: str = ""
    country_code: str = ""


@frozen
class Capacity:
    """What the site can handle; None where nobody measured it."""

    orders_per_day: int | None = None
    items_per_hour: int | None = None
    cubic_meters: int | None = None
    weight_kg: int | None = None

    def __attrs_post_init__(self) -> None:
        values = (self.orders_per_day, self.items_per_hour, self.cubic_meters, self.weight_kg)
        if any(v is not None and v < 0 for v in values):
            raise InvalidWarehouse("capacities cannot be negative")


@frozen
class WarehouseDetails:
    """What an operator may change about a warehouse besides its name, code and status."""

    description: str = ""
    warehouse_type: str = "fulfillment"
    address: Address = field(factory=Address)
    phone: str = ""
    email: str = ""
    manager_name: str = ""
    location: GeoPoint | None = None
    capacity: Capacity = field(factory=Capacity)
    cost_ratio: float = 0.0
    distributor_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.cost_ratio <= 1.0:
            raise InvalidWarehouse("the operational cost ratio is between 0 and 1",
                                   cost_ratio=self.cost_ratio)
        if self.location is not None and not (
            -90 <= self.location.latitude <= 90 and -180 <= self.location.longitude <= 180
        ):
            raise InvalidWarehouse("latitude is within ±90 and longitude within ±180")


@define(eq=False)
class Warehouse:
    id: str
    code: str
    name: str
    is_default: bool
    active: bool
    created_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)
    details: WarehouseDetails = field(factory=WarehouseDetails)
    updated_at: datetime | None = None

    @classmethod
    def create(
        cls, *, warehouse_id: str, code: str, name: str, is_default: bool, now: datetime,
        details: WarehouseDetails | None = None,
    ) -> Warehouse:
        if not code.strip():
            raise InvalidWarehouse("a warehouse needs a code")
        code = _code(code, "warehouse")
        name = name.strip() or code
        warehouse = cls(warehouse_id, code, name, is_default, True, now,
                        details=details or WarehouseDetails())
        warehouse.events.append(
            WarehouseCreated(warehouse_id, code, warehouse.name, is_default, now)
        )
        return warehouse

    @property
    def status(self) -> str:
        return "active" if self.active else "inactive"

    def site(self) -> Site:
        return Site(self.id, self.code, self.is_default, self.details.cost_ratio,
                    self.details.location)

    def update(self, name: str, details: WarehouseDetails, *, now: datetime) -> None:
        """Rename and replace the details; records which fields changed (none: no event)."""
        name = name.strip() or self.name
        changed = (("name",) if name != self.name else ()) + tuple(
            a.name for a in fields(WarehouseDetails)
            if getattr(details, a.name) != getattr(self.details, a.name)
        )
        if not changed:
            return
        self.name, self.details, self.updated_at = name, details, now
        self.events.append(WarehouseUpdated(self.id, self.code, changed, now))

    def make_default(self, is_default: bool, *, now: datetime) -> None:
        if self.is_default == is_default:
            return
        if is_default and not self.active:
            raise DefaultWarehouseRequired(
                f"warehouse {self.code} is inactive and cannot be the default", code=self.code
            )
        self.is_default, self.updated_at = is_default, now
        self.events.append(WarehouseUpdated(self.id, self.code, ("is_default",), now))

    def activate(self, *, now: datetime) -> None:
        if self.active:
            return
        self.active, self.updated_at = True, now
        self.events.append(WarehouseActivated(self.id, self.code, now))

    def deactivate(self, *, now: datetime) -> None:
        """No new reservations come here; reservations already held stay valid."""
        if not self.active:
            return
        if self.is_default:
            raise DefaultWarehouseRequired(
                f"warehouse {self.code} is the default; make another warehouse the default first",
                code=self.code,
            )
        self.active, self.updated_at = False, now
        self.events.append(WarehouseDeactivated(self.id, self.code, now))


@frozen
class Contact:
    email: str = ""
    phone: str = ""


class DistributorStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


@define(eq=False)
class Distributor:
    """A partner running warehouses for the shop, serving some regions."""

    id: str
    code: str
    name: str
    status: DistributorStatus
    contact: Contact
    region_codes: list[str]
    created_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(
        cls, *, distributor_id: str, code: str, name: str, contact: Contact,
        region_codes: list[str], now: datetime,
    ) -> Distributor:
        code = _code(code, "distributor")
        regions = sorted({r.strip().upper() for r in region_codes if r.strip()})
        distributor = cls(distributor_id, code, name.strip() or code, DistributorStatus.ACTIVE,
                          contact, regions, now)
        distributor.events.append(
            DistributorCreated(distributor_id, code, distributor.name, tuple(regions), now)
        )
        return distributor
