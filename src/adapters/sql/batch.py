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

import hashlib
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from commerce_core.shared.errors import ConcurrencyConflict

Processor = Callable[[Any], Any] | None
# Tables by identity, with the columns and operation of their group (and, on SQLite, the column
# an insert numbers).
_Shape = tuple[tuple[sa.Table, tuple[str, ...], bool, str | None], ...]
_KEY, _EXPECTED = '"batch_key"', '"batch_expected"'
_AS_STORED = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


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
        self.scripts: dict[_Shape, SqliteScript] = {}


_SHARED: dict[tuple[str, str], _Statements] = {}


class _Group:
    """Rows of one table written the same way: inserted, or updated under their version."""

    __slots__ = ("columns", "expected", "ids", "kind", "numbered", "rows", "table", "versioned")

    def __init__(self, table: sa.Table, columns: tuple[str, ...], versioned: bool,
                 kind: str, numbered: str | None = None) -> None:
        self.table, self.columns, self.versioned, self.kind = table, columns, versioned, kind
        self.numbered = numbered
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
        self._scripts = shared.scripts
        self._groups: dict[tuple[sa.Table, tuple[str, ...], bool, str | None], _Group] = {}
        self._updated: set[tuple[str, str]] = set()

    def __bool__(self) -> bool:
        return bool(self._groups)

    def clear(self) -> None:
        self._groups.clear()
        self._updated.clear()

    def insert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]],
               numbered: str | None = None) -> None:
        """Queue `rows`; `numbered` names a column SQLite fills with the next numbers (what an
        identity column does on PostgreSQL, which leaves it out)."""
        if not rows:
            return
        first = rows[0].keys()
        if all(row.keys() == first for row in rows):
            self._group(table, tuple(first), False, "", numbered).rows.extend(rows)
            return
        for row in rows:  # rows of different columns: one group per set of columns
            self._group(table, tuple(row), False, "", numbered).rows.append(row)

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
               kind: str, numbered: str | None = None) -> _Group:
        key = (table, columns, versioned, numbered)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(table, columns, versioned, kind, numbered)
        return group

    def _take_groups(self) -> tuple[_Shape, list[_Group]]:
        groups = list(self._groups.values())
        self.clear()
        return tuple((g.table, g.columns, g.versioned, g.numbered) for g in groups), groups

    def _values(self, group: _Group) -> list[list[Any]]:
        """The group's values column by column (key and expected version first for an
        update), through each column's bind processor."""
        values: list[list[Any]] = [group.ids, group.expected] if group.versioned else []
        table, rows = group.table, group.rows
        for name in group.columns:
            column = list(map(itemgetter(name), rows))
            processor = self._columns.of(table.c[name])[1]
            values.append(column if processor is None else [processor(v) for v in column])
        return values

    def take_sqlite(self) -> tuple[SqliteScript, tuple[str, ...],
                                   dict[int, tuple[str, list[str]]]]:
        """SQLite's form of `take`: the script (a temporary view whose trigger writes every
        group), one JSON array of rows per group, and by group number the kind and ids of each
        versioned update (the script checks their counts itself)."""
        shape, groups = self._take_groups()
        script = self._scripts.get(shape)
        if script is None:
            script = self._scripts[shape] = SqliteScript.of(
                groups, self._dialect.identifier_preparer)
        # A value the JSON text cannot carry as SQLite would store it (a datetime no processor
        # turned into text) fails here rather than being stored in another form.
        payloads = tuple(orjson.dumps(list(zip(*self._values(g), strict=True)),
                                      option=_AS_STORED).decode() for g in groups)
        checks = {n: (g.kind, g.ids) for n, g in enumerate(groups) if g.versioned}
        return script, payloads, checks

    def take(self) -> tuple[str, dict[str, Any], list[tuple[str, list[str], int]]]:
        """The statement's text, its parameters, and for each count it returns (in order) the
        kind, ids and number of rows its versioned update must match; the batch is then empty."""
        shape, groups = self._take_groups()
        text = self._texts.get(shape)
        if text is None:
            text = self._texts[shape] = self._text(groups)
        params: dict[str, Any] = {}
        checks = []
        for n, group in enumerate(groups):
            if group.versioned:
                checks.append((group.kind, group.ids, len(group.ids)))
            for m, value in enumerate(self._values(group)):
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
            raise lost_race(kind, ids)


