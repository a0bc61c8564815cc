"""Column types that keep domain values exact on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware datetimes in UTC, whatever the backend stores.

    SQLite has no timezone type: values go in as naive UTC text (fixed width, so text order is time
    order) and come back with UTC attached. PostgreSQL keeps `timestamptz`; its values are brought
    to UTC so they read back exactly as they were written, whatever the session time zone.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the core works in aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, one function from an aware datetime to the text SQLite's DateTime would
        write, instead of the two this type and its implementation chain per value: every
        timestamp of every written row goes through it. Used only when it writes exactly what
        the chained pair writes (checked here, once per dialect); the chain otherwise."""
        chained = super().bind_processor(dialect)
        if dialect.name != "sqlite" or chained is None:
            return chained
        samples = [datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC),
                   datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=7)))]
        if any(_sqlite_text(sample) != chained(sample) for sample in samples):
            return chained
        return _sqlite_text


def _sqlite_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the core works in aware UTC datetimes")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # The text without its "+00:00": the year has four digits, so the rest is 26 characters.
    return value.isoformat(" ", "microseconds")[:26]


class JsonText(sa.TypeDecorator[Any]):
    """JSON stored as text: the same column on every backend, serialised by orjson."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else orjson.dumps(value).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else orjson.loads(value)


class CodePointOrder(FunctionElement[str]):
    """A text column compared by code point, the order Python sorts strings in (and the memory
    fake lists them). SQLite's default BINARY collation already does; PostgreSQL needs "C"."""

    inherit_cache = True
    name = "code_point_order"


@compiles(CodePointOrder)
def _code_point_order(element: CodePointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(CodePointOrder, "postgresql")
def _code_point_order_postgresql(
    element: CodePointOrder, compiler: SQLCompiler, **kw: Any
) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'
