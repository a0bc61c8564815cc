"""The event backbone end to end on PostgreSQL and Redis: orders placed through the embedded core
commit events to the outbox; `commerce worker` processes relay them to Redis Streams and run the
subscribers. Workers, relays and Redis itself are killed along the way, and in the end every
subscriber has applied every event exactly once (ADR 0006, spec events-reliability §3-§5)."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from attrs import define
from typer.testing import CliRunner

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from adapters.redis import DeadLetters, RedisStreamsPublisher, StreamLayout, bus_status, connect
from adapters.redis.streams import _entries, decode
from adapters.sql.tables.messaging import inbox, outbox
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.relay import OutboxRelay
from entrypoints.cli.main import app
from entrypoints.consumer.metrics import Metrics
from entrypoints.consumer.service import EventService
from entrypoints.consumer.worker import Worker
from entrypoints.settings import Settings
from tests.integration import helpers
from tests.shop import SimulatedCrash, every_event

ROOT = Path(__file__).resolve().parents[2]
SKU = "BACKBONE-TEE"
HOOKS = "tests.integration.helpers:register"
FLAKY_HOOKS = "tests.integration.helpers:register_flaky"


@define
class Shop:
    commerce: Commerce
    engine: sa.Engine
    url: str
    redis_url: str
    layout: StreamLayout
    placed: int = 0

    def place_orders(self, count: int) -> None:
        for _ in range(count):
            cart_id = self.commerce.cart.create("VND")
            self.commerce.cart.add_item(cart_id, SKU, 1)
            self.commerce.checkout.place_order(cart_id, idempotency_key=f"k-{cart_id}")
            self.placed += 1

    def env(self, **settings: str) -> dict[str, str]:
        """The environment of a `commerce` process working on this shop."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
        return base | {
            "COMMERCE_DATABASE_URL": self.url,
            "COMMERCE_DATABASE_POOL_SIZE": "16",
            "COMMERCE_BUS": "redis",
            "COMMERCE_REDIS_URL": self.redis_url,
            "COMMERCE_REDIS_PREFIX": self.layout.prefix,
            "COMMERCE_EXTRA_SUBSCRIBERS": HOOKS,
            "COMMERCE_WORKER_INTERVAL_SECONDS": "0.1",
            "COMMERCE_CONSUMER_CLAIM_IDLE_MS": "1000",
            "COMMERCE_CONSUMER_MAX_ATTEMPTS": "1000",
            "COMMERCE_SEED_SAMPLE_CATALOG": "false",
            "COMMERCE_LOG_LEVEL": "INFO",
        } | {f"COMMERCE_{k.upper()}": v for k, v in settings.items()}

    def committed(self) -> list[tuple[str, str]]:
        """(type, id) of every committed event, in outbox order."""
        with self.engine.connect() as conn:
            query = sa.select(outbox.c.type, outbox.c.id).order_by(outbox.c.seq)
            return [(row.type, row.id) for row in conn.execute(query)]

    def outbox_ids(self) -> dict[str, list[str]]:
        """Committed event ids by type, in outbox order."""
        found: dict[str, list[str]] = {}
        for event_type, event_id in self.committed():
            found.setdefault(event_type, []).append(event_id)
        return found

    def unpublished(self) -> int:
        query = sa.select(sa.func.count()).where(outbox.c.status != "published")
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


@contextmanager
def schema_url(server_url: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def open_shop(url: str, redis_url: str, *, units: int = 5_000) -> Shop:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=4)
    commerce = Commerce(ports, dispatch_in_process=False)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    helpers.create_tables(commerce)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Backbone tee", "backbone-tee",
                                    [VariantSpec(SKU, Money(150_000, "VND"))], publish=True)
    commerce.inventory.set_stock(SKU, "HCM", units)
    layout = StreamLayout(prefix=f"t{uuid.uuid4().hex[:10]}")
    return Shop(commerce, factory.engine, url, redis_url, layout)


@contextmanager
def shop_on(postgres_server_url: str, redis_url: str) -> Iterator[Shop]:
    with schema_url(postgres_server_url) as url:
        opened = open_shop(url, redis_url)
        try:
            yield opened
        finally:
            opened.engine.dispose()
            _forget(redis_url, opened.layout)


