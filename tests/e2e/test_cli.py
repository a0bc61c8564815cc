"""The `commerce` command line as an operator drives it: in process through Typer's runner, and
as real processes for the commands that run until stopped (`worker`, `serve`)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from adapters.memory import bundle
from commerce_core import Commerce, CommerceError
from entrypoints.cli.main import app
from entrypoints.consumer.worker import Worker
from entrypoints.container import make_container
from entrypoints.sample_data import PRODUCTS
from entrypoints.settings import Settings

SAMPLE_SKUS = [variant.sku for product in PRODUCTS for variant in product.variants]
MEMORY = ("--database-url", "memory://")

runner = CliRunner()


def commerce_cli(*args: str) -> Result:
    # Wide enough that rich never shortens a cell the assertions look for.
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def succeeded(result: Result) -> str:
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.stdout


def refused(result: Result, code: str) -> str:
    """The command failed with exit code 1 and exactly one line on stderr naming `code`."""
    assert result.exit_code == 1, f"{result.output}\n{result.exception!r}"
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.rstrip().endswith(f"[{code}]"), result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def stock_rows(output: str, sku: str) -> list[list[str]]:
    """The cells of the `stock show` table rows of `sku`."""
    rows = [line.split() for line in output.splitlines() if sku in line]
    return [[cell for cell in row if cell != "│"] for row in rows]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "db", "upgrade"))
    return url


@pytest.fixture
def seeded_url(database_url: str) -> str:
    succeeded(commerce_cli("--database-url", database_url, "seed"))
    return database_url


def test_demo_walks_the_whole_journey() -> None:
    output = succeeded(commerce_cli("demo"))

    for step in ("cart validated and priced", "stock reserved", "order created",
                 "payment authorized", "order confirmed", "is paid", "payment declined",
                 "stock released", "the card was authorized once", "authorization voided",
                 "The journey is complete"):
        assert step in output, step
    assert "✗ payment declined" in output
    assert output.count("✗") == 1
    # Every gateway, through its real adapter and provider sandbox; PayPal refuses VND first.
    tour = output[output.index("Every gateway takes a payment"):]
    rows = [line for line in tour.splitlines() if line.startswith("│ ") and
            line.split("│")[1].strip()]
    taken = {row.split("│")[1].strip(): row.split("│")[3].strip() for row in rows}
    paid = ("stripe", "vnpay", "momo", "cod", "bank_transfer")
    assert {m: taken[m] for m in paid} == dict.fromkeys(paid, "captured")
    assert taken["paypal"] == "no payment gateway takes paypal payments in VND"
    assert "score " in tour
    assert "new_customer" in tour


def test_seed_prints_the_sample_catalog() -> None:
    output = succeeded(commerce_cli(*MEMORY, "seed"))

    assert all(sku in output for sku in SAMPLE_SKUS)
    assert f"{len(PRODUCTS)} products ({len(PRODUCTS)} new)" in output


def test_seeding_again_changes_nothing(seeded_url: str) -> None:
    output = succeeded(commerce_cli("--database-url", seeded_url, "seed"))

    assert f"{len(PRODUCTS)} products (0 new), 2 warehouses (0 new), 0 stock levels set" in output


def test_seeded_skus_show_in_stock(seeded_url: str) -> None:
    output = succeeded(commerce_cli("--database-url", seeded_url, "stock", "show"))

    assert all(sku in output for sku in SAMPLE_SKUS)


def test_stock_of_one_sku_shows_each_warehouse(seeded_url: str) -> None:
    output = succeeded(commerce_cli("--database-url", seeded_url, "stock", "show", "linen-shirt-m"))

    assert stock_rows(output, "LINEN-SHIRT-M") == [
        ["LINEN-SHIRT-M", "HCM", "30", "0", "30"], ["LINEN-SHIRT-M", "HN", "12", "0", "12"]]


def test_setting_stock_shows_the_new_level(seeded_url: str) -> None:
    output = succeeded(
        commerce_cli("--database-url", seeded_url, "stock", "set", "NON-LA", "hn", "7")
    )

    assert "on hand set to 7" in output
    assert "NON-LA" in output


def test_negative_stock_is_refused_in_one_line() -> None:
    result = commerce_cli(*MEMORY, "stock", "set", "LINEN-SHIRT-M", "HCM", "-5")

    assert refused(result, "inventory.invalid_stock_change") == (
        "error: on hand cannot be negative [inventory.invalid_stock_change]\n")
    assert result.stdout == ""


def test_negative_stock_changes_nothing(seeded_url: str) -> None:
    before = succeeded(commerce_cli("--database-url", seeded_url, "stock", "show"))

    refused(commerce_cli("--database-url", seeded_url, "stock", "set", "LINEN-SHIRT-M", "HCM",
                         "-5"), "inventory.invalid_stock_change")

    assert succeeded(commerce_cli("--database-url", seeded_url, "stock", "show")) == before


@pytest.mark.parametrize("ref", ["ORD-20260115-DEADBEEF", "0193a1b2-0000-7000-8000-000000000001",
                                 "not-an-order"])
def test_an_unknown_order_is_one_line_error(ref: str) -> None:
    refused(commerce_cli(*MEMORY, "orders", "show", ref), "ordering.order_not_found")


def test_bad_usage_is_typers_exit_code_2() -> None:
    result = commerce_cli(*MEMORY, "orders", "list", "--status", "lost")

    assert result.exit_code == 2


def test_operator_lists_shows_and_cancels_orders(seeded_url: str) -> None:
    commerce: Commerce = make_container(Settings(database_url=seeded_url)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    placed = commerce.checkout.place_order(cart_id, email="lan@example.vn", idempotency_key="k1")
    cli = ("--database-url", seeded_url)

    listed = succeeded(commerce_cli(*cli, "orders", "list", "--status", "confirmed"))
    shown = succeeded(commerce_cli(*cli, "orders", "show", placed.order_number.lower()))
    held = succeeded(commerce_cli(*cli, "stock", "show", "LINEN-SHIRT-M"))
    cancelled = succeeded(
        commerce_cli(*cli, "orders", "cancel", placed.order_id, "--reason", "fraud"))
    after = succeeded(commerce_cli(*cli, "orders", "show", placed.order_id))
    released = succeeded(commerce_cli(*cli, "stock", "show", "LINEN-SHIRT-M"))

    assert placed.order_number in listed
    assert "Linen shirt (M)" in shown
    assert "900,000 VND" in shown
    assert "payment_authorized" in shown
    assert stock_rows(held, "LINEN-SHIRT-M")[0] == ["LINEN-SHIRT-M", "HCM", "30", "2", "28"]
    assert f"order {placed.order_number} is cancelled" in cancelled
    assert "fraud" in after
    assert stock_rows(released, "LINEN-SHIRT-M")[0] == ["LINEN-SHIRT-M", "HCM", "30", "0", "30"]


def test_db_current_names_the_revision(database_url: str) -> None:
    output = succeeded(commerce_cli("--database-url", database_url, "db", "current"))

    assert "is at revision" in output


def test_worker_runs_one_tick() -> None:
    output = succeeded(commerce_cli(*MEMORY, "worker", "--once"))

    assert "relayed 0 events" in output
    assert "expired 0 reservations" in output


def test_a_failing_job_does_not_stop_the_others() -> None:
    def broken_relay(limit: int) -> int:
        raise CommerceError("the broker is down")

    worker = Worker(Commerce(bundle()), Settings(database_url="memory://"), relay=broken_relay)

    tick = worker.tick()

    assert tick.failed == ("outbox relay",)
    assert tick.recovered == {"completed": 0, "compensated": 0, "retry_later": 0}


def spawn(*args: str, cwd: Path) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """`commerce ARGS` as its own process; its output lines arrive on the queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


