"""Stock counters with their ledger, settings and batches.

Every counter change is one guarded `UPDATE … RETURNING` (the database decides, never a value read
earlier) followed by the insert of its ledger row, in the caller's transaction: no statement in
this module changes `on_hand` or `reserved` without a `stock_movements` row.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.columns import CodePointOrder, UtcDateTime
from adapters.sql.tables.inventory import stock_batches, stock_levels, stock_movements
from adapters.sql.transaction import SqlTransaction
from commerce_core.inventory.errors import InvalidStockChange, StockBelowReserved
from commerce_core.inventory.model import StockLevel
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    MovementInfo,
    MovementType,
    StockChange,
    StockItem,
    StockMovement,
    StockSettings,
)
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator

s, m, b = stock_levels.c, stock_movements.c, stock_batches.c
_SKU = sa.bindparam("p_sku", type_=sa.String)
_WAREHOUSE = sa.bindparam("p_warehouse", type_=sa.String)
_ON_HAND = sa.bindparam("p_on_hand", type_=sa.Integer)
_RESERVED = sa.bindparam("p_reserved", type_=sa.Integer)
_AT = (s.sku == _SKU, s.warehouse_id == _WAREHOUSE)

_LEVEL = sa.select(s.on_hand, s.reserved).where(*_AT)
_LEVEL_LOCKED = _LEVEL.with_for_update()
_LEVELS = sa.select(stock_levels).order_by(CodePointOrder(s.sku), CodePointOrder(s.warehouse_id))
_ITEM = sa.select(stock_levels).where(*_AT)

# Both deltas in one statement, applied only if the row keeps 0 <= reserved <= on_hand.
_CHANGE = (
    stock_levels.update()
    .where(*_AT, s.on_hand + _ON_HAND >= s.reserved + _RESERVED, s.reserved + _RESERVED >= 0)
    .values(on_hand=s.on_hand + _ON_HAND, reserved=s.reserved + _RESERVED)
    .returning(s.on_hand, s.reserved)
)


_ITEMS_FOR = _LEVELS.where(s.sku.in_(sa.bindparam("p_skus", expanding=True)))
# Locked in (SKU, warehouse) order: PostgreSQL locks rows after sorting them.
_ITEMS_FOR_LOCKED = _ITEMS_FOR.with_for_update()


@functools.lru_cache(maxsize=64)  # built once per size: building it costs more than running it
def _change_of_many(count: int) -> sa.Update:
    """The guarded change of `count` distinct rows as one `UPDATE … RETURNING`: each row gets
    its own deltas (a CASE on its key) and its own guard, so a refused row leaves the others."""
    matches = [sa.and_(s.sku == sa.bindparam(f"s{n}", type_=sa.String),
                       s.warehouse_id == sa.bindparam(f"w{n}", type_=sa.String))
               for n in range(count)]
    on_hand = sa.case(*((match, sa.bindparam(f"o{n}", type_=sa.Integer))
                        for n, match in enumerate(matches)), else_=0)
    reserved = sa.case(*((match, sa.bindparam(f"r{n}", type_=sa.Integer))
                         for n, match in enumerate(matches)), else_=0)
    return (
        stock_levels.update()
        .where(sa.or_(*matches), s.on_hand + on_hand >= s.reserved + reserved,
               s.reserved + reserved >= 0)
        .values(on_hand=s.on_hand + on_hand, reserved=s.reserved + reserved)
        .returning(s.sku, s.warehouse_id, s.on_hand, s.reserved)
    )


def _upserts(
    build: Callable[[sa.Table], postgresql.Insert] | Callable[[sa.Table], sqlite.Insert],
) -> dict[str, Any]:
    create = build(stock_levels).values(sku=_SKU, warehouse_id=_WAREHOUSE, on_hand=_ON_HAND,
                                        reserved=_RESERVED)
    settings = build(stock_levels).values(
        sku=_SKU, warehouse_id=_WAREHOUSE, on_hand=0, reserved=0,
        reorder_point=sa.bindparam("p_reorder_point"),
        reorder_quantity=sa.bindparam("p_reorder_quantity"),
        min_level=sa.bindparam("p_min_level"), max_level=sa.bindparam("p_max_level"),
        bin_location=sa.bindparam("p_bin_location"),
    )
    batch = build(stock_batches).values(
        sku=_SKU, warehouse_id=_WAREHOUSE, batch_number=sa.bindparam("p_batch"),
        expiry_date=sa.bindparam("p_expiry"), on_hand=_ON_HAND,
    )
    return {
        "create": create.on_conflict_do_nothing(
            index_elements=[s.sku, s.warehouse_id]).returning(s.on_hand, s.reserved),
        "configure": settings.on_conflict_do_update(
            index_elements=[s.sku, s.warehouse_id],
            set_={name: settings.excluded[name] for name in (
                "reorder_point", "reorder_quantity", "min_level", "max_level",
                "bin_location")},
        ),
        "batch": batch.on_conflict_do_nothing(
            index_elements=[b.sku, b.warehouse_id, b.batch_number],
        ).execution_options(preserve_rowcount=True),
    }


_UPSERT = {"postgresql": _upserts(postgresql.insert), "sqlite": _upserts(sqlite.insert)}

_BATCH_AT = (b.sku == _SKU, b.warehouse_id == _WAREHOUSE,
             b.batch_number == sa.bindparam("p_batch"))
_CHANGE_BATCH = (stock_batches.update()
                 .where(*_BATCH_AT, b.on_hand + _ON_HAND >= 0)
                 .values(on_hand=b.on_hand + _ON_HAND))
_BATCH_UNITS = sa.select(b.on_hand).where(*_BATCH_AT)
_BATCHES = sa.select(stock_batches).where(b.on_hand > 0).order_by(
    CodePointOrder(b.sku), CodePointOrder(b.warehouse_id),
    sa.case((b.expiry_date.is_(None), 1), else_=0), b.expiry_date,
    CodePointOrder(b.batch_number),
)

_MOVEMENTS = sa.select(stock_movements).order_by(m.created_at.desc(),
                                                 CodePointOrder(m.id).desc())
_SUMS = (
    sa.select(m.sku, m.warehouse_id, sa.func.sum(m.on_hand_change).label("on_hand"),
              sa.func.sum(m.reserved_change).label("reserved"))
    .group_by(m.sku, m.warehouse_id)
    .subquery("ledger")
)
_SKU_OF = sa.func.coalesce(s.sku, _SUMS.c.sku)
_WAREHOUSE_OF = sa.func.coalesce(s.warehouse_id, _SUMS.c.warehouse_id)
_BALANCES = (
    sa.select(
        _SKU_OF.label("sku"),
        _WAREHOUSE_OF.label("warehouse_id"),
        sa.func.coalesce(s.on_hand, 0).label("on_hand"),
        sa.func.coalesce(s.reserved, 0).label("reserved"),
        sa.func.coalesce(_SUMS.c.on_hand, 0).label("ledger_on_hand"),
        sa.func.coalesce(_SUMS.c.reserved, 0).label("ledger_reserved"),
    )
    # One statement, so counters and sums are read at the same instant.
    .select_from(stock_levels.join(
        _SUMS, sa.and_(s.sku == _SUMS.c.sku, s.warehouse_id == _SUMS.c.warehouse_id),
        full=True))
    .order_by(CodePointOrder(_SKU_OF), CodePointOrder(_WAREHOUSE_OF))
)


def _settings(row: Any) -> StockSettings:
    return StockSettings(row.reorder_point, row.reorder_quantity, row.min_level, row.max_level,
                         row.bin_location)


def _movement_from(row: Any) -> StockMovement:
    return StockMovement(
        row.id, row.sku, row.warehouse_id, MovementType(row.movement_type), row.on_hand_change,
        row.reserved_change, row.on_hand_after, row.reserved_after, row.reason,
        row.reference_type, row.reference_id, row.batch_number, row.expiry_date,
        row.transfer_id, row.counterpart_warehouse_id, row.notes, row.actor, row.created_at,
    )


def _movement_row(movement: StockMovement) -> dict[str, object]:
    return {
        "id": movement.id, "sku": movement.sku, "warehouse_id": movement.warehouse_id,
        "movement_type": movement.type.value, "on_hand_change": movement.on_hand_change,
        "reserved_change": movement.reserved_change, "on_hand_after": movement.on_hand_after,
        "reserved_after": movement.reserved_after, "reason": movement.reason,
        "reference_type": movement.reference_type, "reference_id": movement.reference_id,
        "batch_number": movement.batch_number, "expiry_date": movement.expiry_date,
        "transfer_id": movement.transfer_id,
        "counterpart_warehouse_id": movement.counterpart_warehouse_id,
        "notes": movement.notes, "actor": movement.actor, "created_at": movement.created_at,
    }



# PostgreSQL: the guarded update and its ledger row as one statement (an UPDATE in a WITH).
_LEDGER_COLUMNS = {
    "id": sa.String, "movement_type": sa.String, "reason": sa.Text, "reference_type": sa.String,
    "reference_id": sa.String, "batch_number": sa.String, "expiry_date": sa.Date,
    "transfer_id": sa.String, "counterpart_warehouse_id": sa.String, "notes": sa.Text,
    "actor": sa.String, "created_at": UtcDateTime,
}
_MOVED = _CHANGE.cte("moved")
_CHANGE_AND_RECORD = (
    stock_movements.insert()
    .from_select(
        ["sku", "warehouse_id", "on_hand_change", "reserved_change", "on_hand_after",
         "reserved_after", *_LEDGER_COLUMNS],
        sa.select(_SKU, _WAREHOUSE, _ON_HAND, _RESERVED, _MOVED.c.on_hand, _MOVED.c.reserved,
                  *(sa.bindparam(f"m_{name}", type_=kind)
                    for name, kind in _LEDGER_COLUMNS.items())),
    )
    .returning(m.on_hand_after, m.reserved_after)
    .add_cte(_MOVED)
)


def _ledger_params(movement: StockMovement) -> dict[str, object]:
    row = _movement_row(movement)
    return {f"m_{name}": row[name] for name in _LEDGER_COLUMNS}


class SqlStockLevels:
    def __init__(self, db: SqlTransaction, clock: Clock, ids: IdGenerator) -> None:
        self._db, self._clock, self._ids = db, clock, ids

    @staticmethod
    def _at(sku: str, warehouse_id: str) -> dict[str, object]:
        return {"p_sku": sku, "p_warehouse": warehouse_id}

    def get(self, sku: str, warehouse_id: str) -> StockLevel | None:
        row = self._db.execute(_LEVEL, self._at(sku, warehouse_id)).first()
        return None if row is None else StockLevel(sku, warehouse_id, row.on_hand, row.reserved)

    def list(self, sku: str | None = None) -> list[StockLevel]:
        statement = _LEVELS if sku is None else _LEVELS.where(s.sku == sku)
        return [StockLevel(r.sku, r.warehouse_id, r.on_hand, r.reserved)
                for r in self._db.execute(statement)]

    def lock(self, sku: str, warehouse_id: str) -> StockLevel | None:
        row = self._db.execute(_LEVEL_LOCKED, self._at(sku, warehouse_id)).first()
        return None if row is None else StockLevel(sku, warehouse_id, row.on_hand, row.reserved)

    def change(
        self, sku: str, warehouse_id: str, *, on_hand: int = 0, reserved: int = 0,
        info: MovementInfo,
    ) -> StockMovement | None:
        if on_hand == 0 and reserved == 0:
            raise InvalidStockChange("a stock change moves at least one counter", sku=sku)
        movement = StockMovement.record(
            self._ids.new_id(), sku, warehouse_id, info, on_hand_change=on_hand,
            reserved_change=reserved, on_hand_after=0, reserved_after=0, now=self._clock.now(),
        )
        params = {**self._at(sku, warehouse_id), "p_on_hand": on_hand, "p_reserved": reserved}
        if self._db.is_postgres:
            # One round trip changes the row and appends its movement: the row's lock is held
            # for one statement fewer, which is what concurrent buyers of one SKU wait for.
            after = self._db.execute(_CHANGE_AND_RECORD, {**params, **_ledger_params(movement)}
                                     ).first()
            if after is not None:
                return attrs.evolve(movement, on_hand_after=after.on_hand_after,
                                    reserved_after=after.reserved_after)
        else:
            after = self._db.execute(_CHANGE, params).first()
        if after is None and 0 <= reserved <= on_hand:
            # No row yet: these deltas alone make a valid one. A row another transaction
            # created meanwhile makes the insert a no-op; the update then decides.
            after = self._db.execute(_UPSERT[self._db.dialect]["create"], params).first()
            if after is None:
                after = self._db.execute(_CHANGE, params).first()
        if after is None:
            return None
        movement = attrs.evolve(movement, on_hand_after=after.on_hand,
                                reserved_after=after.reserved)
        self._db.insert(stock_movements, [_movement_row(movement)])
        return movement

    def change_many(self, changes: Sequence[StockChange]) -> builtins.list[StockMovement | None]:
        results: builtins.list[StockMovement | None] = [None] * len(changes)
        pending = builtins.list(enumerate(changes))
        while pending:
            # A row changed twice in one batch is changed by the next statement, after the
            # first change: the result is that of calling `change` in order.
            batch: builtins.list[tuple[int, StockChange]] = []
            later: builtins.list[tuple[int, StockChange]] = []
            keys: set[tuple[str, str]] = set()
            for index, wanted in pending:
                key = (wanted.sku, wanted.warehouse_id)
                (later if key in keys else batch).append((index, wanted))
                keys.add(key)
            self._change_rows(batch, results)
            pending = later
        return results

    def _change_rows(self, batch: builtins.list[tuple[int, StockChange]],
                     results: builtins.list[StockMovement | None]) -> None:
        if len(batch) == 1:
            (index, c), = batch
            results[index] = self.change(c.sku, c.warehouse_id, on_hand=c.on_hand,
                                         reserved=c.reserved, info=c.info)
            return
        params: dict[str, object] = {}
        for n, (_, c) in enumerate(batch):
            if c.on_hand == 0 and c.reserved == 0:
                raise InvalidStockChange("a stock change moves at least one counter", sku=c.sku)
            params.update({f"s{n}": c.sku, f"w{n}": c.warehouse_id, f"o{n}": c.on_hand,
                           f"r{n}": c.reserved})
        after = {(row.sku, row.warehouse_id): row
                 for row in self._db.execute(_change_of_many(len(batch)), params)}
        now = self._clock.now()
        recorded = []
        for index, c in batch:
            row = after.get((c.sku, c.warehouse_id))
            if row is None:
                # Refused, or no row yet: `change` decides (and creates the row when it may).
                results[index] = self.change(c.sku, c.warehouse_id, on_hand=c.on_hand,
                                             reserved=c.reserved, info=c.info)
                continue
            movement = StockMovement.record(
                self._ids.new_id(), c.sku, c.warehouse_id, c.info, on_hand_change=c.on_hand,
                reserved_change=c.reserved, on_hand_after=row.on_hand,
                reserved_after=row.reserved, now=now,
            )
            results[index] = movement
            recorded.append(_movement_row(movement))
        # Queued with the transaction's other writes where they are batched: nothing waits
        # for the ledger rows, and any later statement is sent after them.
        self._db.insert(stock_movements, recorded)

    def items_for(self, skus: Collection[str], *, lock: bool = False) -> builtins.list[StockItem]:
        if not skus:
            return []
        statement = _ITEMS_FOR_LOCKED if lock else _ITEMS_FOR
        return [StockItem(r.sku, r.warehouse_id, r.on_hand, r.reserved, _settings(r))
                for r in self._db.execute(statement, {"p_skus": sorted(set(skus))})]

    def set_on_hand(
        self, sku: str, warehouse_id: str, on_hand: int, *, info: MovementInfo | None = None
    ) -> StockLevel | None:
        # Read under the row's lock (SQLite already holds the database's write lock), so the
        # difference recorded is against the level this change replaces.
        before = self.lock(sku, warehouse_id)
        reserved = 0 if before is None else before.reserved
        refused = StockBelowReserved(
            f"{reserved} units of {sku} are reserved; on hand cannot drop to {on_hand}",
            sku=sku, reserved=reserved, on_hand=on_hand,
        )
        if on_hand < reserved or on_hand < 0:
            raise refused
        delta = on_hand - (before.on_hand if before else 0)
        if delta:
            moved = self.change(sku, warehouse_id, on_hand=delta,
                                info=info or MovementInfo(MovementType.COUNT, reason="count"))
            if moved is None:
                raise refused
        elif before is None:
            self._db.execute(_UPSERT[self._db.dialect]["create"],
                             {**self._at(sku, warehouse_id), "p_on_hand": 0, "p_reserved": 0})
        return before

    def item(self, sku: str, warehouse_id: str) -> StockItem | None:
        row = self._db.execute(_ITEM, self._at(sku, warehouse_id)).first()
        return None if row is None else StockItem(sku, warehouse_id, row.on_hand, row.reserved,
                                                  _settings(row))

    def items(self, *, sku: str | None = None,
              warehouse_id: str | None = None) -> builtins.list[StockItem]:
        statement = _LEVELS
        if sku is not None:
            statement = statement.where(s.sku == sku)
        if warehouse_id is not None:
            statement = statement.where(s.warehouse_id == warehouse_id)
        return [StockItem(r.sku, r.warehouse_id, r.on_hand, r.reserved, _settings(r))
                for r in self._db.execute(statement)]

    def configure(self, sku: str, warehouse_id: str, settings: StockSettings) -> None:
        self._db.execute(_UPSERT[self._db.dialect]["configure"], {
            **self._at(sku, warehouse_id), "p_reorder_point": settings.reorder_point,
            "p_reorder_quantity": settings.reorder_quantity, "p_min_level": settings.min_level,
            "p_max_level": settings.max_level, "p_bin_location": settings.bin_location,
        })

    def batches(self, *, sku: str | None = None,
                warehouse_id: str | None = None) -> builtins.list[Batch]:
        statement = _BATCHES
        if sku is not None:
            statement = statement.where(b.sku == sku)
        if warehouse_id is not None:
            statement = statement.where(b.warehouse_id == warehouse_id)
        return [Batch(r.sku, r.warehouse_id, r.batch_number, r.expiry_date, r.on_hand)
                for r in self._db.execute(statement)]

    def change_batch(self, sku: str, warehouse_id: str, batch_number: str, quantity: int,
                     expiry_date: date | None = None) -> None:
        params = {**self._at(sku, warehouse_id), "p_batch": batch_number,
                  "p_expiry": expiry_date, "p_on_hand": quantity}
        if self._db.execute(_CHANGE_BATCH, params).rowcount == 1:
            return
        if quantity >= 0 and self._db.execute(
                _UPSERT[self._db.dialect]["batch"], params).rowcount == 1:
            return
        if quantity >= 0 and self._db.execute(_CHANGE_BATCH, params).rowcount == 1:
            return  # created by another transaction between the two statements
        held = self._db.execute(_BATCH_UNITS, params).scalar()
        raise InvalidStockChange(f"batch {batch_number} holds {held or 0} units of {sku}",
                                 sku=sku, batch_number=batch_number)


class SqlStockLedger:
    def __init__(self, db: SqlTransaction) -> None:
        self._db = db

    def movements(self, *, sku: str | None = None, warehouse_id: str | None = None,
                  reference_id: str | None = None, limit: int = 100) -> list[StockMovement]:
        statement = _MOVEMENTS
        if sku is not None:
            statement = statement.where(m.sku == sku)
        if warehouse_id is not None:
            statement = statement.where(m.warehouse_id == warehouse_id)
        if reference_id is not None:
            statement = statement.where(m.reference_id == reference_id)
        return [_movement_from(row) for row in self._db.execute(statement.limit(limit))]

    def balances(self) -> list[LedgerBalance]:
        return [LedgerBalance(r.sku, r.warehouse_id, r.on_hand, r.reserved,
                              int(r.ledger_on_hand), int(r.ledger_reserved))
                for r in self._db.execute(_BALANCES)]
