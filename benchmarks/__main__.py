"""Order-placement benchmark: embedded on SQLite and PostgreSQL, and over HTTP with 1 and 2
server processes, next to a hand-written psycopg transaction measured in the same run.

    uv run python -m benchmarks [--orders 1000] [--runs 3] [--clients 8] [--only raw,http1]

`--only` also takes `embedded-sqlite-traced` and `embedded-postgres-traced`: the embedded
measurements with OpenTelemetry tracing on, to compare with their untraced figures.

`CPU ms/order` is the CPU time (user + system, not wall time) of the process that serves the
orders, per order: the benchmark's own process for the embedded core, the `commerce serve`
processes for HTTP (read from /proc).

PostgreSQL comes from COMMERCE_BENCH_POSTGRES_URL (default: the local server's `test` database);
each measurement runs in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from benchmarks import orders, raw
from benchmarks.stats import Figure, Run, summarise

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(raw.dsn(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(raw.dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=1000, help="orders per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--only", default="raw,embedded-sqlite,embedded-postgres,http1,http2")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)
    wanted = args.only.split(",")

    def on_postgres(measure: Callable[[str], Run]) -> Callable[[], Run]:
        def run() -> Run:
            with fresh_schema(url) as schema_url:
                return measure(schema_url)
        return run

    suites: dict[str, tuple[str, Callable[[], Run]]] = {
        "raw": ("raw psycopg transaction (PostgreSQL)",
                on_postgres(lambda u: raw.run(u, args.orders, args.clients))),
        "embedded-sqlite": ("embedded core, SQLite",
                            lambda: orders.sqlite_embedded(args.orders, args.clients)),
        "embedded-postgres": ("embedded core, PostgreSQL",
                              on_postgres(lambda u: orders.embedded(u, args.orders,
                                                                     args.clients))),
        # The same with OpenTelemetry tracing on (spans recorded, batched, then dropped).
        "embedded-sqlite-traced": ("embedded core, SQLite, tracing on",
                                   lambda: orders.sqlite_embedded(args.orders, args.clients,
                                                                  traced=True)),
        "embedded-postgres-traced": ("embedded core, PostgreSQL, tracing on",
                                     on_postgres(lambda u: orders.embedded(
                                         u, args.orders, args.clients, traced=True))),
        "http1": ("HTTP API, 1 process, PostgreSQL",
                  on_postgres(lambda u: orders.http(u, args.orders, args.clients, 1))),
        "http2": ("HTTP API, 2 processes, PostgreSQL",
                  on_postgres(lambda u: orders.http(u, args.orders, args.clients, 2))),
    }
    figures: dict[str, Figure] = {}
    for key in wanted:
        name, measure = suites[key]
        runs = []
        for i in range(args.runs):
            run = measure()
            print(f"  {name}: run {i + 1}/{args.runs}: {run.per_second:,.0f} orders/s", flush=True)
            runs.append(run)
        figures[key] = summarise(name, runs)
    reference = figures.get("raw")
    print(f"\n{args.orders} orders per run, {args.clients} clients, median of {args.runs} runs, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'measurement':<40} {'orders/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs raw':>8} "
          f"{'CPU ms/order':>13}")
    for figure in figures.values():
        ratio = f"{figure.per_second / reference.per_second:.0%}" if reference else "-"
        cpu_ms = f"{figure.cpu_ms:.1f}" if figure.cpu_ms is not None else "-"
        print(f"{figure.name:<40} {figure.per_second:>10,.0f} {figure.p50_ms:>8.1f} "
              f"{figure.p99_ms:>8.1f} {ratio:>8} {cpu_ms:>13}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(
            {k: {"name": f.name, "orders_per_second": f.per_second, "p50_ms": f.p50_ms,
                 "p99_ms": f.p99_ms, "cpu_ms_per_order": f.cpu_ms, "runs": f.runs}
             for k, f in figures.items()}, indent=2))


if __name__ == "__main__":
    main()
