"""Does stock work stay flat as the stock ledger grows? The same operations against a ledger of
3,000 movements (the measured SKUs' own history) and of millions, on PostgreSQL, each with its
ratio to the smallest ledger:

    uv run python -m benchmarks.stock_ledger [--movements 3000,1000000,10000000] [--repeat 200]

(`COMMERCE_BENCH_POSTGRES_URL`, default the local `test` database; every size runs in a schema
of its own, dropped afterwards.) The filler rows are spread over 10,000 other SKUs in 5
warehouses, as a shop's history is, plus a history of 1,000 rows for each measured SKU; they are
written with one `INSERT ... SELECT generate_series` and the table is analysed before measuring.

Measured, median wall time per call, one thread, nothing else on the connection pool:
- **receive**: receive one unit (a guarded counter update and its ledger row);
- **order**: place a 3-line order (three reservations, each with its ledger row);
- **history**: the newest 50 movements of one SKU (what an operator opens first).

The stock counters (`stock_levels`) are what every write reads and guards; the ledger is only
appended to, so its size should not show in the first two. The whole-ledger audit (`commerce
stock audit`) sums every row by design and is not measured here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import psycopg

from adapters.memory import ScriptedPaymentGateway
from benchmarks.__main__ import DEFAULT_URL, fresh_schema
from benchmarks.raw import dsn
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator

SKUS = ("LEDGER-A", "LEDGER-B", "LEDGER-C")
HISTORY_PER_SKU = 1_000

FILL = """
INSERT INTO stock_movements (id, sku, warehouse_id, movement_type, on_hand_change,
    reserved_change, on_hand_after, reserved_after, reason, reference_type, reference_id,
    notes, actor, created_at)
SELECT 'fill-' || g, %(sku_expr)s, 'W' || (g %% 5), 'receipt', 1, 0, g, 0, 'filler',
    'benchmark', 'ref-' || g, '', 'benchmark',
    now() - interval '3 years' + (g * interval '1 second')
FROM generate_series(1, %(rows)s) AS g
"""


def _fill(url: str, movements: int) -> None:
    """The ledger's history, written straight into the table (the counters are not touched:
    the filler is a history of other SKUs, and of the measured ones before today)."""
    own = min(movements, HISTORY_PER_SKU * len(SKUS))
    others = movements - own
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        if own:
            conn.execute(FILL.replace("%(sku_expr)s", "(ARRAY['LEDGER-A','LEDGER-B','LEDGER-C'])"
                                      "[1 + g %% 3]").replace("'fill-'", "'own-'")
                         .replace("%(rows)s", str(own)).replace("%%", "%"))
        if others:
            conn.execute(FILL.replace("%(sku_expr)s", "'OTHER-' || (g %% 10000)")
                         .replace("%(rows)s", str(others)).replace("%%", "%"))
        conn.execute("ANALYZE stock_movements")


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(url: str, movements: int, repeat: int) -> dict[str, float]:
    from adapters import sql

    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=2)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("W1", "Ledger warehouse")
    for sku in SKUS:
        commerce.catalog.create_product(sku.title(), sku.lower(),
                                        [VariantSpec(sku, Money(350_000, "VND"))], publish=True)
        commerce.inventory.set_stock(sku, "W1", repeat * 10)
    _fill(url, max(0, movements - len(SKUS)))  # set_stock wrote one row per SKU
    carts = []
    for _ in range(repeat):
        cart_id = commerce.cart.create("VND")
        for sku in SKUS:
            commerce.cart.add_item(cart_id, sku, 1)
        carts.append(cart_id)
    pending = iter(carts)
    figures = {
        "receive": _median_ms(lambda: commerce.inventory.receive(SKUS[0], "W1", 1), repeat),
        "order": _median_ms(lambda: commerce.checkout.place_order(next(pending)), repeat),
        "history": _median_ms(lambda: commerce.inventory.movements(sku=SKUS[1], limit=50),
                              repeat),
    }
    with psycopg.connect(dsn(url)) as conn:
        row = conn.execute("SELECT count(*) FROM stock_movements").fetchone()
    figures["rows"] = float(row[0]) if row else 0.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--movements", default="3000,1000000,10000000",
                        help="ledger sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=200, help="calls per operation")
    args = parser.parse_args()
    url = os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)
    sizes = [int(size) for size in args.movements.split(",")]
    results: list[tuple[int, dict[str, float]]] = []
    for size in sizes:
        with fresh_schema(url) as schema_url:
            started = time.perf_counter()
            results.append((size, measure(schema_url, size, args.repeat)))
            print(f"# {size:,} movements measured in {time.perf_counter() - started:.0f} s",
                  flush=True)
    base = results[0][1]
    print("\n| ledger rows | receive | vs smallest | 3-line order | vs smallest "
          "| history (50) | vs smallest |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for _, figures in results:
        cells = [f"{int(figures['rows']):,}"]
        for name in ("receive", "order", "history"):
            cells += [f"{figures[name]:.2f} ms", f"{figures[name] / base[name]:.2f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