def lost_race(kind: str, ids: Sequence[str]) -> ConcurrencyConflict:
    """What a versioned update that matched fewer rows than it was given raises."""
    return ConcurrencyConflict(f"{kind} {', '.join(ids)} was changed by someone else",
                               ids=list(ids))


class SqliteScript:
    """SQLite has no data-modifying `WITH`: one shape's writes are the body of a trigger on a
    temporary view instead, and one `INSERT` into the view runs them all. Each statement of
    the body reads its group's rows from a JSON array (`json_each`), so the text depends on the
    shape only, as on PostgreSQL; a versioned update that matched fewer rows than it was given
    aborts the whole statement with `RAISE`, naming its group."""

    CONFLICT = "commerce write batch conflict in group "

    def __init__(self, view: str, ddl: tuple[str, str], insert: str) -> None:
        self.view, self.ddl, self.insert = view, ddl, insert

    @classmethod
    def of(cls, groups: Sequence[_Group],
           preparer: sa.sql.compiler.IdentifierPreparer) -> SqliteScript:
        params = [f"p{n}" for n in range(len(groups))]
        body = []
        for n, group in enumerate(groups):
            target = preparer.format_table(group.table)
            names = [preparer.quote(name) for name in group.columns]
            offset = 2 if group.versioned else 0
            picks = [f"json_extract(value, '$[{m + offset}]') AS {name}"
                     for m, name in enumerate(names)]
            if not group.versioned:
                columns, values = names, picks
                if group.numbered is not None:  # the next numbers, in the rows' order
                    number = preparer.quote(group.numbered)
                    columns = [number, *names]
                    values = [f"(SELECT coalesce(max({number}), 0) FROM {target}) + key + 1",
                              *picks]
                body.append(f"INSERT INTO {target} ({', '.join(columns)}) "
                            f"SELECT {', '.join(values)} FROM json_each(NEW.p{n});")
                continue
            sets = ", ".join([*(f"{name} = w.{name}" for name in names),
                              "version = version + 1"])
            rows = ", ".join([f"json_extract(value, '$[0]') AS {_KEY}",
                              f"json_extract(value, '$[1]') AS {_EXPECTED}", *picks])
            body.append(f"UPDATE {target} SET {sets} FROM (SELECT {rows} "
                        f"FROM json_each(NEW.p{n})) AS w "
                        f"WHERE {target}.id = w.{_KEY} AND {target}.version = w.{_EXPECTED};")
            body.append(f"SELECT RAISE(ABORT, '{cls.CONFLICT}{n}') "
                        f"WHERE changes() <> json_array_length(NEW.p{n});")
        # Named by what it does: one name, one body, whichever thread or engine makes it.
        view = "commerce_write_batch_" + hashlib.sha256(" ".join(body).encode()).hexdigest()[:24]
        ddl = (f"CREATE TEMP VIEW IF NOT EXISTS {view} ({', '.join(params)}) AS "
               f"SELECT {', '.join('NULL' for _ in params)}",
               f"CREATE TEMP TRIGGER IF NOT EXISTS {view}_write INSTEAD OF INSERT ON {view} BEGIN "
               f"{' '.join(body)} END")
        return cls(view, ddl, f"INSERT INTO {view} ({', '.join(params)}) "
                              f"VALUES ({', '.join('?' for _ in params)})")

    @classmethod
    def conflict_group(cls, message: str) -> int | None:
        """Which group's versioned update lost a race, from the error `RAISE` gave."""
        at = message.find(cls.CONFLICT)
        return None if at < 0 else int(message[at + len(cls.CONFLICT):].split()[0])
