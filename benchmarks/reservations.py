"""Reservation throughput on PostgreSQL: the core's `ReserveStock` next to a hand-written psycopg
transaction doing the same conditional update and inserts, measured in the same run.

    uv run python -m benchmarks.reservations [--reservations 2000] [--runs 3] [--workers 1,4,8]

Two shapes: a *hot* SKU (every reservation takes the same stock row, so they queue on its row
lock) and *spread* SKUs (100 SKUs, round robin). Each reservation holds 1 unit. Per reservation
the core reads the active warehouses and the SKU's rows (allocation), then runs one guarded
`UPDATE … RETURNING`, inserts the ledger movement, the reservation and its outbox event, and
commits. The raw reference does the update and the three inserts, no reads. PostgreSQL comes from
`COMMERCE_BENCH_POSTGRES_URL` (default: the local `test` database); every measurement runs in a
fresh schema migrated to head.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from benchmarks.raw import dsn
from benchmarks.stats import Figure, Run, summarise
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
UNITS = 10_000_000  # never the limit: the benchmark measures throughput, not scarcity
SPREAD = 100


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def skus(shape: str) -> list[str]:
    return ["HOT-1"] if shape == "hot" else [f"SPREAD-{n:03d}" for n in range(SPREAD)]


def timed(calls: Sequence[Callable[[], object]], workers: int) -> Run:
    """Run the calls on `workers` threads, a fair share each; time the whole and each call."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers + 1)
    errors: list[BaseException] = []

    def worker(share: Sequence[Callable[[], object]]) -> None:
        mine: list[float] = []
        barrier.wait()
        try:
            for call in share:
                started = time.perf_counter()
                call()
                mine.append(time.perf_counter() - started)
        except BaseException as exc:  # reported after the run, never swallowed
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(calls[i::workers],))
               for i in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} workers failed; first: {errors[0]!r}") from errors[0]
    return Run(len(latencies), elapsed, tuple(latencies))


def _shop(url: str, shape: str, workers: int) -> tuple[Commerce, Callable[[], None]]:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=workers + 2)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("W1", "Bench warehouse")
    commerce.inventory.create_warehouse("W2", "Second warehouse")
    for sku in skus(shape):
        commerce.catalog.create_product(sku.title(), sku.lower(),
                                        [VariantSpec(sku, Money(10_000, "VND"))])
        commerce.inventory.set_stock(sku, "W1", UNITS)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    return commerce, factory.dispose


def core(url: str, shape: str, count: int, workers: int) -> Run:
    commerce, dispose = _shop(url, shape, workers)
    try:
        names = skus(shape)
        calls = [functools.partial(commerce.inventory.reserve, f"bench-{n}",
                                   [(names[n % len(names)], 1)], payment_method="card")
                 for n in range(count)]
        run = timed(calls, workers)
        assert sum(lv.reserved for lv in commerce.inventory.levels()) == count
        return run
    finally:
        dispose()


RAW_RESERVE = (
    "UPDATE stock_levels SET reserved = reserved + 1 "
    "WHERE sku = %s AND warehouse_id = %s AND on_hand - reserved >= 1 "
    "RETURNING on_hand, reserved"
)
RAW_MOVEMENT = (
    "INSERT INTO stock_movements (id, sku, warehouse_id, movement_type, on_hand_change, "
    "reserved_change, on_hand_after, reserved_after, reason, reference_type, reference_id, "
    "notes, actor, created_at) VALUES (%s, %s, %s, 'reservation', 0, 1, %s, %s, 'order', "
    "'reservation', %s, %s, 'system', now())"
)
RAW_RESERVATION = (
    "INSERT INTO reservations (id, sku, warehouse_id, quantity, fulfilled, status, reference, "
    "expires_at, created_at, updated_at, version, ttl_seconds, payment_method, reference_type) "
    "VALUES (%s, %s, %s, 1, 0, 'active', %s, %s, now(), now(), 0, 1800, 'card', 'order')"
)
RAW_OUTBOX = (
    "INSERT INTO outbox (id, type, version, aggregate_id, occurred_at, payload, status, "
    "attempts, created_at) VALUES (%s, 'inventory.stock_reserved', 1, %s, now(), %s, "
    "'pending', 0, now())"
)