@pytest.fixture
def shop(postgres_server_url: str, redis_url: str) -> Iterator[Shop]:
    with shop_on(postgres_server_url, redis_url) as opened:
        yield opened


def _forget(redis_url: str, layout: StreamLayout) -> None:
    try:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{layout.prefix}:*"):
            client.delete(key)
        client.close()
    except redis.ConnectionError:
        pass  # a test's own server, already gone


class WorkerProcess:
    """`commerce worker` as its own process, its log in a file (a pipe nobody reads would fill
    up and block it)."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "entrypoints.cli", "worker", *args], cwd=ROOT, env=env,
                stdout=out, stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=40)

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(env: dict[str, str], *args: str) -> WorkerProcess:
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log", *args)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def wait_until(check: Callable[[], bool], *, timeout: float, what: str,
               logs: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"not {what} within {timeout} s\n{logs()[-4000:]}")


def expected(shop: Shop) -> dict[str, set[str]]:
    """The events each subscriber must apply: every committed event of its types that it
    wants (a subscriber may decline some up front, e.g. card orders for a COD reaction)."""
    committed = shop.outbox_ids()
    wanted: dict[str, set[str]] = {}
    for name, types in helpers.COUNTED.items():
        wanted[name] = {i for t in types for i in committed.get(t, [])}
    with shop.commerce.ports.uow() as uow:
        envelopes = every_event(uow)
    for subscriber in shop.commerce.bus.subscribers():
        wanted.setdefault(subscriber.name, set()).update(
            e.id for e in envelopes if e.type == subscriber.event_type and subscriber.wants(e)
        )
    return wanted


def inbox_rows(shop: Shop) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with shop.engine.connect() as conn:
        for row in conn.execute(sa.select(inbox.c.consumer, inbox.c.event_id)):
            found.setdefault(row.consumer, set()).add(row.event_id)
    return found


def settled(shop: Shop, client: redis.Redis) -> bool:
    """Everything committed is published, and every group has read and acknowledged it all."""
    if shop.unpublished():
        return False
    groups = bus_status(client, shop.layout)["groups"]
    subscribers = {s.name for s in shop.commerce.bus.subscribers()} | set(helpers.COUNTED)
    if not subscribers <= set(groups):
        return False
    return all(g["lag"] == 0 and g["pending"] == 0 for g in groups.values())


def applied_count(shop: Shop) -> int:
    return sum(helpers.applied(shop.engine).values())


def assert_applied_exactly_once(shop: Shop, client: redis.Redis) -> None:
    wanted = expected(shop)
    applied = helpers.applied(shop.engine)
    twice = {key: n for key, n in applied.items() if n > 1}
    assert not twice, f"events applied more than once: {list(twice.items())[:5]}"
    for name in helpers.COUNTED:
        seen = {event for (subscriber, event) in applied if subscriber == name}
        assert seen == wanted[name], f"{name}: {len(wanted[name] - seen)} events never applied"
    recorded = inbox_rows(shop)
    for name, events in wanted.items():
        missing = events - recorded.get(name, set())
        assert not missing, f"{name} never applied {len(missing)} events"
    assert shop.unpublished() == 0
    status = bus_status(client, shop.layout)
    assert {g: s["pending"] for g, s in status["groups"].items() if s["pending"]} == {}
    assert status["dead_letters"] == {}


@pytest.mark.slow
def test_workers_killed_at_random_still_apply_every_event_exactly_once(
    shop: Shop, workers: Callable[..., WorkerProcess],
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    placing = threading.Thread(target=shop.place_orders, args=(1000,))
    client = connect(shop.redis_url)
    kills = 0
    worker = workers(shop.env())

    placing.start()
    while kills < 5 or placing.is_alive():
        time.sleep(rng.uniform(1.0, 3.0))
        worker.kill()
        kills += 1
        worker = workers(shop.env())
    placing.join()
    wait_until(lambda: settled(shop, client), timeout=120, what=f"settled (seed {seed})",
               logs=worker.output)

    assert shop.placed == 1000
    assert kills >= 5
    assert_applied_exactly_once(shop, client)
    assert worker.stop() == 0, worker.output()[-3000:]
    assert "worker stopped (SIGTERM received)" in worker.output()


class CrashAfterPublishing:
    """Publishes, then dies before the relay marks the rows: once per stream."""

    def __init__(self, publisher: RedisStreamsPublisher) -> None:
        self._publisher = publisher
        self.crashed: set[str] = set()

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        self._publisher.publish(envelopes)
        stream = envelopes[0].type.split(".", 1)[0]
        if stream not in self.crashed:
            self.crashed.add(stream)
            raise SimulatedCrash(f"relay died after publishing {stream}")


def stream_event_ids(client: redis.Redis, key: str) -> list[str]:
    return [decode(fields).id for _, fields in _entries(client.xrange(key))]


def test_a_relay_dying_between_publish_and_mark_duplicates_entries_but_no_effect(
    shop: Shop,
) -> None:
    shop.place_orders(20)
    client = connect(shop.redis_url)
    settings = Settings(bus="redis", redis_prefix=shop.layout.prefix)
    helpers.register(shop.commerce)
    service = EventService(shop.commerce, settings, client, shop.layout, consumer="c1")
    crashing = CrashAfterPublishing(RedisStreamsPublisher(client, shop.layout))
    dying = OutboxRelay(shop.commerce.ports.uow, crashing, service.relay.streams)
    while True:  # dies once on every stream with rows, the last pass gets through
        try:
            dying.run_once()
            break
        except SimulatedCrash:
            continue
    order_stream = stream_event_ids(client, shop.layout.stream_named("order"))
    for name in helpers.COUNTED:
        while service.consumers[name].poll(block_ms=10):
            pass

    assert crashing.crashed >= {"order", "inventory", "payment", "checkout"}
    assert len(order_stream) > len(set(order_stream)), "the crash should have duplicated entries"
    assert shop.unpublished() == 0
    applied = helpers.applied(shop.engine)
    assert set(applied.values()) == {1}
    assert {s for s, _ in applied} == set(helpers.COUNTED)


@define
class RedisServer:
    """A redis-server of the test's own, with an append-only file, that it may kill."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _answers(client), timeout=10, what="redis-server answering")
        client.close()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


