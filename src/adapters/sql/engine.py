"""Engines configured for how units of work use them, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque
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
    queue = writer_queue(url.database or "")
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False,
                      "factory": _QueuedConnection},
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # The driver must not open transactions on its own: `begin` below does it, IMMEDIATE.
        dbapi_connection.isolation_level = None
        dbapi_connection.queue = queue
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
        # Wait for this process's turn first (see `WriterQueue`), then take the write lock up
        # front: a transaction that read under a shared lock and then writes would fail with
        # SQLITE_BUSY on the upgrade instead of waiting its turn.
        raw = connection.connection.driver_connection
        if isinstance(raw, _QueuedConnection):
            raw.wait_turn()
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class WriterQueue:
    """One transaction at a time on a SQLite file within this process, in arrival order.

    Every unit of work on SQLite begins `IMMEDIATE`, so transactions run one at a time anyway;
    without this queue, the ones that find the file locked wait in SQLite's busy handler, which
    sleeps and retries with growing sleeps: under load most pass quickly and a few wait a second
    or more. Queued here, a transaction starts as soon as the previous one ends, first come
    first served, and SQLite's lock is free when it asks (other processes on the same file
    still meet the busy handler). A thread already holding its turn takes it again without
    waiting (a unit of work opened inside another on the same thread then meets SQLite's lock,
    as it did before); a wait longer than the busy timeout gives up the queue and leaves the
    transaction to SQLite's own waiting.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    @property
    def waiting(self) -> int:
        """Transactions waiting for their turn."""
        with self._mutex:
            return len(self._waiting)

    def is_free(self) -> bool:
        """No transaction holds the turn."""
        with self._mutex:
            return self._owner is None

    def acquire(self, timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> bool:
        """Wait for this thread's turn (at most `timeout` seconds); False if it did not come."""
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None:
                self._owner, self._depth = me, 1
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append((me, turn))
        if turn.acquire(timeout=timeout):
            return True  # handed over by `release`, owner already set to this thread
        with self._mutex:
            if (me, turn) in self._waiting:
                self._waiting.remove((me, turn))
                return False
            return True  # handed over between the timeout and here

    def release(self) -> None:
        with self._mutex:  # by the connection that acquired, whichever thread closes it
            if self._owner is None:
                return
            self._depth -= 1
            if self._depth:
                return
            if self._waiting:
                self._owner, turn = self._waiting.popleft()
                self._depth = 1
                turn.release()
            else:
                self._owner = None


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def writer_queue(database: str) -> WriterQueue:
    """The queue of the SQLite file `database`: one per file, shared by every engine on it."""
    key = os.path.realpath(database)
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(key, WriterQueue())


class _QueuedConnection(sqlite3.Connection):
    """A SQLite connection that holds its turn in the file's `WriterQueue` from `BEGIN` until
    its transaction ends (commit, rollback, or close)."""

    queue: WriterQueue | None = None
    _holding = False

    def wait_turn(self) -> None:
        if self.queue is not None and not self._holding:
            self._holding = self.queue.acquire()

    def _leave(self) -> None:
        if self._holding:
            self._holding = False
            if self.queue is not None:
                self.queue.release()

    def commit(self) -> None:
        super().commit()
        self._leave()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave()
