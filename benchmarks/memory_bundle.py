"""Cart + checkout per second on the in-memory bundle when the shop holds 100 and 10,000 orders.

    uv run python -m benchmarks.memory_bundle [--sizes 100,10000] [--window 500] [--runs 3]

Single-threaded, as an embedding app's test suite runs: each run fills one shop with orders
(untimed) up to each size in turn, then times `--window` more (a cart, one line, its checkout).
Prints the median rate of the runs at each size, per second of CPU time of this process (what
the work costs, whatever else the machine runs) and per second of wall time, the ratio to the
smallest size (flat is 1.0), and how much of the window the cyclic garbage collector took (it
walks every object the shop holds, so its share is what grows with the shop).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any

from benchmarks.memory import shop
from commerce_core import Commerce


class _GcClock:
    """Seconds spent in garbage collection while it is installed."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.spent += time.perf_counter() - self._started


def _order(commerce: Commerce, n: int) -> None:
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, f"SKU-{n % 50}", 1)
    commerce.checkout.place_order(cart_id, idempotency_key=f"order-{n}")


def one_run(sizes: list[int], window: int) -> dict[int, tuple[float, float, float]]:
    """Size → (orders per CPU second, per wall second, share of the window spent in GC)."""
    commerce, placed, found = shop(), 0, {}
    for size in sizes:
        while placed < size:
            _order(commerce, placed)
            placed += 1
        clock = _GcClock()
        gc.callbacks.append(clock)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(window):
                _order(commerce, placed)
                placed += 1
            took, cpu_took = time.perf_counter() - started, time.process_time() - cpu
        finally:
            gc.callbacks.remove(clock)
        found[size] = (window / cpu_took, window / took, clock.spent / took)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--window", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    runs = [one_run(sizes, args.window) for _ in range(args.runs)]
    print(f"cart + checkout, single-threaded, {args.window} orders timed per size, "
          f"median of {args.runs} runs")
    print("| orders held | per CPU second | vs smallest | per wall second | time in GC |")
    print("|---:|---:|---:|---:|---:|")
    base = statistics.median(r[sizes[0]][0] for r in runs)
    for size in sizes:
        rate = statistics.median(r[size][0] for r in runs)
        wall = statistics.median(r[size][1] for r in runs)
        in_gc = statistics.median(r[size][2] for r in runs)
        print(f"| {size:,} | {rate:,.0f} | {rate / base:.2f} | {wall:,.0f} | {in_gc:.0%} |")


if __name__ == "__main__":
    main()