@pytest.fixture
def shop_on_own_redis(postgres_server_url: str, own_redis: RedisServer) -> Iterator[Shop]:
    with shop_on(postgres_server_url, own_redis.url) as opened:
        yield opened


@pytest.mark.slow
def test_a_redis_restart_loses_nothing_and_the_worker_reconnects_by_itself(
    shop_on_own_redis: Shop, own_redis: RedisServer, workers: Callable[..., WorkerProcess],
) -> None:
    shop = shop_on_own_redis
    worker = workers(shop.env())
    placing = threading.Thread(target=shop.place_orders, args=(300,))
    client = connect(own_redis.url)

    placing.start()
    # The outage starts once the worker is really consuming, and lasts until it has noticed:
    # a worker still starting up, or a client retrying quietly, would never see it.
    wait_until(lambda: applied_count(shop) >= 20, timeout=60, what="consuming",
               logs=worker.output)
    own_redis.kill()
    wait_until(lambda: "reconnecting in" in worker.output(), timeout=30,
               what="aware of the outage", logs=worker.output)
    own_redis.start()
    placing.join()
    wait_until(lambda: settled(shop, client), timeout=90, what="settled", logs=worker.output)
    # A loop that saw the outage says it works again once its next step returns; for a
    # consumer with nothing left to read that is a blocking read later, after everything
    # settled through the others: waited for, not raced.
    wait_until(lambda: "working again after" in worker.output(), timeout=30,
               what="working again", logs=worker.output)

    assert worker.process.poll() is None, "the worker should have survived the outage"
    assert_applied_exactly_once(shop, client)
    assert worker.stop() == 0


@pytest.mark.slow
def test_two_workers_relay_each_row_once_and_in_order_and_apply_it_once(
    shop: Shop, workers: Callable[..., WorkerProcess],
) -> None:
    client = connect(shop.redis_url)
    first, second = workers(shop.env()), workers(shop.env())

    shop.place_orders(300)
    wait_until(lambda: settled(shop, client), timeout=90, what="settled", logs=first.output)

    committed = shop.committed()
    for stream in ("order", "inventory", "payment", "checkout", "cart"):
        published = stream_event_ids(client, shop.layout.stream_named(stream))
        in_outbox = [i for t, i in committed if t.split(".", 1)[0] == stream]
        assert published == in_outbox, f"{stream}: published twice, left out, or out of order"
    assert_applied_exactly_once(shop, client)
    for worker in (first, second):
        assert re.search(r"relayed [1-9]\d* events", worker.output()), "both relays took part"
        assert worker.stop() == 0


