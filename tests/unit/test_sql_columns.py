"""UtcDateTime's single SQLite bind function writes what the type and SQLite's DateTime write
chained, and what it writes reads back as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from adapters.sql.columns import UtcDateTime

VALUES = [
    datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: still written, fixed width
    datetime(999, 1, 1, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=7))),
    datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris")),
    datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("UTC")),
]


def test_the_sqlite_bind_function_writes_what_the_chain_writes() -> None:
    dialect = sqlite.dialect()
    fast = UtcDateTime().bind_processor(dialect)
    chained = sa.TypeDecorator.bind_processor(UtcDateTime(), dialect)
    assert fast is not None
    assert chained is not None
    assert fast is not chained
    for value in [*VALUES, None]:
        assert fast(value) == chained(value)
    with pytest.raises(ValueError, match="naive"):
        fast(datetime(2026, 1, 1))


def test_written_values_read_back_as_the_same_instant() -> None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("n", sa.Integer, primary_key=True),
                     sa.Column("at", UtcDateTime()))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"n": n, "at": v} for n, v in enumerate(VALUES)])
        read = [row.at for row in connection.execute(sa.select(table).order_by(table.c.n))]
    assert read == VALUES
    assert all(value.tzinfo is UTC for value in read)
