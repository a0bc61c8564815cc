"""Order placement through commerce-core: embedded (SQLite, PostgreSQL) and over HTTP."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx

from adapters.memory import ScriptedPaymentGateway
from benchmarks import cpu
from benchmarks.stats import Run
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator

SKUS = ("BENCH-A", "BENCH-B", "BENCH-C")
TOKEN = "bench-operator-token"


def _timed(work: Sequence[Callable[[], object]], clients: int) -> Run:
    """Run the calls on `clients` threads, each a fair share; time the whole and each call."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def client(share: list[Callable[[], object]]) -> None:
        mine: list[float] = []
        barrier.wait()
        try:
            for call in share:
                started = time.perf_counter()
                call()
                mine.append(time.perf_counter() - started)
        except BaseException as exc:  # surfaced after the run, never swallowed
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(list(work[i::clients]),))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed; first: {errors[0]!r}") from errors[0]
    return Run(len(latencies), elapsed, tuple(latencies))


def _seed(commerce: Commerce, units: int) -> None:
    commerce.inventory.create_warehouse("W1", "Bench warehouse")
    for sku in SKUS:
        commerce.catalog.create_product(
            sku.title(), sku.lower(), [VariantSpec(sku, Money(350_000, "VND"))], publish=True
        )
        commerce.inventory.set_stock(sku, "W1", units)


def _discarding_tracer() -> Any:
    """An SDK tracer whose spans are recorded, batched and then dropped: the cost of tracing
    on, without the cost of shipping spans anywhere."""
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    class Discard(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Discard()))
    return provider.get_tracer("benchmarks")


def embedded(url: str, orders: int, clients: int, *, traced: bool = False) -> Run:
    from adapters import sql  # loaded only for the measurements that need it

    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=clients + 2)
    if traced:
        from entrypoints.tracing import instrument, traced_ports

        tracer = _discarding_tracer()
        commerce = Commerce(traced_ports(ports, tracer))
        instrument(commerce, tracer)
    else:
        commerce = Commerce(ports)
    _seed(commerce, orders * 2)
    carts = []
    for _ in range(orders):
        cart_id = commerce.cart.create("VND")
        for sku in SKUS:
            commerce.cart.add_item(cart_id, sku, 1)
        carts.append(cart_id)
    def place(cart_id: str) -> None:
        commerce.checkout.place_order(cart_id, idempotency_key=f"bench-{cart_id}")

    work = [functools.partial(place, cart_id) for cart_id in carts]
    cpu = time.process_time()  # this process serves the orders (its client threads are idle)
    run = _timed(work, clients)
    run = attrs.evolve(run, cpu_seconds=time.process_time() - cpu)
    levels = commerce.inventory.levels()
    assert all(level.reserved == orders for level in levels), levels
    return run


def sqlite_embedded(orders: int, clients: int, *, traced: bool = False) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        return embedded(f"sqlite:///{Path(folder) / 'bench.db'}", orders, clients,
                        traced=traced)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(url: str, orders: int, clients: int, workers: int) -> Run:
    """Orders over HTTP through `commerce serve --workers N`; CPU is the server processes'."""
    with serving(url, workers, clients) as (base, server):
        carts = prepare(base, orders)
        before = cpu.seconds(cpu.tree(server.pid))
        run = place_all(base, carts, clients)
        return attrs.evolve(run, cpu_seconds=cpu.seconds(cpu.tree(server.pid)) - before)


@contextlib.contextmanager
def serving(url: str, workers: int, clients: int,
            env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`commerce serve` with `workers` processes on `url`, up and answering; its base URL."""
    port = _free_port()
    environment = {
        **os.environ,
        "COMMERCE_DATABASE_URL": url,
        "COMMERCE_OPERATOR_TOKEN": TOKEN,
        "COMMERCE_SEED_SAMPLE_CATALOG": "false",
        "COMMERCE_LOG_LEVEL": "WARNING",
        "COMMERCE_DATABASE_POOL_SIZE": str(clients),
        # One load generator is one address: per-address limits would refuse it, not the shop.
        "COMMERCE_RATE_LIMITS_ENABLED": "false",
        **(env or {}),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def prepare(base: str, orders: int) -> list[tuple[str, str]]:
    """A warehouse, the products with stock for twice `orders`, and `orders` filled carts (each
    with the guest token that reaches it)."""
    admin = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post("/admin/warehouses", json={"code": "W1", "name": "Bench"},
                    headers=admin).raise_for_status()
        for sku in SKUS:
            client.post("/admin/products", headers=admin, json={
                "name": sku.title(), "slug": sku.lower(), "publish": True,
                "variants": [{"sku": sku, "price": {"amount": 350_000, "currency": "VND"}}],
            }).raise_for_status()
            client.put(f"/admin/stock/{sku}/W1", json={"on_hand": orders * 2},
                       headers=admin).raise_for_status()
        carts = []
        for _ in range(orders):
            cart = client.post("/carts", json={"currency": "VND"})
            cart.raise_for_status()
            cart_id, token = cart.json()["id"], cart.json()["access_token"]
            for sku in SKUS:
                client.post(f"/carts/{cart_id}/items", json={"sku": sku, "quantity": 1},
                            headers={"X-Cart-Token": token}).raise_for_status()
            carts.append((cart_id, token))
    return carts


def place_all(base: str, carts: list[tuple[str, str]], clients: int) -> Run:
    """`POST /orders` for every cart from `clients` threads, one keep-alive client each."""
    local = threading.local()
    opened: list[httpx.Client] = []

    def place(cart: tuple[str, str]) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=30)
            opened.append(local.client)
        cart_id, token = cart
        response = local.client.post(
            "/orders", json={"cart_id": cart_id, "payment_method": "card"},
            headers={"Idempotency-Key": f"bench-{cart_id}", "X-Cart-Token": token},
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{response.status_code}: {response.text}")

    try:
        return _timed([functools.partial(place, c) for c in carts], clients)
    finally:
        for client in opened:
            client.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # server processes start slowly on a busy machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise RuntimeError(f"server exited early: {stderr[-2000:]}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not come up in 180 s")
