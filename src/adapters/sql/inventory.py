"""Inventory storage: warehouses, stock counters (single guarded statements) and reservations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.aggregates import AggregateMap, AggregateStore, LoadedChildren, Row, Values
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import reservations, stock_levels, warehouses
from adapters.sql.transaction import SqlTransaction
from commerce_core.inventory.errors import (
    InvalidStockChange,
    ReservationNotFound,
    StockBelowReserved,
    WarehouseNotFound,
)
from commerce_core.inventory.model import (
    LIVE,
    Reservation,
    ReservationStatus,
    StockLevel,
    Warehouse,
)

# -- warehouses ---------------------------------------------------------------------------------


def _warehouse_row(warehouse: Warehouse) -> Values:
    return {
        "id": warehouse.id,
        "code": warehouse.code,
        "name": warehouse.name,
        "is_default": warehouse.is_default,
        "active": warehouse.active,
        "created_at": warehouse.created_at,
    }


def _warehouse_from(row: Row, _: LoadedChildren) -> Warehouse:
    return Warehouse(
        id=row.id,
        code=row.code,
        name=row.name,
        is_default=bool(row.is_default),
        active=bool(row.active),
        created_at=row.created_at,
        version=row.version,
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


class SqlWarehouseRepository:
    def __init__(self, store: AggregateStore[Warehouse]) -> None:
        self._store = store

    def add(self, warehouse: Warehouse) -> None:
        self._store.add(warehouse)

    def get(self, warehouse_id: str) -> Warehouse:
        return self._store.get(warehouse_id)

    def by_code(self, code: str) -> Warehouse | None:
        return self._store.first(_WAREHOUSE_BY_CODE, {"code": code})

    def list(self) -> list[Warehouse]:
        return self._store.all(_WAREHOUSES)


# -- stock counters -----------------------------------------------------------------------------

_SKU = sa.bindparam("p_sku", type_=sa.String)
_WAREHOUSE = sa.bindparam("p_warehouse", type_=sa.String)
_QUANTITY = sa.bindparam("p_quantity", type_=sa.Integer)
_AT = (stock_levels.c.sku == _SKU, stock_levels.c.warehouse_id == _WAREHOUSE)

_LEVEL = sa.select(stock_levels.c.on_hand, stock_levels.c.reserved).where(*_AT)
_LEVEL_LOCKED = _LEVEL.with_for_update()
_LEVELS = sa.select(stock_levels).order_by(
    CodePointOrder(stock_levels.c.sku), CodePointOrder(stock_levels.c.warehouse_id)
)
_LEVELS_OF_SKU = _LEVELS.where(stock_levels.c.sku == _SKU)

_RESERVE = (
    stock_levels.update()
    .where(*_AT, stock_levels.c.on_hand - stock_levels.c.reserved >= _QUANTITY)
    .values(reserved=stock_levels.c.reserved + _QUANTITY)
)
_UNRESERVE = (
    stock_levels.update()
    .where(*_AT, stock_levels.c.reserved >= _QUANTITY)
    .values(reserved=stock_levels.c.reserved - _QUANTITY)
)
_COMMIT = (
    stock_levels.update()
    .where(*_AT, stock_levels.c.reserved >= _QUANTITY, stock_levels.c.on_hand >= _QUANTITY)
    .values(
        on_hand=stock_levels.c.on_hand - _QUANTITY,
        reserved=stock_levels.c.reserved - _QUANTITY,
    )
)


def _set_on_hand(
    insert: Callable[[sa.Table], postgresql.Insert] | Callable[[sa.Table], sqlite.Insert],
) -> postgresql.Insert | sqlite.Insert:
    """Create the row, or set on hand unless that would drop below what is reserved."""
    statement = insert(stock_levels).values(
        sku=_SKU, warehouse_id=_WAREHOUSE, on_hand=sa.bindparam("p_on_hand"), reserved=0
    )
    return statement.on_conflict_do_update(
        index_elements=[stock_levels.c.sku, stock_levels.c.warehouse_id],
        set_={"on_hand": statement.excluded.on_hand},
        where=stock_levels.c.reserved <= statement.excluded.on_hand,
    ).execution_options(preserve_rowcount=True)  # kept for UPDATE and DELETE only by default


_SET_ON_HAND = {
    "postgresql": _set_on_hand(postgresql.insert),
    "sqlite": _set_on_hand(sqlite.insert),
}


def _check_quantity(sku: str, quantity: int) -> None:
    if quantity < 1:
        raise InvalidStockChange(
            f"stock moves in whole units of at least 1, got {quantity}", sku=sku,
            quantity=quantity,
        )


class SqlStockLevels:
    """Every change is one guarded statement: the database decides, never a value read earlier."""

    def __init__(self, db: SqlTransaction) -> None:
        self._db = db

    def _at(self, sku: str, warehouse_id: str, quantity: int = 0) -> dict[str, object]:
        return {"p_sku": sku, "p_warehouse": warehouse_id, "p_quantity": quantity}

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None:
        row = self._db.execute(_LEVEL, self._at(sku, warehouse_id)).first()
        return None if row is None else StockLevel(sku, warehouse_id, row.on_hand, row.reserved)

    def list(self, sku: str | None = None) -> list[StockLevel]:
        rows = (
            self._db.execute(_LEVELS) if sku is None
            else self._db.execute(_LEVELS_OF_SKU, {"p_sku": sku})
        )
        return [StockLevel(r.sku, r.warehouse_id, r.on_hand, r.reserved) for r in rows]

    def set_on_hand(self, sku: str, warehouse_id: str, on_hand: int) -> StockLevel | None:
        # The level before is read under the row's lock (SQLite already holds the database's
        # write lock), so it is the level the upsert below replaces.
        row = self._db.execute(_LEVEL_LOCKED, self._at(sku, warehouse_id)).first()
        before = None if row is None else StockLevel(sku, warehouse_id, row.on_hand, row.reserved)
        reserved = 0 if before is None else before.reserved
        refused = StockBelowReserved(
            f"{reserved} units of {sku} are reserved; on hand cannot drop to {on_hand}",
            sku=sku, reserved=reserved, on_hand=on_hand,
        )
        if on_hand < 0:
            raise refused
        params = {"p_sku": sku, "p_warehouse": warehouse_id, "p_on_hand": on_hand}
        if self._db.execute(_SET_ON_HAND[self._db.dialect], params).rowcount != 1:
            raise refused
        return before

    def try_reserve(self, sku: str, warehouse_id: str, quantity: int) -> bool:
        _check_quantity(sku, quantity)
        return self._db.execute(_RESERVE, self._at(sku, warehouse_id, quantity)).rowcount == 1

    def unreserve(self, sku: str, warehouse_id: str, quantity: int) -> None:
        _check_quantity(sku, quantity)
        if self._db.execute(_UNRESERVE, self._at(sku, warehouse_id, quantity)).rowcount != 1:
            raise InvalidStockChange(f"fewer than {quantity} units of {sku} are reserved",
                                     sku=sku, warehouse_id=warehouse_id)

    def commit(self, sku: str, warehouse_id: str, quantity: int) -> None:
        _check_quantity(sku, quantity)
        if self._db.execute(_COMMIT, self._at(sku, warehouse_id, quantity)).rowcount != 1:
            raise InvalidStockChange(f"fewer than {quantity} units of {sku} are reserved",
                                     sku=sku, warehouse_id=warehouse_id)


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
_NEWEST = sa.select(reservations).order_by(
    _r.created_at.desc(), CodePointOrder(_r.id).desc()
)
_LIST = _NEWEST.limit(sa.bindparam("limit"))
_LIST_BY_STATUS = _NEWEST.where(
    _r.status.in_(sa.bindparam("statuses", expanding=True))
).limit(sa.bindparam("limit"))


class SqlReservationRepository:
    def __init__(self, store: AggregateStore[Reservation]) -> None:
        self._store = store

    def add(self, reservation: Reservation) -> None:
        self._store.add(reservation)

    def get(self, reservation_id: str) -> Reservation:
        return self._store.get(reservation_id)

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

    def list(
        self, *, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[Reservation]:
        if statuses is None:
            return self._store.all(_LIST, {"limit": limit})
        return self._store.all(_LIST_BY_STATUS, {"statuses": list(statuses), "limit": limit})