def raw(url: str, shape: str, count: int, workers: int) -> Run:
    """The same rows written by hand: one transaction per reservation."""
    commerce, dispose = _shop(url, shape, workers)  # the same schema and stock, set up alike
    with commerce.ports.uow() as uow:
        warehouse = uow.warehouses.by_code("W1")
    assert warehouse is not None
    warehouse_id = warehouse.id
    dispose()
    names = skus(shape)
    connections = [psycopg.connect(dsn(url)) for _ in range(workers)]
    local = threading.local()
    pool = iter(connections)
    pool_lock = threading.Lock()

    def reserve(n: int) -> None:
        if not hasattr(local, "conn"):
            with pool_lock:
                local.conn = next(pool)
        sku, reservation_id = names[n % len(names)], str(uuid.uuid4())
        expires = datetime.now(UTC) + timedelta(minutes=30)
        payload = json.dumps({"reservation_id": reservation_id, "sku": sku,
                              "warehouse_id": warehouse_id, "quantity": 1,
                              "reference": f"bench-{n}", "expires_at": expires.isoformat(),
                              "occurred_at": expires.isoformat(), "payment_method": "card",
                              "customer_id": None})
        with local.conn.transaction(), local.conn.cursor() as cur:
            cur.execute(RAW_RESERVE, (sku, warehouse_id))
            row = cur.fetchone()
            if row is None:
                raise RuntimeError("out of stock")
            cur.execute(RAW_MOVEMENT, (str(uuid.uuid4()), sku, warehouse_id, row[0], row[1],
                                       reservation_id, f"order:bench-{n}"))
            cur.execute(RAW_RESERVATION, (reservation_id, sku, warehouse_id, f"bench-{n}",
                                          expires))
            cur.execute(RAW_OUTBOX, (str(uuid.uuid4()), reservation_id, payload))

    try:
        return timed([functools.partial(reserve, n) for n in range(count)], workers)
    finally:
        for conn in connections:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reservations", type=int, default=2000, help="per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--workers", default="1,4,8", help="concurrent workers to measure")
    parser.add_argument("--shapes", default="hot,spread")
    args = parser.parse_args()
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)
    rows: list[tuple[str, int, Figure, Figure]] = []
    for shape in args.shapes.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            figures = []
            for name, measure in (("raw psycopg", raw), ("commerce-core", core)):
                runs = []
                for i in range(args.runs):
                    with fresh_schema(url) as schema_url:
                        run = measure(schema_url, shape, args.reservations, workers)
                    print(f"  {shape}, {workers} workers, {name}: run {i + 1}/{args.runs}: "
                          f"{run.per_second:,.0f} reservations/s", flush=True)
                    runs.append(run)
                figures.append(summarise(name, runs))
            rows.append((shape, workers, figures[0], figures[1]))
    print(f"\n{args.reservations} reservations per run, median of {args.runs} runs, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'shape':<7} {'workers':>7} {'raw/s':>9} {'core/s':>9} {'core/raw':>9} "
          f"{'raw p50':>8} {'core p50':>9} {'core p99':>9}")
    for shape, workers, reference, ours in rows:
        print(f"{shape:<7} {workers:>7} {reference.per_second:>9,.0f} {ours.per_second:>9,.0f} "
              f"{ours.per_second / reference.per_second:>9.0%} {reference.p50_ms:>7.1f}ms "
              f"{ours.p50_ms:>8.1f}ms {ours.p99_ms:>8.1f}ms")


if __name__ == "__main__":
    main()
