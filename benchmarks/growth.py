"""Does the cost stay flat as the work grows? Three curves, each with its ratio to its smallest
case (1.00 is flat). Times are CPU time of this process (single-threaded work, so what it costs
whatever else the machine runs):

    uv run python -m benchmarks.growth [--only lines,promotions,catalog] [--repeat N]

- **lines**: place one order of 1, 10 and 50 lines (carts filled beforehand, untimed), embedded,
  on the in-memory bundle and on SQLite (a file in a temporary directory); median per order.
- **promotions**: price a 50-line cart with 20 volume price rules and one VAT rule through the
  pure engine (data loaded beforehand) against 0, 200 and 2,000 active promotions. The same 20
  promotions touch the cart's products in every case; the others are scoped to other products
  of a 10,000-product catalog, as a shop's promotions mostly are. Median per call.
- **catalog**: a cart with one line and its checkout on the in-memory bundle with 1,000 and
  100,000 products in the catalog (loaded straight through units of work, untimed). Median per
  cart + checkout.
- **tracing** (not a growth curve: the cost of `COMMERCE_TRACING`): a 3-line order in memory and
  on SQLite with tracing off and on (an SDK provider whose spans are batched and dropped).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from benchmarks.pricing import NOW, cart, catalogue, vnd
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.catalog.model import Product, Variant
from commerce_core.ports import Ports
from commerce_core.pricing.currency import ExchangeRateTable
from commerce_core.pricing.engine import CustomerContext, PricingContext, price_cart
from commerce_core.promotion.evaluation import PromotionSnapshot
from commerce_core.promotion.model import PromotionDefinition
from commerce_core.promotion.terms import (
    Benefit,
    BuyXGetY,
    FixedAmountOff,
    PercentageOff,
    ProductScope,
)
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.tax.calculation import TaxRuleSet
from commerce_core.tax.model import TaxRuleDefinition


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _table(title: str, unit: str, rows: list[tuple[str, float]]) -> None:
    print(f"\n{title}")
    print(f"| case | {unit} | vs smallest |")
    print("|---|---:|---:|")
    base = rows[0][1]
    for case, value in rows:
        print(f"| {case} | {value:.2f} | {value / base:.2f} |")


# -- place order by number of lines ---------------------------------------------------------
SKUS = 50


def _shop(ports: Ports) -> Commerce:
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    for n in range(SKUS):
        commerce.catalog.create_product(f"Item {n}", f"item-{n}",
                                        [VariantSpec(f"SKU-{n}", Money(10_000, "VND"))],
                                        publish=True)
        commerce.inventory.set_stock(f"SKU-{n}", "HCM", 1_000_000)
    return commerce


def _orders_of(commerce: Commerce, lines: int, orders: int, tag: str) -> float:
    carts = []
    for _ in range(orders):
        cart_id = commerce.cart.create("VND")
        for n in range(lines):
            commerce.cart.add_item(cart_id, f"SKU-{n}", 1)
        carts.append(cart_id)
    timings = []
    for n, cart_id in enumerate(carts):
        started = time.process_time()
        commerce.checkout.place_order(cart_id, idempotency_key=f"{tag}-{n}")
        timings.append(time.process_time() - started)
    return _median_ms(timings)


@contextmanager
def _sqlite_ports() -> Iterator[Ports]:
    from adapters import sql  # SQLAlchemy and the driver load only for this curve

    with tempfile.TemporaryDirectory() as directory:
        yield sql.bundle(f"sqlite:///{Path(directory) / 'growth.db'}",
                         gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                         ids=Uuid7Generator())


def lines_curve(repeat: int) -> None:
    sizes = (1, 10, 50)
    memory = _shop(bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                          ids=SequentialIds()))
    _orders_of(memory, 1, 20, "warm")
    _table("place order, in-memory bundle (median ms per order)", "ms",
           [(f"{n} lines", _orders_of(memory, n, repeat, f"m{n}")) for n in sizes])
    with _sqlite_ports() as ports:
        on_sqlite = _shop(ports)
        _orders_of(on_sqlite, 1, 5, "warm")
        _table("place order, SQLite (median ms per order)", "ms",
               [(f"{n} lines", _orders_of(on_sqlite, n, max(repeat // 3, 10), f"s{n}"))
                for n in sizes])


# -- pricing against many promotions --------------------------------------------------------
TOUCHING = 20  # promotions scoped to the cart's products, in every case
CATALOG = 10_000


def _promotions(count: int) -> PromotionSnapshot:
    benefits: list[Callable[[int], Benefit]] = [
        lambda n: PercentageOff(Decimal(1 + n % 10)),
        lambda n: FixedAmountOff(vnd(5_000 + n * 10)),
        lambda n: BuyXGetY(2, 1),
    ]

    def scope(n: int) -> ProductScope:
        if n < TOUCHING:  # the cart holds p-0 … p-49
            return ProductScope(product_ids=tuple(f"p-{(n + k) % 50}" for k in range(5)))
        first = 50 + (n * 5) % (CATALOG - 55)
        return ProductScope(product_ids=tuple(f"p-{first + k}" for k in range(5)))

    return PromotionSnapshot(promotions=tuple(
        PromotionDefinition(
            promotion_id=f"promo-{n:04d}", name=f"promotion {n}", benefit=benefits[n % 3](n),
            created_at=NOW - timedelta(days=2, seconds=n), scope=scope(n),
            is_stackable=n % 3 == 0, priority=n % 7,
        )
        for n in range(count)
    ))


def promotions_curve(repeat: int) -> None:
    prices, basket = catalogue(), cart()
    tax = TaxRuleSet((TaxRuleDefinition(rule_id="vat", name="VAT", country_code="VN",
                                        tax_type="VAT", rate=Decimal(10),
                                        created_at=NOW - timedelta(days=9)),))
    customer, context, rates = CustomerContext("c-1"), PricingContext(), ExchangeRateTable()
    rows = []
    for count in (0, 200, 2000):
        snapshot = _promotions(count)

        def run(snapshot: PromotionSnapshot = snapshot) -> object:
            return price_cart(basket, customer, context, NOW, prices=prices,
                              promotions=snapshot, taxes=tax, rates=rates)

        run()
        timings = []
        for _ in range(repeat):
            started = time.process_time()
            run()
            timings.append(time.process_time() - started)
        rows.append((f"{count:,} promotions", _median_ms(timings)))
    _table(f"price a 50-line cart, 20 rules, {TOUCHING} promotions touching it "
           "(median ms per call)", "ms", rows)


# -- checkout with a large catalog ----------------------------------------------------------
def _catalog_shop(products: int) -> Commerce:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    commerce = _shop(ports)
    now = ports.clock.now()
    for start in range(SKUS, products, 1000):
        with ports.uow() as uow:
            for n in range(start, min(start + 1000, products)):
                product = Product.create(
                    product_id=f"bulk-{n}", slug=f"bulk-{n}", name=f"Bulk {n}",
                    variants=[Variant(f"BULK-{n}", "One", Money(10_000, "VND"))], now=now,
                    publish=True)
                product.events.clear()  # loaded, not announced: nothing to relay
                uow.products.add(product)
            uow.commit()
    return commerce


def catalog_curve(repeat: int) -> None:
    rows = []
    for products in (1_000, 100_000):
        commerce = _catalog_shop(products)
        timings = []
        for n in range(repeat + 20):
            started = time.process_time()
            cart_id = commerce.cart.create("VND")
            commerce.cart.add_item(cart_id, f"SKU-{n % SKUS}", 1)
            commerce.checkout.place_order(cart_id, idempotency_key=f"c-{n}")
            if n >= 20:  # the first ones warm up
                timings.append(time.process_time() - started)
        rows.append((f"{products:,} products", _median_ms(timings)))
    _table("cart + checkout, in-memory bundle (median ms)", "ms", rows)


# -- the cost of tracing --------------------------------------------------------------------
def _traced(ports: Ports) -> Ports:
    from benchmarks.orders import _discarding_tracer
    from entrypoints.tracing import traced_ports

    return traced_ports(ports, _discarding_tracer())


def _instrumented(commerce: Commerce) -> Commerce:
    from benchmarks.orders import _discarding_tracer
    from entrypoints.tracing import instrument

    instrument(commerce, _discarding_tracer())
    return commerce


def _tracing_pair(open_ports: Callable[[], AbstractContextManager[Ports]],
                  repeat: int) -> list[float]:
    found = []
    for traced in (False, True):
        with open_ports() as ports:
            commerce = _shop(_traced(ports) if traced else ports)
            if traced:
                _instrumented(commerce)
            _orders_of(commerce, 3, 10, "warm")
            found.append(_orders_of(commerce, 3, repeat, "t"))
    return found


@contextmanager
def _memory_ports() -> Iterator[Ports]:
    yield bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())


def tracing_curve(repeat: int) -> None:
    """Place a 3-line order with tracing off and on (spans recorded, batched, dropped)."""
    for name, open_ports in (("in memory", _memory_ports), ("SQLite", _sqlite_ports)):
        off, on = _tracing_pair(open_ports, repeat)
        _table(f"place a 3-line order {name}, tracing off and on (median CPU ms per order)",
               "ms", [("tracing off", off), ("tracing on", on)])


CURVES = {"lines": lines_curve, "promotions": promotions_curve, "catalog": catalog_curve,
          "tracing": tracing_curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(CURVES))
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    for name in args.only.split(","):
        CURVES[name](args.repeat)


if __name__ == "__main__":
    main()
