"""A unit of work's connection: opened by the first statement, the one path all statements take."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.elements import BindParameter

from adapters.sql.errors import translate_failure

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None

# Bound values one combined write may carry (PostgreSQL accepts 65535 per statement).
_MOST_VALUES = 30_000


@attrs.frozen
class _Write:
    """A write held back to be sent with the next ones as one statement."""

    statement: Insert | Update
    rows: Sequence[Mapping[str, Any]]
    expected: int | None  # rows an update must match, else `conflict` is raised
    conflict: Callable[[], Exception] | None

    @property
    def size(self) -> int:
        return sum(len(row) for row in self.rows)


class SqlTransaction:
    """Borrows a pooled connection when a statement first needs one and keeps it until `close`.

    A unit of work that only reads aggregates it already holds never touches the pool. After
    `commit` or `rollback` the next statement begins a new transaction on the same connection.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.dialect = engine.dialect.name
        self._connection: Connection | None = None
        self._writes: list[_Write] = []

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def execute(self, statement: Executable, params: Params = None) -> CursorResult[Any]:
        if self._writes:
            self._send()
        return self._execute(statement, params)

    def _execute(self, statement: Executable, params: Params = None) -> CursorResult[Any]:
        connection = self._connection
        if connection is None:
            connection = self._connection = self._engine.connect()
        try:
            return connection.execute(statement, params)
        except DBAPIError as exc:
            _raise_translated(exc)

    def write(self, statement: Insert | Update,
              rows: Mapping[str, Any] | Sequence[Mapping[str, Any]], *,
              expected: int | None = None,
              conflict: Callable[[], Exception] | None = None) -> None:
        """An INSERT of `rows`, or an UPDATE once per row that must match `expected` rows in
        all (else `conflict()` is raised). On PostgreSQL the writes of a commit are held back
        and sent together as one statement (each a data-modifying WITH of it) when the next
        statement or the commit comes: the writes of a unit of work cost one round trip. In
        order, as if sent one by one: any other statement sends what is held first. SQLite
        has no such WITH: each write is sent at once."""
        batch = [rows] if isinstance(rows, Mapping) else list(rows)
        if not batch:
            return
        held = _Write(statement, batch, expected, conflict)
        if not self.is_postgres or held.size > _MOST_VALUES:
            self._send_one(held)
            return
        if sum(w.size for w in self._writes) + held.size > _MOST_VALUES:
            self._send()
        self._writes.append(held)

    def _send_one(self, held: _Write) -> None:
        rows = held.rows
        result = self.execute(held.statement, rows if len(rows) > 1 else rows[0])
        if held.expected is not None and result.rowcount != held.expected:
            assert held.conflict is not None
            raise held.conflict()

    def send_held(self) -> None:
        """Send the writes held back now (a caller that must see their failures itself)."""
        if self._writes:
            self._send()

    def _send(self) -> None:
        writes, self._writes = self._writes, []
        if len(writes) == 1:
            self._send_one(writes[0])
            return
        ctes: list[Any] = []
        counted: list[tuple[_Write, list[Any]]] = []
        for n, held in enumerate(writes):
            if isinstance(held.statement, Insert):
                ctes.append(held.statement.values(list(held.rows)).cte(f"w{n}"))
                continue
            updates = [_bound(held.statement, row).cte(f"w{n}_{k}")
                       for k, row in enumerate(held.rows)]
            ctes.extend(updates)
            if held.expected is not None:
                counted.append((held, updates))
        counts: list[Any] = [sa.select(sa.func.count()).select_from(cte).scalar_subquery()
                             for _, updates in counted for cte in updates] or [sa.literal(1)]
        row = self._execute(sa.select(*counts).add_cte(*ctes)).one()
        matched = iter(row)
        for held, updates in counted:
            if sum(next(matched) for _ in updates) != held.expected:
                assert held.conflict is not None
                raise held.conflict()

    def commit(self) -> None:
        if self._writes:
            self._send()
        if self._connection is not None and self._connection.in_transaction():
            try:
                self._connection.commit()
            except DBAPIError as exc:
                _raise_translated(exc)

    def rollback(self) -> None:
        self._writes.clear()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()

    def close(self) -> None:
        self._writes.clear()
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if connection.in_transaction():
                    connection.rollback()
            finally:
                connection.close()


def _bound(statement: Update, row: Mapping[str, Any]) -> Any:
    """The UPDATE for one row as a statement of its own: the row's columns set, its named
    parameters (the key and the expected version) bound to its values under names of their
    own, and one row returned per row matched (counted by the combined statement)."""
    columns = statement.table.c
    named = {key: value for key, value in row.items() if key not in columns}

    def bind(parameter: BindParameter[Any]) -> None:
        if parameter.key in named:
            parameter.value, parameter.required, parameter.callable = (
                named[parameter.key], False, None)
            parameter._convert_to_unique()  # type: ignore[no-untyped-call]

    setting = statement.values({key: value for key, value in row.items() if key in columns})
    return visitors.cloned_traverse(setting.returning(sa.literal(1)), {}, {"bindparam": bind})


def _raise_translated(failure: DBAPIError) -> NoReturn:
    """The one place database failures become the errors the ports promise (constraint
    violations, lost races); anything else propagates as the driver reported it."""
    error = translate_failure(failure)
    if error is None:
        raise failure
    raise error from failure