def test_a_subscriber_that_always_fails_is_dead_lettered_after_n_attempts_then_replayed_once(
    shop: Shop,
) -> None:
    helpers.set_broken(shop.engine, True)
    helpers.register_flaky(shop.commerce)
    client = connect(shop.redis_url)
    settings = Settings(bus="redis", redis_prefix=shop.layout.prefix, consumer_max_attempts=3,
                        worker_interval_seconds=0.05)
    metrics = Metrics(shop.commerce, client, shop.layout)
    service = EventService(shop.commerce, settings, client, shop.layout,
                           contexts=["test"], metrics=metrics)
    worker = Worker(shop.commerce, settings, relay=service.take_relayed, background=service)
    running = threading.Thread(target=worker.run)
    running.start()
    dead_letters = DeadLetters(client, shop.layout)
    try:
        shop.place_orders(1)
        wait_until(lambda: bool(dead_letters.list(helpers.FLAKY)), timeout=30,
                   what="dead-lettered")
    finally:
        worker.stop()
        running.join(timeout=30)
    [letter] = dead_letters.list(helpers.FLAKY)
    scraped = _scrape(metrics)

    assert letter.attempts == 3
    assert helpers.flaky_calls[letter.envelope.id] == 3
    assert "has a bug" in letter.error
    assert helpers.applied(shop.engine).get((helpers.FLAKY, letter.envelope.id)) is None
    assert scraped['commerce_dead_letters{group="test.flaky"}'] == 1
    assert scraped['commerce_events_dead_lettered_total{subscriber="test.flaky"}'] == 1
    assert scraped['commerce_event_retries_total{subscriber="test.flaky"}'] == 2

    helpers.set_broken(shop.engine, False)
    env = shop.env(extra_subscribers=f"{HOOKS},{FLAKY_HOOKS}")
    replayed = CliRunner().invoke(app, ["events", "dlq", "replay", "--all"], env=env)
    again = CliRunner().invoke(app, ["events", "dlq", "replay", "--all"], env=env)

    assert replayed.exit_code == 0, replayed.output
    assert f"replayed {letter.id}" in replayed.stdout
    assert helpers.applied(shop.engine)[(helpers.FLAKY, letter.envelope.id)] == 1
    assert "no dead letters" in again.stdout
    assert dead_letters.list() == []


def _scrape(metrics: Metrics) -> dict[str, float]:
    from prometheus_client import generate_latest

    samples: dict[str, float] = {}
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_report_the_outbox_and_the_groups(shop: Shop) -> None:
    shop.place_orders(2)
    client = connect(shop.redis_url)
    settings = Settings(bus="redis", redis_prefix=shop.layout.prefix)
    metrics = Metrics(shop.commerce, client, shop.layout)
    service = EventService(shop.commerce, settings, client, shop.layout, metrics=metrics)
    for consumer in service.consumers.values():
        consumer.ensure_groups()
    before = _scrape(metrics)

    relayed = service.relay_once()
    after = _scrape(metrics)

    assert before['commerce_outbox_rows{status="pending"}'] == relayed > 0
    assert after['commerce_outbox_rows{status="pending"}'] == 0
    assert after["commerce_events_relayed_total"] == relayed
    assert after["commerce_event_bus_up"] == after["commerce_database_up"] == 1
    group = "fulfillment.create_fulfillments_on_cod_order_confirmed"
    assert after[f'commerce_consumer_group_lag{{group="{group}"}}'] == client.xlen(
        shop.layout.stream_named("order"))


def test_an_unreachable_redis_is_reported_down_not_as_zero(shop: Shop) -> None:
    metrics = Metrics(shop.commerce, connect(f"redis://127.0.0.1:{_free_port()}/0"), shop.layout)

    scraped = _scrape(metrics)

    assert scraped["commerce_event_bus_up"] == 0
    assert not any(name.startswith("commerce_consumer_group") for name in scraped)
