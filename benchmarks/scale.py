"""Scale-out on one machine: N API processes and M event workers against one PostgreSQL and one
Redis, with orders/s and the CPU each part spends per order.

    uv run python -m benchmarks.scale [--orders 300] [--runs 3] [--clients 8] [--api 1,2]
                                      [--workers 1]

For each N in `--api`: `commerce serve --workers N` and `--workers` `commerce worker` processes,
all with `COMMERCE_BUS=redis`, in a fresh schema and under a fresh Redis key prefix. Carts are
filled over HTTP beforehand (not timed) and their events drained; then `--clients` threads of
this process (the load generator) place every order, and the clock runs on until the workers
have relayed and applied every event the orders wrote (outbox empty, no consumer group lagging
or pending).

Printed per N (medians over the runs): orders/s and p50/p99 of `POST /orders`; events the
orders wrote and how long the workers took to catch up; and CPU milliseconds per order (user +
system, read from /proc) of the API processes, the workers, the load generator, the PostgreSQL
backends serving this database (found in `pg_stat_activity`; the server's own background
processes are left out) and the Redis server (shared with whatever else uses it). On a machine
with few cores, all of them share the same cores: the sum of the CPU columns per order, times
orders/s, is how busy the machine was.

PostgreSQL from COMMERCE_BENCH_POSTGRES_URL (default: the local `test` database), Redis from
COMMERCE_BENCH_REDIS_URL (default: redis://127.0.0.1:6379/14).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import attrs
import psycopg
import redis

from adapters.redis import StreamLayout, bus_status
from benchmarks import cpu, orders, raw
from benchmarks.__main__ import DEFAULT_URL, fresh_schema
from benchmarks.events import DEFAULT_REDIS_URL
from benchmarks.events import workers as worker_processes

ROOT = Path(__file__).resolve().parents[1]


@attrs.frozen
class ScaleRun:
    orders: int
    seconds: float  # first order sent to last order answered
    latencies: tuple[float, ...]
    events: int  # outbox rows the timed orders wrote
    drained_after: float  # seconds from the first order until every event was applied
    cpu: dict[str, float]  # part -> CPU seconds over the timed window and the drain

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds


def _backends(dsn: str) -> Callable[[], list[int]]:
    """The pids of the PostgreSQL backends connected to this database (this one's excepted)."""
    def pids() -> list[int]:
        with psycopg.connect(dsn, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity"
                                " WHERE datname = current_database()"
                                " AND pid <> pg_backend_pid()").fetchall()
        return [int(row[0]) for row in rows]
    return pids


def _pending(dsn: str, schema_url: str) -> int:
    schema = schema_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(f'SELECT count(*) FROM "{schema}".outbox'
                           " WHERE status = 'pending'").fetchone()
    return int(row[0]) if row else 0


def _written(dsn: str, schema_url: str) -> int:
    schema = schema_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(f'SELECT count(*) FROM "{schema}".outbox').fetchone()
    return int(row[0]) if row else 0


def _drained(dsn: str, schema_url: str, client: redis.Redis, layout: StreamLayout) -> bool:
    if _pending(dsn, schema_url):
        return False
    groups = bus_status(client, layout)["groups"].values()
    return all(g["lag"] == 0 and g["pending"] == 0 for g in groups)


def _wait(check: Callable[[], bool], what: str, processes: list[subprocess.Popen[bytes]],
          timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"a process exited early: {stderr[-2000:]}")
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"not {what} within {timeout} s")


def one_run(url: str, redis_url: str, count: int, clients: int, api: int, workers: int
            ) -> ScaleRun:
    dsn = raw.dsn(url)
    layout = StreamLayout(prefix=f"scale{uuid.uuid4().hex[:8]}")
    env = {"COMMERCE_BUS": "redis", "COMMERCE_REDIS_URL": redis_url,
           "COMMERCE_REDIS_PREFIX": layout.prefix}
    client = redis.Redis.from_url(redis_url)
    backends, redis_pids = _backends(dsn), cpu.named("redis-server")
    try:
        with orders.serving(url, api, clients, env) as (base, server):
            worker_env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
            worker_env |= {"COMMERCE_DATABASE_URL": url, "COMMERCE_LOG_LEVEL": "WARNING",
                           "COMMERCE_SEED_SAMPLE_CATALOG": "false",
                           "COMMERCE_DATABASE_POOL_SIZE": "4", **env}
            with worker_processes(workers, worker_env) as processes:
                _wait(lambda: bool(bus_status(client, layout)["groups"]), "consuming",
                      [server, *processes])
                carts = orders.prepare(base, count)
                _wait(lambda: _drained(dsn, url, client, layout), "drained",
                      [server, *processes])
                written = _written(dsn, url)
                parts: dict[str, Callable[[], float]] = {
                    "api": lambda: cpu.seconds(cpu.tree(server.pid)),
                    "workers": lambda: cpu.seconds(p.pid for p in processes),
                    "load generator": time.process_time,
                    "postgresql": lambda: cpu.seconds(backends()),
                    "redis": lambda: cpu.seconds(redis_pids),
                }
                before = {name: read() for name, read in parts.items()}
                started = time.perf_counter()
                run = orders.place_all(base, carts, clients)
                _wait(lambda: _drained(dsn, url, client, layout), "drained",
                      [server, *processes])
                drained_after = time.perf_counter() - started
                spent = {name: read() - before[name] for name, read in parts.items()}
                events = _written(dsn, url) - written
    finally:
        for key in client.scan_iter(match=f"{layout.prefix}:*"):
            client.delete(key)
        client.close()
    return ScaleRun(run.operations, run.seconds, run.latencies, events, drained_after, spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=300, help="orders per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--api", default="1,2", help="API process counts to measure")
    parser.add_argument("--workers", type=int, default=1, help="event worker processes")
    args = parser.parse_args()
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)
    redis_url = os.environ.get("COMMERCE_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    results: dict[int, list[ScaleRun]] = {}
    for api in (int(n) for n in args.api.split(",")):
        results[api] = []
        for i in range(args.runs):
            with fresh_schema(url) as schema_url:
                run = one_run(schema_url, redis_url, args.orders, args.clients, api,
                              args.workers)
            results[api].append(run)
            print(f"  {api} API process(es), {args.workers} worker(s): run {i + 1}/{args.runs}: "
                  f"{run.per_second:,.0f} orders/s, drained after {run.drained_after:.1f} s, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        _table(args, results)  # so far, in case a later measurement fails


def _table(args: argparse.Namespace, results: dict[int, list[ScaleRun]]) -> None:
    parts = list(next(iter(results.values()))[0].cpu)
    print(f"\n{args.orders} orders per run, {args.clients} clients, {args.workers} worker(s), "
          f"median of {args.runs} runs, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    header = " | ".join(f"{p} CPU ms/order" for p in parts)
    print(f"| API processes | orders/s | p50 ms | p99 ms | events/order | events/s applied | "
          f"{header} |")
    print("|---:" * (6 + len(parts)) + "|")
    for api, runs in results.items():
        latencies = sorted(lat for r in runs for lat in r.latencies)
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))] * 1000
        rate = statistics.median(r.per_second for r in runs)
        per_order = statistics.median(r.events / r.orders for r in runs)
        applied = statistics.median(r.events / r.drained_after for r in runs)
        cpu_ms = [statistics.median(r.cpu[p] / r.orders * 1000 for r in runs) for p in parts]
        print(f"| {api} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {per_order:.1f} | "
              f"{applied:,.0f} | " + " | ".join(f"{c:.1f}" for c in cpu_ms) + " |", flush=True)

if __name__ == "__main__":
    main()
