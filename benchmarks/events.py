"""Event backbone benchmark: events/s from the outbox write to the subscriber's commit, through
`commerce worker` processes (relay to Redis Streams, consumer groups, inbox) with 1 and 2
workers, next to raw XADD throughput and the relay alone, measured in the same run.

    uv run python -m benchmarks.events [--events 5000] [--runs 3] [--streams 4]
                                       [--only xadd,relay,w1,w2]

PostgreSQL comes from COMMERCE_BENCH_POSTGRES_URL (default: the local server's `test` database),
Redis from COMMERCE_BENCH_REDIS_URL (default: redis://127.0.0.1:6379/14); every measurement runs
in a fresh schema and under a fresh key prefix, both removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from adapters.redis import RedisStreamsPublisher, StreamLayout, bus_status
from adapters.redis.streams import encode
from adapters.sql.uow import SqlUnitOfWork
from benchmarks.__main__ import DEFAULT_URL, fresh_schema
from benchmarks.stats import Figure, Run, summarise
from commerce_core import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.relay import OutboxRelay

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
STREAMS_VARIABLE = "BENCH_EVENT_STREAMS"  # read by `register` in the worker processes
EVENTS_PER_TRANSACTION = 10
WRITERS = 2
PAYLOAD = {"order_id": "x" * 36, "sku": "BENCH-A", "quantity": 1,
           "price": {"amount": 350_000, "currency": "VND"}, "note": "y" * 180}

metadata = sa.MetaData()
applied = sa.Table(
    "bench_applied", metadata,
    sa.Column("subscriber", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.clock_timestamp()),
)


def event_type(stream: int) -> str:
    return f"bench{stream}.happened"


def register(commerce: Commerce) -> None:
    """`COMMERCE_EXTRA_SUBSCRIBERS=benchmarks.events:register`: one subscriber per stream,
    each recording the event in its own transaction (its inbox row commits with it)."""
    for stream in range(int(os.environ.get(STREAMS_VARIABLE, "4"))):
        name = f"bench.apply_{stream}"
        commerce.bus.subscribe(Subscriber(name, event_type(stream), _recorder(name)))


def _recorder(name: str) -> Callable[[EventEnvelope, Any], None]:
    def record(envelope: EventEnvelope, uow: SqlUnitOfWork) -> None:
        uow.transaction.execute(applied.insert().values(
            subscriber=name, event_id=envelope.id, occurred_at=envelope.occurred_at))
    return record


def _envelopes(count: int, streams: int) -> list[EventEnvelope]:
    return [
        EventEnvelope(id=str(uuid.uuid4()), type=event_type(n % streams), version=1,
                      occurred_at=datetime.now(UTC), aggregate_id=f"agg-{n % 97}",
                      payload=PAYLOAD)
        for n in range(count)
    ]


@contextmanager
def workers(count: int, env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes = [
        subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "worker"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait(check: Callable[[], bool], what: str, processes: list[subprocess.Popen[bytes]],
          timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"a worker exited early: {stderr[-2000:]}")
        if check():
            return
        time.sleep(0.02)
    raise RuntimeError(f"not {what} within {timeout} s")


def end_to_end(url: str, redis_url: str, events: int, streams: int, worker_count: int) -> Run:
    """Write `events` events into the outbox (EVENTS_PER_TRANSACTION per transaction, WRITERS
    threads) while `worker_count` workers relay and apply them; time from the first write to the
    last subscriber commit; latency per event from its write to its subscriber's commit."""
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=WRITERS + 1)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    metadata.create_all(factory.engine)
    layout = StreamLayout(prefix=f"bench{uuid.uuid4().hex[:8]}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")} | {
        "COMMERCE_DATABASE_URL": url, "COMMERCE_BUS": "redis", "COMMERCE_REDIS_URL": redis_url,
        "COMMERCE_REDIS_PREFIX": layout.prefix, "COMMERCE_LOG_LEVEL": "WARNING",
        "COMMERCE_EXTRA_SUBSCRIBERS": "benchmarks.events:register",
        "COMMERCE_DATABASE_POOL_SIZE": "20", "COMMERCE_SEED_SAMPLE_CATALOG": "false",
        STREAMS_VARIABLE: str(streams),
    }
    client = redis.Redis.from_url(redis_url)
    groups = {f"bench.apply_{n}" for n in range(streams)}
    try:
        with workers(worker_count, env) as processes:
            _wait(lambda: groups <= set(bus_status(client, layout)["groups"]),
                  "consuming", processes)
            started = datetime.now(UTC)
            _write(factory, _envelopes(events, streams))
            _wait(lambda: _count(factory.engine) >= events, "applied", processes)
        with factory.engine.connect() as conn:
            rows = conn.execute(sa.select(applied.c.occurred_at, applied.c.committed_at)).all()
    finally:
        for key in client.scan_iter(match=f"{layout.prefix}:*"):
            client.delete(key)
        client.close()
        factory.dispose()
    finished = max(row.committed_at for row in rows)
    latencies = tuple((row.committed_at - row.occurred_at).total_seconds() for row in rows)
    return Run(len(rows), (finished - started).total_seconds(), latencies)


