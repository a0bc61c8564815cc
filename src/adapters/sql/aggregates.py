"""Loading and saving one kind of aggregate: a root row, its child rows, and its version.

Each repository composes an `AggregateStore` configured by an `AggregateMap` (the aggregate's
kind and its `RowCodec`, which names the root and child tables and translates the aggregate to
rows and back). The store keeps the unit of
work's `Tracker` informed, loads child collections for many roots in one query per child table,
and writes on commit: new roots inserted, changed roots updated under an optimistic version check,
child rows replaced only when they differ from what was last read or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.base import Executable

from adapters.sql.codec import ChildRows, LoadedChildren, Row, RowCodec, Values
from adapters.sql.transaction import Params, SqlTransaction
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.uow import Aggregate, Tracker

A = TypeVar("A", bound=Aggregate)
__all__ = ["AggregateMap", "AggregateRepository", "AggregateStore", "ChildRows",
           "LoadedChildren", "Row", "Values"]

_NO_CHILDREN: dict[str, list[Row]] = {}


def _parent_column(table: sa.Table) -> str:
    (key,) = table.foreign_keys
    return str(key.parent.name)


def _children_union(children: Sequence[sa.Table], keys: list[str]) -> Executable | None:
    """Every child table's rows for some roots in one query: a UNION ALL of one SELECT per
    table over the columns of all of them (NULL where a table has no such column), tagged with
    the table's index and the root's key. None when there is one child table only, or when two
    tables give one column name different types (then one query per table)."""
    if len(children) < 2:
        return None
    types: dict[str, sa.Column[object]] = {}
    for child in children:
        for column in child.c:
            seen = types.setdefault(column.name, column)
            if type(seen.type) is not type(column.type):
                return None
    selects = [
        sa.select(
            sa.literal(index).label("child_table_index"), child.c[key].label("child_root_key"),
            *(child.c[name].label(name) if name in child.c
              else sa.cast(sa.null(), column.type).label(name)
              for name, column in types.items()),
        ).where(child.c[key].in_(sa.bindparam("ids", expanding=True)))
        for index, (child, key) in enumerate(zip(children, keys, strict=True))
    ]
    union = sa.union_all(*selects).subquery()
    return sa.select(union).order_by(union.c.child_table_index, union.c.child_root_key,
                                     union.c.position)


class AggregateMap(Generic[A]):
    """How one aggregate kind maps to tables; its statements are built once, at import."""

    def __init__(self, *, kind: str, not_found: type[CommerceError], codec: RowCodec[A]) -> None:
        self.kind, self.not_found, self.codec = kind, not_found, codec
        self.table = table = codec.table
        children = codec.child_tables
        self.by_id = sa.select(table).where(table.c.id == sa.bindparam("id"))
        self.by_ids = sa.select(table).where(table.c.id.in_(sa.bindparam("ids", expanding=True)))
        self.insert = table.insert()
        self.update = (
            table.update()
            .where(table.c.id == sa.bindparam("key"), table.c.version == sa.bindparam("expected"))
            .values(version=table.c.version + 1)
        )
        self.children = {child.name: _parent_column(child) for child in children}
        self.child_select = {
            child.name: sa.select(child)
            .where(child.c[key].in_(sa.bindparam("ids", expanding=True)))
            .order_by(child.c[key], child.c.position)
            for child, key in zip(children, self.children.values(), strict=True)
        }
        self.children_union = _children_union(children, list(self.children.values()))
        self.child_delete = {
            child.name: child.delete().where(child.c[key] == sa.bindparam("parent"))
            for child, key in zip(children, self.children.values(), strict=True)
        }
        self.child_insert = {child.name: child.insert() for child in children}
        self.child_tables = {child.name: child for child in children}

    def to_row(self, aggregate: A) -> Values:
        """The root row without `version`: the store writes versions itself."""
        row = self.codec.encode(aggregate)
        del row["version"]
        return row

    def to_children(self, aggregate: A) -> ChildRows:
        return self.codec.child_rows(aggregate, aggregate.id) if self.children else {}

    def from_rows(self, row: Row, children: LoadedChildren) -> A:
        return self.codec.decode(row, children)


class AggregateStore(Generic[A]):
    """One unit of work's view of one aggregate kind."""

    def __init__(self, db: SqlTransaction, tracker: Tracker, mapping: AggregateMap[A]) -> None:
        self.db, self._tracker, self._map = db, tracker, mapping
        # Child rows as the database holds them are kept with each aggregate's tracker entry, so
        # they travel with it when a later unit of work adopts it (`Held`).
        self._pending: dict[str, ChildRows] = {}  # written by this commit, not yet committed
        self._bumped: list[A] = []

    # -- reading ------------------------------------------------------------------------------
    def add(self, aggregate: A) -> None:
        self._tracker.added(self._map.kind, aggregate)

    def cached(self, aggregate_id: str) -> A | None:
        found: A | None = self._tracker.cached(self._map.kind, aggregate_id)
        return found

    def get(self, aggregate_id: str) -> A:
        found = self.cached(aggregate_id)
        if found is None:
            found = self.first(self._map.by_id, {"id": aggregate_id})
        if found is None:
            raise self._map.not_found(
                f"{self._map.kind} {aggregate_id} not found", id=aggregate_id
            )
        return found

    def get_many(self, aggregate_ids: Sequence[str]) -> list[A]:
        """The aggregates in the order asked; those this unit of work does not hold yet are read
        in one query (none when all are held, as after `adopt`)."""
        missing = sorted({i for i in aggregate_ids if self.cached(i) is None})
        if missing:
            self.all(self._map.by_ids, {"ids": missing})
        return [self.get(aggregate_id) for aggregate_id in aggregate_ids]

    def first(self, statement: Executable, params: Params = None) -> A | None:
        loaded = self.all(statement, params)
        return loaded[0] if loaded else None

    def all(self, statement: Executable, params: Params = None) -> list[A]:
        return self.load(self.db.execute(statement, params).all())

    def load(self, rows: Sequence[Row]) -> list[A]:
        """Aggregates for root rows; one already tracked in this unit of work is returned as is."""
        kind = self._map.kind
        fresh = [row.id for row in rows if self._tracker.cached(kind, row.id) is None]
        children = self._load_children(fresh)
        result: list[A] = []
        for row in rows:
            aggregate = self.cached(row.id)
            if aggregate is None:
                built = self._map.from_rows(row, children.get(row.id, _NO_CHILDREN))
                aggregate = self._tracker.loaded(kind, built)
                if self._map.children:
                    self._tracker.keep(kind, aggregate.id, self._map.to_children(aggregate))
            result.append(aggregate)
        return result

    def _load_children(self, ids: list[str]) -> dict[str, dict[str, list[Row]]]:
        if not ids or not self._map.children:
            return {}
        grouped: dict[str, dict[str, list[Row]]] = {
            aggregate_id: {name: [] for name in self._map.children} for aggregate_id in ids
        }
        union = self._map.children_union
        if union is not None:
            names = list(self._map.children)
            for row in self.db.execute(union, {"ids": ids}):
                grouped[row.child_root_key][names[row.child_table_index]].append(row)
            return grouped
        for name, key in self._map.children.items():
            for row in self.db.execute(self._map.child_select[name], {"ids": ids}):
                grouped[getattr(row, key)][name].append(row)
        return grouped

    # -- writing ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write this unit of work's new and changed aggregates (inside its transaction): queued
        with the transaction's other writes, unless a subclass overrides `flush` (it may act on
        its writes' failures there, so they are sent at once)."""
        mapping, db = self._map, self.db
        queued = type(self).flush is AggregateStore.flush
        new = list(self._tracker.new(mapping.kind))
        if new:
            rows = [{**mapping.to_row(a), "version": a.version} for a in new]
            self._insert(mapping.table, mapping.insert, rows, queued)
            batched: dict[str, list[Values]] = {}
            for aggregate in new:
                children = mapping.to_children(aggregate)
                for name, child_rows in children.items():
                    batched.setdefault(name, []).extend(child_rows)
                self._pending[aggregate.id] = children
            for name, child_rows in batched.items():
                self._insert(mapping.child_tables[name], mapping.child_insert[name],
                             child_rows, queued)
        # In id order, so two transactions changing the same aggregates lock them in one order;
        # one statement for all of them (the driver reports the rows matched in total).
        changed = sorted(self._tracker.changed(mapping.kind), key=lambda a: a.id)
        if not changed:
            return
        if queued:
            db.update_versioned(mapping.table, mapping.kind,
                                [mapping.to_row(a) for a in changed],
                                [a.version for a in changed])
        else:
            self._update(changed)
        self._bumped.extend(changed)
        if mapping.children:
            for aggregate in changed:
                self._replace_children(aggregate, queued)

    def _insert(self, table: sa.Table, statement: Executable, rows: list[Values],
                queued: bool) -> None:
        if not rows:
            return
        if queued:
            self.db.insert(table, rows)
        else:
            self.db.execute(statement, rows)

    def _update(self, changed: list[A]) -> None:
        mapping = self._map
        updates = []
        for aggregate in changed:
            values = mapping.to_row(aggregate)
            values.pop("id")
            updates.append({**values, "key": aggregate.id, "expected": aggregate.version})
        result = self.db.execute(mapping.update, updates if len(updates) > 1 else updates[0])
        if result.rowcount != len(changed):
            ids = [a.id for a in changed]
            raise ConcurrencyConflict(
                f"{mapping.kind} {', '.join(ids)} was changed by someone else", ids=ids
            )

    def _replace_children(self, aggregate: A, queued: bool) -> None:
        mapping = self._map
        before: ChildRows = self._tracker.stored(mapping.kind, aggregate.id) or {}
        children = mapping.to_children(aggregate)
        for name, rows in children.items():
            old = before.get(name, [])
            if old == rows:
                continue
            table, insert = mapping.child_tables[name], mapping.child_insert[name]
            if rows[:len(old)] == old:
                # Only appended (a status history grows this way): write just the new rows.
                self._insert(table, insert, rows[len(old):], queued)
                continue
            # The delete goes first, on its own: in one statement with the re-insert of the
            # same keys the two would clash (both see the rows as they were).
            delete = mapping.child_delete[name], {"parent": aggregate.id}
            if queued:
                self.db.execute_before_queued(*delete)
            else:
                self.db.execute(*delete)
            self._insert(table, insert, rows, queued)
        self._pending[aggregate.id] = children

    def after_commit(self) -> None:
        """The transaction committed: versions move on and written children become the baseline."""
        for aggregate in self._bumped:
            aggregate.version += 1
        self._bumped.clear()
        for aggregate_id, children in self._pending.items():
            self._tracker.keep(self._map.kind, aggregate_id, children)
        self._pending.clear()

    def after_rollback(self) -> None:
        self._bumped.clear()
        self._pending.clear()


class AggregateRepository(Generic[A]):
    """What every aggregate repository answers the same way, over its `AggregateStore`; the
    unit of work stages it (flush on commit) through the store."""

    def __init__(self, store: AggregateStore[A]) -> None:
        self._store = store

    def flush(self) -> None:
        self._store.flush()

    def after_commit(self) -> None:
        self._store.after_commit()

    def after_rollback(self) -> None:
        self._store.after_rollback()

    def add(self, aggregate: A) -> None:
        self._store.add(aggregate)

    def get(self, aggregate_id: str) -> A:
        return self._store.get(aggregate_id)
