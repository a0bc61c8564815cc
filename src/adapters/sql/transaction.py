"""A unit of work's connection: opened by the first statement, the one path all statements take.

Writes whose answer nobody waits for (new rows, versioned updates of aggregates) are queued
(`insert`, `update_versioned`) and sent as one statement (`adapters.sql.batch`) when the
transaction commits, or before any other statement, which may depend on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable

from adapters.sql.batch import SqliteScript, WriteBatch, check_counts, lost_race
from adapters.sql.errors import translate_failure

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class SqlTransaction:
    """Borrows a pooled connection when a statement first needs one and keeps it until `close`.

    A unit of work that only reads aggregates it already holds never touches the pool. After
    `commit` or `rollback` the next statement begins a new transaction on the same connection.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.dialect = engine.dialect.name
        self._connection: Connection | None = None
        self._batch = WriteBatch(engine.dialect)
        self._created: list[str] = []  # SQLite scripts created in this transaction

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _connected(self) -> Connection:
        """The unit of work's connection, borrowed from the pool by its first statement."""
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def execute(self, statement: Executable, params: Params = None) -> CursorResult[Any]:
        """Run `statement` after the writes queued so far (it may read or refer to them)."""
        if self._batch:
            self.send_queued()
        return self.execute_before_queued(statement, params)

    def execute_before_queued(self, statement: Executable,
                              params: Params = None) -> CursorResult[Any]:
        """Run `statement` at once, ahead of the queued writes: for one that cannot depend on
        them (a delete of child rows whose re-insert is queued)."""
        connection = self._connected()
        try:
            return connection.execute(statement, params)
        except DBAPIError as exc:
            _raise_translated(exc)

    def insert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]], *,
               numbered: str | None = None) -> None:
        """Queue `rows` for `table`. `numbered`: a column SQLite numbers on (PostgreSQL's
        identity column does it there)."""
        self._batch.insert(table, rows, None if self.is_postgres else numbered)

    def update_versioned(self, table: sa.Table, kind: str, rows: Sequence[Mapping[str, Any]],
                         expected: Sequence[int]) -> None:
        """Queue the update of root rows (each with its `id`, without `version`) where their
        version is `expected`, bumping it; a row another transaction changed fails the send
        (`ConcurrencyConflict`)."""
        if not self._batch.update(table, kind, rows, expected):
            self.send_queued()
            self._batch.update(table, kind, rows, expected)

    def send_queued(self) -> None:
        """Send the queued writes now, as one statement."""
        batch = self._batch
        if not batch:
            return
        if not self.is_postgres:
            self._send_sqlite(batch)
            return
        text, params, checks = batch.take()
        counts = self._exec_driver_sql(text, params).one()
        check_counts(counts, checks)

    def _send_sqlite(self, batch: WriteBatch) -> None:
        script, payloads, checks = batch.take_sqlite()
        connection = self._connected()
        created: set[str] = connection.info.setdefault("commerce_write_scripts", set())
        if script.view not in created:
            # Made once per connection, like a statement a driver prepares: temporary objects
            # live with their connection. Inside an open transaction a rollback takes them
            # back, so `rollback` forgets them, and they are made `IF NOT EXISTS`.
            raw = connection.connection.driver_connection
            assert raw is not None
            for ddl in script.ddl:
                raw.execute(ddl)
            created.add(script.view)
            self._created.append(script.view)
        try:
            connection.exec_driver_sql(script.insert, payloads)
        except DBAPIError as exc:
            group = SqliteScript.conflict_group(str(exc.orig))
            if group is None:
                _raise_translated(exc)
            raise lost_race(*checks[group]) from exc

    def _exec_driver_sql(self, text: str, params: dict[str, Any]) -> CursorResult[Any]:
        connection = self._connected()
        try:
            return connection.exec_driver_sql(text, params)
        except DBAPIError as exc:
            _raise_translated(exc)

    def commit(self) -> None:
        if self._batch:
            self.send_queued()
        if self._connection is not None and self._connection.in_transaction():
            try:
                self._connection.commit()
            except DBAPIError as exc:
                _raise_translated(exc)

    def rollback(self) -> None:
        self._batch.clear()
        self._forget_created()
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()

    def _forget_created(self) -> None:
        if self._created and self._connection is not None:
            self._connection.info.get("commerce_write_scripts", set()).difference_update(
                self._created)
        self._created.clear()

    def close(self) -> None:
        self._batch.clear()
        if self._connection is not None and self._connection.in_transaction():
            self._forget_created()  # rolled back below
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if connection.in_transaction():
                    connection.rollback()
            finally:
                connection.close()


def _raise_translated(failure: DBAPIError) -> NoReturn:
    """The one place database failures become the errors the ports promise (constraint
    violations, lost races); anything else propagates as the driver reported it."""
    error = translate_failure(failure)
    if error is None:
        raise failure
    raise error from failure