def wait_for(lines: queue.Queue[str], text: str, seen: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.1))
        except queue.Empty:
            continue
        if text in seen[-1]:
            return
    raise AssertionError(f"no {text!r} within {timeout} s; output so far:\n{''.join(seen)}")


def drain(lines: queue.Queue[str], seen: list[str]) -> str:
    while not lines.empty():
        seen.append(lines.get())
    return "".join(seen)


def test_worker_finishes_its_tick_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    process, lines = spawn(*MEMORY, "worker", "--interval", "0.05", cwd=tmp_path)
    seen: list[str] = []
    try:
        wait_for(lines, "worker started", seen)

        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=5)
    finally:
        process.kill()

    assert returncode == 0, drain(lines, seen)
    wait_for(lines, "worker stopped (SIGTERM received)", seen, timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def live(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.slow
def test_serve_migrates_seeds_and_answers(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, lines = spawn("--database-url", f"sqlite:///{tmp_path / 'shop.db'}", "serve",
                           "--port", str(port), cwd=tmp_path)
    seen: list[str] = []
    try:
        wait_for(lines, f"commerce-core listening on {base} (docs at /docs)", seen)
        deadline = time.monotonic() + 30
        while not live(f"{base}/health/live"):
            assert process.poll() is None, drain(lines, seen)
            assert time.monotonic() < deadline, drain(lines, seen)
            time.sleep(0.1)
        products = httpx.get(f"{base}/products", params={"limit": 100}, timeout=5)
    finally:
        process.terminate()
        try:
            returncode = process.wait(timeout=15)
        finally:
            process.kill()  # only if it ignored SIGTERM; a no-op once it has exited

    assert products.status_code == 200, products.text
    assert {p["slug"] for p in products.json()["items"]} == {p.slug for p in PRODUCTS}
    output = drain(lines, seen)
    assert "operator token (generated" in output
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why it ended.
    assert returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output


def test_operator_captures_and_refunds_an_order_in_parts(seeded_url: str) -> None:
    commerce: Commerce = make_container(Settings(database_url=seeded_url)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    placed = commerce.checkout.place_order(cart_id, email="lan@example.vn", idempotency_key="k1")
    cli = ("--database-url", seeded_url)

    succeeded(commerce_cli(*cli, "orders", "capture", placed.order_number))
    part = succeeded(commerce_cli(*cli, "orders", "refund", placed.order_number,
                                  "--amount", "100000", "--key", "r-1", "--reason", "late"))
    again = succeeded(commerce_cli(*cli, "orders", "refund", placed.order_number,
                                   "--amount", "100000", "--key", "r-1"))
    rest = succeeded(commerce_cli(*cli, "orders", "refund", placed.order_number))
    more = commerce_cli(*cli, "orders", "refund", placed.order_number, "--amount", "1")

    assert "refunded 100,000 VND" in part
    assert "partially_refunded" in part
    assert "800,000 VND left to refund" in again
    assert "payment is refunded, 0 VND left to refund" in rest
    refused(more, "payment.refund_not_possible")
    assert len(commerce.payments.refunds(placed.order_id)) == 2
