"""SQLite transactions of one process queue for the file in arrival order (ADR 0035)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from adapters.sql.engine import WriterQueue, create_engine, writer_queue


def _wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.001)
    raise AssertionError("condition not reached")


def _queued(queue: WriterQueue, count: int) -> bool:
    return queue.waiting == count


def test_waiting_transactions_take_their_turn_in_arrival_order() -> None:
    queue = WriterQueue()
    assert queue.acquire()
    served: list[int] = []

    def writer(n: int) -> None:
        assert queue.acquire()
        served.append(n)
        queue.release()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_for(functools.partial(_queued, queue, n + 1))
    queue.release()
    for thread in threads:
        thread.join(5)
    assert served == [0, 1, 2, 3, 4]
    assert queue.waiting == 0
    assert queue.is_free()


def test_a_thread_holding_its_turn_takes_it_again_without_waiting() -> None:
    queue = WriterQueue()
    assert queue.acquire()
    assert queue.acquire(timeout=0.01)
    queue.release()
    assert not queue.is_free()
    queue.release()
    assert queue.is_free()


def test_a_wait_longer_than_the_timeout_leaves_the_queue() -> None:
    queue = WriterQueue()
    assert queue.acquire()
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(queue.acquire(timeout=0.05)))
    thread.start()
    thread.join(5)
    assert outcome == [False]
    assert queue.waiting == 0
    queue.release()
    assert queue.is_free()


def test_engines_on_one_file_share_its_queue(tmp_path: Path) -> None:
    assert writer_queue(str(tmp_path / "a.db")) is writer_queue(str(tmp_path / "a.db"))
    assert writer_queue(str(tmp_path / "a.db")) is not writer_queue(str(tmp_path / "b.db"))


def test_a_transaction_holds_the_turn_until_it_commits_or_rolls_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}", pool_size=3)
    queue = writer_queue(str(tmp_path / "shop.db"))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (n INTEGER)"))
    assert queue.is_free()
    events: list[str] = []

    def second() -> None:
        with engine.begin() as conn:
            events.append("second began")
            conn.execute(sa.text("INSERT INTO t VALUES (2)"))

    with engine.connect() as first:
        first.begin()
        first.execute(sa.text("INSERT INTO t VALUES (1)"))
        thread = threading.Thread(target=second)
        thread.start()
        _wait_for(lambda: queue.waiting == 1)
        events.append("first commits")
        first.commit()
        thread.join(5)
        assert events == ["first commits", "second began"]
        first.begin()  # a rollback gives the turn back too
        first.execute(sa.text("INSERT INTO t VALUES (3)"))
        assert not queue.is_free()
        first.rollback()
        assert queue.is_free()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]
    assert queue.is_free()
    engine.dispose()


def test_a_connection_closed_inside_its_transaction_gives_the_turn_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}", pool_size=1)
    queue = writer_queue(str(tmp_path / "shop.db"))
    conn = engine.connect()
    conn.begin()
    conn.execute(sa.text("SELECT 1"))
    assert not queue.is_free()
    conn.close()  # returned to the pool, which rolls the transaction back
    assert queue.is_free()
    engine.dispose()