def _write(factory: sql.SqlUnitOfWorkFactory, envelopes: list[EventEnvelope]) -> None:
    batches = [envelopes[i:i + EVENTS_PER_TRANSACTION]
               for i in range(0, len(envelopes), EVENTS_PER_TRANSACTION)]

    def writer(share: list[list[EventEnvelope]]) -> None:
        for batch in share:
            stamped = [EventEnvelope(id=e.id, type=e.type, version=e.version,
                                     occurred_at=datetime.now(UTC),
                                     aggregate_id=e.aggregate_id, payload=e.payload)
                       for e in batch]
            with factory() as uow:
                uow.outbox.add(stamped)
                uow.commit()

    threads = [threading.Thread(target=writer, args=(batches[i::WRITERS],))
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(applied)).scalar_one())


def relay_only(url: str, redis_url: str, events: int, streams: int) -> Run:
    """The relay alone, in this process: a backlog of `events` outbox rows published to Redis
    and marked, batch by batch (latency: each batch's claim, publish and commit)."""
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=2)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    envelopes = _envelopes(events, streams)
    for i in range(0, events, 500):
        with factory() as uow:
            uow.outbox.add(envelopes[i:i + 500])
            uow.commit()
    client = redis.Redis.from_url(redis_url)
    layout = StreamLayout(prefix=f"bench{uuid.uuid4().hex[:8]}")
    relay = OutboxRelay(factory, RedisStreamsPublisher(client, layout),
                        [f"bench{n}" for n in range(streams)])
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        while True:
            sent = time.perf_counter()
            relayed = relay.run_once()
            if not relayed:
                break
            latencies += [(time.perf_counter() - sent) / streams] * relayed
        elapsed = time.perf_counter() - started
    finally:
        for key in client.scan_iter(match=f"{layout.prefix}:*"):
            client.delete(key)
        client.close()
        factory.dispose()
    return Run(len(latencies), elapsed, tuple(latencies))


def raw_xadd(redis_url: str, events: int, streams: int) -> Run:
    """The same events XADDed in pipelines of 100 (the relay's batch), one connection: the
    ceiling of publishing alone, with nothing read, stored in PostgreSQL or acknowledged."""
    client = redis.Redis.from_url(redis_url)
    layout = StreamLayout(prefix=f"bench{uuid.uuid4().hex[:8]}")
    envelopes = _envelopes(events, streams)
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        for i in range(0, events, 100):
            batch = envelopes[i:i + 100]
            sent = time.perf_counter()
            with client.pipeline(transaction=False) as pipe:
                for envelope in batch:
                    fields: dict[Any, Any] = encode(envelope)
                    pipe.xadd(layout.stream(envelope.type), fields)
                pipe.execute()
            latencies += [time.perf_counter() - sent] * len(batch)
        elapsed = time.perf_counter() - started
    finally:
        for key in client.scan_iter(match=f"{layout.prefix}:*"):
            client.delete(key)
        client.close()
    return Run(events, elapsed, tuple(latencies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=5000, help="events per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--streams", type=int, default=4,
                        help="streams the events spread over (one subscriber each)")
    parser.add_argument("--only", default="xadd,relay,w1,w2")
    args = parser.parse_args()
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)
    redis_url = os.environ.get("COMMERCE_BENCH_REDIS_URL", DEFAULT_REDIS_URL)

    def _in_schema(measure: Callable[[str], Run]) -> Run:
        with fresh_schema(url) as schema_url:
            return measure(schema_url)

    def on_postgres(worker_count: int) -> Callable[[], Run]:
        return lambda: _in_schema(
            lambda u: end_to_end(u, redis_url, args.events, args.streams, worker_count))

    suites: dict[str, tuple[str, Callable[[], Run]]] = {
        "xadd": ("raw XADD, pipelines of 100", lambda: raw_xadd(redis_url, args.events,
                                                                args.streams)),
        "relay": ("relay only, outbox to Redis", lambda: _in_schema(
            lambda u: relay_only(u, redis_url, args.events, args.streams))),
        "w1": ("end to end, 1 worker (1 relay)", on_postgres(1)),
        "w2": ("end to end, 2 workers (2 relays)", on_postgres(2)),
    }
    figures: dict[str, Figure] = {}
    for key in args.only.split(","):
        name, measure = suites[key]
        runs = []
        for i in range(args.runs):
            run = measure()
            print(f"  {name}: run {i + 1}/{args.runs}: {run.per_second:,.0f} events/s",
                  flush=True)
            runs.append(run)
        figures[key] = summarise(name, runs)
    reference = figures.get("xadd")
    print(f"\n{args.events} events per run over {args.streams} streams, "
          f"{EVENTS_PER_TRANSACTION} per outbox transaction, {WRITERS} writers, median of "
          f"{args.runs} runs, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'measurement':<36} {'events/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs XADD':>8}")
    for figure in figures.values():
        ratio = f"{figure.per_second / reference.per_second:.1%}" if reference else "-"
        print(f"{figure.name:<36} {figure.per_second:>10,.0f} {figure.p50_ms:>8.1f} "
              f"{figure.p99_ms:>8.1f} {ratio:>8}")


if __name__ == "__main__":
    main()
