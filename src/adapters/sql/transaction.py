"""A unit of work's connection: opened by the first statement, the one path all statements take."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable

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

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def execute(self, statement: Executable, params: Params = None) -> CursorResult[Any]:
        connection = self._connection
        if connection is None:
            connection = self._connection = self._engine.connect()
        try:
            return connection.execute(statement, params)
        except DBAPIError as exc:
            _raise_translated(exc)

    def commit(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            try:
                self._connection.commit()
            except DBAPIError as exc:
                _raise_translated(exc)

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()

    def close(self) -> None:
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
