"""Pricing a 50-line cart against 200 active promotions and 20 price rules (embedded, the pure
engine on data loaded beforehand), and the same cart with no promotions as the reference.

    uv run python -m benchmarks.pricing [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from commerce_core.pricing.currency import ExchangeRateTable
from commerce_core.pricing.engine import (
    CartLineInput,
    CustomerContext,
    PriceCatalogue,
    PricingContext,
    PricingInput,
    price_cart,
)
from commerce_core.pricing.model import PricePoint
from commerce_core.pricing.ports import TaxDestination
from commerce_core.pricing.rules import PriceRuleDefinition, RuleAction, RuleCondition, RuleType
from commerce_core.promotion.evaluation import PromotionSnapshot
from commerce_core.promotion.model import PromotionDefinition
from commerce_core.promotion.terms import (
    Benefit,
    BuyXGetY,
    FixedAmountOff,
    PercentageOff,
    ProductScope,
    Tier,
    Tiered,
)
from commerce_core.shared.money import Money
from commerce_core.tax.calculation import TaxRuleSet
from commerce_core.tax.model import TaxRuleDefinition

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LINES, PROMOTIONS, RULES = 50, 200, 20


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def catalogue() -> PriceCatalogue:
    since = NOW - timedelta(days=1)
    prices = tuple(
        PricePoint(price_id=f"price-{n}", product_id=f"p-{n}", currency="VND",
                   base_price=vnd(100_000 + 1_000 * n), effective_from=since, created_at=since,
                   sku=f"SKU-{n}", sale_price=vnd(90_000 + 1_000 * n) if n % 5 == 0 else None)
        for n in range(LINES)
    )
    rules = tuple(
        PriceRuleDefinition(
            rule_id=f"rule-{n}", name=f"rule {n}", rule_type=RuleType.VOLUME,
            condition=RuleCondition(product_ids=(f"p-{n}", f"p-{n + 20}"), min_quantity=2),
            action=RuleAction.percent_off(Decimal(1 + n % 5)), created_at=since, priority=n % 3,
        )
        for n in range(RULES)
    )
    return PriceCatalogue(prices, rules)


def promotions() -> PromotionSnapshot:
    benefits: list[Callable[[int], Benefit]] = [
        lambda n: PercentageOff(Decimal(1 + n % 10)),
        lambda n: FixedAmountOff(vnd(5_000 + n * 10)),
        lambda n: BuyXGetY(2, 1),
        lambda n: Tiered((Tier(3, percent=Decimal(2)), Tier(10, percent=Decimal(5)))),
    ]
    definitions = tuple(
        PromotionDefinition(
            promotion_id=f"promo-{n:03d}", name=f"promotion {n}", benefit=benefits[n % 4](n),
            created_at=NOW - timedelta(days=2, seconds=n),
            scope=ProductScope(product_ids=tuple(f"p-{(n + k) % LINES}" for k in range(5))),
            is_stackable=n % 3 == 0, priority=n % 7,
        )
        for n in range(PROMOTIONS)
    )
    return PromotionSnapshot(promotions=definitions)


def cart() -> PricingInput:
    lines = tuple(CartLineInput(line_id=f"l-{n}", product_id=f"p-{n}", sku=f"SKU-{n}",
                                quantity=1 + n % 4, category_ids=("c-1",))
                  for n in range(LINES))
    return PricingInput("VND", lines, destination=TaxDestination("VN"))


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    prices, offers, basket = catalogue(), promotions(), cart()
    tax = TaxRuleSet((TaxRuleDefinition(rule_id="vat", name="VAT", country_code="VN",
                                        tax_type="VAT", rate=Decimal(10),
                                        created_at=NOW - timedelta(days=9)),))
    customer, context, rates = CustomerContext("c-1"), PricingContext(), ExchangeRateTable()

    def priced(snapshot: PromotionSnapshot) -> Callable[[], object]:
        return lambda: price_cart(basket, customer, context, NOW, prices=prices,
                                  promotions=snapshot, taxes=tax, rates=rates)

    with_promotions = median_ms(priced(offers), args.repeat)
    without = median_ms(priced(PromotionSnapshot()), args.repeat)
    applied = len(price_cart(basket, customer, context, NOW, prices=prices, promotions=offers,
                             taxes=tax, rates=rates).offers)
    print(f"{LINES}-line cart, {PROMOTIONS} promotions ({applied} applied), {RULES} price rules, "
          f"median of {args.repeat}:")
    print(f"  with promotions: {with_promotions:.2f} ms")
    print(f"  no promotions:   {without:.2f} ms")
    print(f"  ratio:           {with_promotions / without:.1f}x")


if __name__ == "__main__":
    main()
