"""The in-memory bundle's speed, as embedding apps' test suites feel it: a cart with one line and
its checkout, single-threaded, measured as the shop grows.

    uv run python -m benchmarks.memory [--orders 10000] [--every 1000]

Prints cart + checkout per second over each slice of `--every` orders: the figure should stay
flat as orders accumulate (no work that grows with what the shop holds).
"""

from __future__ import annotations

import argparse
import time

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce, Money, VariantSpec


def shop(skus: int = 50) -> Commerce:
    commerce = Commerce(bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                               ids=SequentialIds()))
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    for n in range(skus):
        commerce.catalog.create_product(f"Item {n}", f"item-{n}",
                                        [VariantSpec(f"SKU-{n}", Money(10_000, "VND"))],
                                        publish=True)
        commerce.inventory.set_stock(f"SKU-{n}", "HCM", 1_000_000)
    return commerce


def run(orders: int, every: int) -> list[tuple[int, float]]:
    commerce = shop()
    figures: list[tuple[int, float]] = []
    started = time.perf_counter()
    for n in range(1, orders + 1):
        cart_id = commerce.cart.create("VND")
        commerce.cart.add_item(cart_id, f"SKU-{n % 50}", 1)
        commerce.checkout.place_order(cart_id, idempotency_key=f"order-{n}")
        if n % every == 0:
            now = time.perf_counter()
            figures.append((n, every / (now - started)))
            started = now
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000)
    args = parser.parse_args()
    figures = run(args.orders, args.every)
    print("orders so far | cart + checkout per second (this slice)")
    for n, rate in figures:
        print(f"{n:>13} | {rate:,.0f}")
    first, last = figures[0][1], figures[-1][1]
    print(f"last slice / first slice: {last / first:.2f}")


if __name__ == "__main__":
    main()
