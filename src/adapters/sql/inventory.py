"""Inventory storage: warehouses, distributors and reservations. Stock counters and their ledger
are in `stock.py`, adjustment requests and transfers in `movements.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import (
    distributor_regions,
    distributors,
    reservations,
    warehouses,
)
from commerce_core.inventory.allocation import GeoPoint
from commerce_core.inventory.errors import (
    DistributorNotFound,
    ReservationNotFound,
    WarehouseNotFound,
)
from commerce_core.inventory.model import LIVE, Reservation, ReservationStatus
from commerce_core.inventory.warehouses import (
    Address,
    Capacity,
    Contact,
    Distributor,
    DistributorStatus,
    Warehouse,
    WarehouseDetails,
)

# -- warehouses ---------------------------------------------------------------------------------


def _warehouse_row(warehouse: Warehouse) -> Values:
    details = warehouse.details
    address, capacity, location = details.address, details.capacity, details.location
    return {
        "id": warehouse.id,
        "code": warehouse.code,
        "name": warehouse.name,
        "is_default": warehouse.is_default,
        "active": warehouse.active,
        "created_at": warehouse.created_at,
        "description": details.description,
        "warehouse_type": details.warehouse_type,
        "address_line1": address.line1,
        "address_line2": address.line2,
        "city": address.city,
        "state_province": address.state_province,
        "postal_code": address.postal_code,
        "country_code": address.country_code,
        "phone": details.phone,
        "email": details.email,
        "manager_name": details.manager_name,
        "latitude": None if location is None else location.latitude,
        "longitude": None if location is None else location.longitude,
        "capacity_orders_per_day": capacity.orders_per_day,
        "capacity_items_per_hour": capacity.items_per_hour,
        "capacity_cubic_meters": capacity.cubic_meters,
        "capacity_weight_kg": capacity.weight_kg,
        "cost_ratio": details.cost_ratio,
        "distributor_id": details.distributor_id,
        "updated_at": warehouse.updated_at,
    }


def _warehouse_from(row: Row, _: LoadedChildren) -> Warehouse:
    # Rows from before migration 0002 hold NULL details: they read as the defaults.
    location = (None if row.latitude is None or row.longitude is None
                else GeoPoint(row.latitude, row.longitude))
    return Warehouse(
        id=row.id,
        code=row.code,
        name=row.name,
        is_default=bool(row.is_default),
        active=bool(row.active),
        created_at=row.created_at,
        version=row.version,
        details=WarehouseDetails(
            description=row.description or "",
            warehouse_type=row.warehouse_type or "fulfillment",
            address=Address(row.address_line1 or "", row.address_line2 or "", row.city or "",
                            row.state_province or "", row.postal_code or "",
                            row.country_code or ""),
            phone=row.phone or "",
            email=row.email or "",
            manager_name=row.manager_name or "",
            location=location,
            capacity=Capacity(row.capacity_orders_per_day, row.capacity_items_per_hour,
                              row.capacity_cubic_meters, row.capacity_weight_kg),
            cost_ratio=row.cost_ratio or 0.0,
            distributor_id=row.distributor_id,
        ),
        updated_at=row.updated_at,
    )


WAREHOUSES = AggregateMap[Warehouse](
    kind="warehouse",
    table=warehouses,
    not_found=WarehouseNotFound,
    to_row=_warehouse_row,
    from_rows=_warehouse_from,
)

_WAREHOUSE_BY_CODE = sa.select(warehouses).where(warehouses.c.code == sa.bindparam("code"))
_WAREHOUSES = (
    sa.select(warehouses)
    .order_by(warehouses.c.is_default.desc(), CodePointOrder(warehouses.c.code))
)


class SqlWarehouseRepository(AggregateRepository[Warehouse]):
    def by_code(self, code: str) -> Warehouse | None:
        return self._store.first(_WAREHOUSE_BY_CODE, {"code": code})

    def list(self) -> list[Warehouse]:
        return self._store.all(_WAREHOUSES)


# -- distributors -------------------------------------------------------------------------------


def _distributor_row(distributor: Distributor) -> Values:
    return {
        "id": distributor.id,
        "code": distributor.code,
        "name": distributor.name,
        "status": distributor.status.value,
        "email": distributor.contact.email,
        "phone": distributor.contact.phone,
        "created_at": distributor.created_at,
    }


def _distributor_children(distributor: Distributor) -> ChildRows:
    return {distributor_regions.name: [
        {"distributor_id": distributor.id, "position": position, "region_code": code}
        for position, code in enumerate(distributor.region_codes)
    ]}


def _distributor_from(row: Row, children: LoadedChildren) -> Distributor:
    return Distributor(
        id=row.id, code=row.code, name=row.name, status=DistributorStatus(row.status),
        contact=Contact(row.email, row.phone),
        region_codes=[r.region_code for r in children[distributor_regions.name]],
        created_at=row.created_at, version=row.version,
    )


DISTRIBUTORS = AggregateMap[Distributor](
    kind="distributor",
    table=distributors,
    children=(distributor_regions,),
    not_found=DistributorNotFound,
    to_row=_distributor_row,
    to_children=_distributor_children,
    from_rows=_distributor_from,
)
_DISTRIBUTORS = sa.select(distributors).order_by(CodePointOrder(distributors.c.code))


class SqlDistributorRepository(AggregateRepository[Distributor]):
    def list(self) -> list[Distributor]:
        return self._store.all(_DISTRIBUTORS)


# -- reservations -------------------------------------------------------------------------------


def _reservation_row(reservation: Reservation) -> Values:
    return {
        "id": reservation.id,
        "sku": reservation.sku,
        "warehouse_id": reservation.warehouse_id,
        "quantity": reservation.quantity,
        "fulfilled": reservation.fulfilled,
        "status": reservation.status.value,
        "reference": reservation.reference,
        "order_id": reservation.order_id,
        "expires_at": reservation.expires_at,
        "created_at": reservation.created_at,
        "updated_at": reservation.updated_at,
        "ttl_seconds": None if reservation.ttl is None else int(reservation.ttl.total_seconds()),
        "payment_method": reservation.payment_method,
        "customer_id": reservation.customer_id,
        "reference_type": reservation.reference_type,
        "confirmed_at": reservation.confirmed_at,
        "fulfilled_at": reservation.fulfilled_at,
        "released_at": reservation.released_at,
        "release_reason": reservation.release_reason,
        "leak_reported_at": reservation.leak_reported_at,
    }


def _reservation_from(row: Row, _: LoadedChildren) -> Reservation:
    return Reservation(
        id=row.id,
        sku=row.sku,
        warehouse_id=row.warehouse_id,
        quantity=row.quantity,
        fulfilled=row.fulfilled,
        status=ReservationStatus(row.status),
        reference=row.reference,
        order_id=row.order_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        ttl=None if row.ttl_seconds is None else timedelta(seconds=row.ttl_seconds),
        payment_method=row.payment_method,
        customer_id=row.customer_id,
        reference_type=row.reference_type or "checkout",
        confirmed_at=row.confirmed_at,
        fulfilled_at=row.fulfilled_at,
        released_at=row.released_at,
        release_reason=row.release_reason,
        leak_reported_at=row.leak_reported_at,
    )


RESERVATIONS = AggregateMap[Reservation](
    kind="reservation",
    table=reservations,
    not_found=ReservationNotFound,
    to_row=_reservation_row,
    from_rows=_reservation_from,
)

_r = reservations.c
_OLDEST_FIRST = (_r.created_at, CodePointOrder(_r.id))
_FOR_REFERENCE = (
    sa.select(reservations)
    .where(_r.reference == sa.bindparam("reference"))
    .order_by(*_OLDEST_FIRST)
)
_FOR_ORDER = (
    sa.select(reservations).where(_r.order_id == sa.bindparam("order_id")).order_by(*_OLDEST_FIRST)
)
_DUE = (
    sa.select(_r.id)
    .where(_r.status == ReservationStatus.ACTIVE.value, _r.expires_at <= sa.bindparam("now"))
    .order_by(_r.expires_at, CodePointOrder(_r.id))
    .limit(sa.bindparam("limit"))
)
_LIVE = _r.status.in_(sorted(status.value for status in LIVE))
_COUNT_LIVE = sa.select(sa.func.count()).select_from(reservations).where(_LIVE)
_COUNT_LIVE_OF_SKU = _COUNT_LIVE.where(_r.sku == sa.bindparam("sku"))
_LIVE_UNITS = sa.select(sa.func.coalesce(sa.func.sum(_r.quantity - _r.fulfilled), 0)).where(
    _LIVE, _r.sku == sa.bindparam("sku"), _r.warehouse_id == sa.bindparam("warehouse_id")
)
_ACTIVE_BEFORE = (_r.status == ReservationStatus.ACTIVE.value,
                  _r.created_at < sa.bindparam("before"))
_LEAKED = (
    sa.select(reservations)
    .where(*_ACTIVE_BEFORE, _r.leak_reported_at.is_(None))
    .order_by(*_OLDEST_FIRST)
    .limit(sa.bindparam("limit"))
)
_COUNT_ACTIVE_BEFORE = sa.select(sa.func.count()).select_from(reservations).where(
    *_ACTIVE_BEFORE)
_NEWEST = sa.select(reservations).order_by(
    _r.created_at.desc(), CodePointOrder(_r.id).desc()
)
_LIST = _NEWEST.limit(sa.bindparam("limit"))
_LIST_BY_STATUS = _NEWEST.where(
    _r.status.in_(sa.bindparam("statuses", expanding=True))
).limit(sa.bindparam("limit"))


class SqlReservationRepository(AggregateRepository[Reservation]):
    def for_reference(self, reference: str) -> list[Reservation]:
        return self._store.all(_FOR_REFERENCE, {"reference": reference})

    def for_order(self, order_id: str) -> list[Reservation]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        rows = self._store.db.execute(_DUE, {"now": now, "limit": limit})
        return [row.id for row in rows]

    def count_live(self, sku: str | None = None) -> int:
        if sku is None:
            return int(self._store.db.execute(_COUNT_LIVE).scalar_one())
        return int(self._store.db.execute(_COUNT_LIVE_OF_SKU, {"sku": sku}).scalar_one())

    def live_units(self, sku: str, warehouse_id: str) -> int:
        return int(self._store.db.execute(
            _LIVE_UNITS, {"sku": sku, "warehouse_id": warehouse_id}).scalar_one())

    def leaked(self, created_before: datetime, limit: int) -> list[Reservation]:
        return self._store.all(_LEAKED, {"before": created_before, "limit": limit})

    def count_active_before(self, created_before: datetime) -> int:
        return int(self._store.db.execute(
            _COUNT_ACTIVE_BEFORE, {"before": created_before}).scalar_one())

    def list(
        self, *, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[Reservation]:
        if statuses is None:
            return self._store.all(_LIST, {"limit": limit})
        return self._store.all(_LIST_BY_STATUS, {"statuses": list(statuses), "limit": limit})
