"""Engines configured for how units of work use them, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_engine(url: str | URL, *, pool_size: int = 10) -> Engine:
    """An engine for `url`; nothing connects until the first unit of work needs to."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if is_memory_sqlite(parsed):
            # Each pooled connection would open its own empty database: nothing would be shared.
            raise ValueError(
                "the SQL adapter needs a SQLite file (sqlite:///shop.db); "
                "use adapters.memory for a store that lives in memory"
            )
        return _sqlite_engine(parsed, pool_size)
    # No overflow: `pool_size` is the number of connections this process may hold, and a burst of
    # threads queues for one instead of opening more than the server was sized for.
    return sa.create_engine(parsed, pool_size=pool_size, max_overflow=0)


def _sqlite_engine(url: URL, pool_size: int) -> Engine:
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The driver must not open transactions on its own: `begin` below does it, IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin_immediate(connection: Connection) -> None:
        # Take the write lock up front: a transaction that read under a shared lock and then
        # writes would fail with SQLITE_BUSY on the upgrade instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
