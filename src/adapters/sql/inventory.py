"""Inventory storage: warehouses, distributors and reservations. Stock counters and their ledger
are in `stock.py`, adjustment requests and transfers in `movements.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository, AggregateStore
from adapters.sql.codec import IGNORED, RowCodec, by_value, child_values, column, flat
from adapters.sql.columns import CodePointOrder
from adapters.sql.reference import WAREHOUSES as WAREHOUSES_KIND
from adapters.sql.reference import ReferenceReads, read
from adapters.sql.tables.inventory import (
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


WAREHOUSES = AggregateMap[Warehouse](
    kind="warehouse",
    not_found=WarehouseNotFound,
    codec=RowCodec(
        Warehouse, warehouses,
        # Rows from before migration 0002 hold NULL details: they read as the defaults.
        details=flat(
            WarehouseDetails, or_default=True,
            address=flat(Address, line1=column("address_line1"), line2=column("address_line2")),
            location=flat(GeoPoint, optional=True),
            capacity=flat(Capacity, prefix="capacity_"),
        ),
        events=IGNORED,
    ),
)

_WAREHOUSE_BY_CODE = sa.select(warehouses).where(warehouses.c.code == sa.bindparam("code"))
_WAREHOUSES = (
    sa.select(warehouses)
    .order_by(warehouses.c.is_default.desc(), CodePointOrder(warehouses.c.code))
)


class SqlWarehouseRepository(AggregateRepository[Warehouse]):
    def __init__(self, store: AggregateStore[Warehouse],
                 reference: ReferenceReads | None = None) -> None:
        super().__init__(store)
        self._reference = reference

    def by_code(self, code: str) -> Warehouse | None:
        return self._store.first(_WAREHOUSE_BY_CODE, {"code": code})

    def list(self) -> list[Warehouse]:
        """Through the reference cache: allocation reads this at every checkout. Each unit of
        work decodes its own tracked warehouses from the cached rows (ADR 0036)."""
        return self._store.load(read(self._reference, self._store.db, WAREHOUSES_KIND, "all",
                                     _WAREHOUSES))


# -- distributors -------------------------------------------------------------------------------


DISTRIBUTORS = AggregateMap[Distributor](
    kind="distributor",
    not_found=DistributorNotFound,
    codec=RowCodec(
        Distributor, distributors,
        status=by_value(DistributorStatus),
        contact=flat(Contact),
        region_codes=child_values(distributor_regions, "region_code"),
        events=IGNORED,
    ),
)
_DISTRIBUTORS = sa.select(distributors).order_by(CodePointOrder(distributors.c.code))


class SqlDistributorRepository(AggregateRepository[Distributor]):
    def list(self) -> list[Distributor]:
        return self._store.all(_DISTRIBUTORS)


# -- reservations -------------------------------------------------------------------------------


def _seconds(ttl: timedelta) -> int:
    return int(ttl.total_seconds())


def _ttl(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


RESERVATIONS = AggregateMap[Reservation](
    kind="reservation",
    not_found=ReservationNotFound,
    codec=RowCodec(
        Reservation, reservations,
        status=by_value(ReservationStatus),
        ttl=column("ttl_seconds", store=_seconds, load=_ttl),
        reference_type=column(or_default=True),  # NULL before migration 0002
        events=IGNORED,
    ),
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
    def many(self, reservation_ids: Sequence[str]) -> list[Reservation]:
        return self._store.get_many(reservation_ids)

    def for_reference(self, reference: str) -> list[Reservation]:
        return self._store.all(_FOR_REFERENCE, {"reference": reference})

    def for_order(self, order_id: str) -> list[Reservation]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})

    def due_to_expire(self, now: datetime, limit: int) -> list[str]:
        rows = self._store.db.execute(_DUE, {"now": now, "limit": limit})
        return [row.id for row in rows]

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
