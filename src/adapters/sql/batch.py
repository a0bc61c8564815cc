"""The writes of one transaction, queued and sent together as one PostgreSQL statement.

Each group of rows (one table, one operation, one set of columns) becomes a data-modifying
`WITH` clause whose rows arrive as arrays, one per column (`INSERT … SELECT * FROM unnest(…)`,
`UPDATE … FROM unnest(…) AS v(…) WHERE id and version match`), so the statement's text depends
on the groups and never on the number of rows: it is built once per shape and kept, and the
driver prepares a text it sees repeatedly. The final `SELECT` counts the rows each versioned
`UPDATE` matched; fewer than were sent is a lost race (`ConcurrencyConflict`).

All clauses of one statement see the same snapshot and not each other's changes: a row must not
be written twice in one send (`WriteBatch.update` refuses, the caller sends what is queued
first), and deletes are not queued (a delete and a re-insert of the same keys would clash).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from commerce_core.shared.errors import ConcurrencyConflict

Processor = Callable[[Any], Any] | None
# Tables by identity, with the columns and operation of their group.
_Shape = tuple[tuple[sa.Table, tuple[str, ...], bool], ...]
_KEY, _EXPECTED = '"batch_key"', '"batch_expected"'


def _float(value: Any) -> Any:
    # psycopg refuses a list mixing int and float: a Float column's array holds floats only.
    return None if value is None else float(value)


class _Columns:
    """How each column's values travel: the array's cast and the type's bind processor."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._known: dict[sa.Column[Any], tuple[str, Processor]] = {}

    def of(self, column: sa.Column[Any]) -> tuple[str, Processor]:
        known = self._known.get(column)
        if known is None:
            kind = column.type
            processor: Processor = (_float if isinstance(kind, sa.Float)
                                    else kind.dialect_impl(self._dialect)
                                    .bind_processor(self._dialect))
            known = self._known[column] = (f"{kind.compile(dialect=self._dialect)}[]",
                                           processor)
        return known


class _Statements:
    """Per dialect, shared by every transaction: each column's cast and processor, and each
    shape's text."""

    def __init__(self, dialect: Dialect) -> None:
        self.columns = _Columns(dialect)
        self.texts: dict[_Shape, str] = {}


_SHARED: dict[tuple[str, str], _Statements] = {}


class _Group:
    """Rows of one table written the same way: inserted, or updated under their version."""

    __slots__ = ("columns", "expected", "ids", "kind", "rows", "table", "versioned")

    def __init__(self, table: sa.Table, columns: tuple[str, ...], versioned: bool,
                 kind: str) -> None:
        self.table, self.columns, self.versioned, self.kind = table, columns, versioned, kind
        self.rows: list[Mapping[str, Any]] = []
        self.ids: list[str] = []
        self.expected: list[int] = []


class WriteBatch:
    """Rows queued in one transaction, taken out as one statement (`take`)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._quote = dialect.identifier_preparer.quote
        key = (dialect.name, dialect.driver)
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = _Statements(dialect)
        self._columns, self._texts = shared.columns, shared.texts
        self._groups: dict[tuple[sa.Table, tuple[str, ...], bool], _Group] = {}
        self._updated: set[tuple[str, str]] = set()

    def __bool__(self) -> bool:
        return bool(self._groups)

    def clear(self) -> None:
        self._groups.clear()
        self._updated.clear()

    def insert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        first = rows[0].keys()
        if all(row.keys() == first for row in rows):
            self._group(table, tuple(first), False, "").rows.extend(rows)
            return
        for row in rows:  # rows of different columns: one group per set of columns
            self._group(table, tuple(row), False, "").rows.append(row)

    def update(self, table: sa.Table, kind: str, rows: Sequence[Mapping[str, Any]],
               expected: Sequence[int]) -> bool:
        """Queue `rows` (each with its `id`, without `version`) to be written where the stored
        version is the expected one, bumping it. False, queuing nothing, when one of them is
        queued already (one statement must not change a row twice): send first, then queue."""
        keys = [(table.name, row["id"]) for row in rows]
        if not self._updated.isdisjoint(keys):
            return False
        self._updated.update(keys)
        first = rows[0].keys()
        if not all(row.keys() == first for row in rows):
            raise ValueError(f"{kind} rows of one commit must have the same columns")
        group = self._group(table, tuple(name for name in first if name != "id"), True, kind)
        group.rows.extend(rows)
        group.ids.extend(row["id"] for row in rows)
        group.expected.extend(expected)
        return True

    def _group(self, table: sa.Table, columns: tuple[str, ...], versioned: bool,
               kind: str) -> _Group:
        key = (table, columns, versioned)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(table, columns, versioned, kind)
        return group

    def take(self) -> tuple[str, dict[str, Any], list[tuple[str, list[str], int]]]:
        """The statement's text, its parameters, and for each count it returns (in order) the
        kind, ids and number of rows its versioned update must match; the batch is then empty."""
        groups = list(self._groups.values())
        self.clear()
        shape: _Shape = tuple((g.table, g.columns, g.versioned) for g in groups)
        text = self._texts.get(shape)
        if text is None:
            text = self._texts[shape] = self._text(groups)
        params: dict[str, Any] = {}
        checks = []
        for n, group in enumerate(groups):
            values = []
            if group.versioned:
                values += [group.ids, group.expected]
                checks.append((group.kind, group.ids, len(group.ids)))
            table, rows = group.table, group.rows
            for name in group.columns:
                column = list(map(itemgetter(name), rows))
                processor = self._columns.of(table.c[name])[1]
                values.append(column if processor is None else [processor(v) for v in column])
            for m, value in enumerate(values):
                params[f"b{n}_{m}"] = value
        return text, params, checks

    def _text(self, groups: Sequence[_Group]) -> str:
        clauses, counts = [], []
        for n, group in enumerate(groups):
            table, quote = group.table, self._quote
            casts = [self._columns.of(table.c[name])[0] for name in group.columns]
            names = [quote(name) for name in group.columns]
            if group.versioned:
                casts = [self._columns.of(table.c.id)[0],
                         self._columns.of(table.c.version)[0], *casts]
            arrays = ", ".join(f"%(b{n}_{m})s::{cast}" for m, cast in enumerate(casts))
            target = self._dialect.identifier_preparer.format_table(table)
            if not group.versioned:
                clauses.append(f"w{n} AS (INSERT INTO {target} ({', '.join(names)}) "
                               f"SELECT * FROM unnest({arrays}))")
                continue
            sets = ", ".join([*(f"{name} = v.{name}" for name in names),
                              "version = t.version + 1"])
            clauses.append(
                f"w{n} AS (UPDATE {target} AS t SET {sets} "
                f"FROM unnest({arrays}) AS v({_KEY}, {_EXPECTED}, {', '.join(names)}) "
                f"WHERE t.id = v.{_KEY} AND t.version = v.{_EXPECTED} RETURNING 1)")
            counts.append(f"(SELECT count(*) FROM w{n})")
        return f"WITH {', '.join(clauses)} SELECT {', '.join(counts) or '1'}"


def check_counts(found: Sequence[int], checks: Sequence[tuple[str, list[str], int]]) -> None:
    """Raise `ConcurrencyConflict` when a versioned update matched fewer rows than it sent."""
    for count, (kind, ids, wanted) in zip(found, checks, strict=False):
        if count != wanted:
            raise ConcurrencyConflict(
                f"{kind} {', '.join(ids)} was changed by someone else", ids=list(ids))
