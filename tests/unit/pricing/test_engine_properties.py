"""Properties of the price engine over random carts, rules, promotions and tax rates."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce_core.pricing.engine import (
    CartLineInput,
    PriceBreakdown,
    ShippingSelection,
    explain,
)
from commerce_core.pricing.model import PricePoint
from commerce_core.pricing.rules import (
    PriceRuleDefinition,
    RuleAction,
    RuleCondition,
    RuleType,
)
from commerce_core.promotion.model import CouponDefinition, PromotionDefinition
from commerce_core.promotion.terms import (
    Benefit,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    FixedAmountOff,
    FreeShipping,
    ItemSelection,
    PercentageOff,
    Pick,
    ProductScope,
    Tier,
    Tiered,
)
from commerce_core.shared.money import Money
from commerce_core.tax.model import TaxRuleDefinition
from tests.unit.pricing.support import NOW, coupon, price, promotion, quote, tax_rule

PRODUCTS = ("p0", "p1", "p2", "p3")
CURRENCIES = st.sampled_from(["VND", "USD"])
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)


@st.composite
def carts(draw: st.DrawFn) -> dict[str, Any]:
    currency = draw(CURRENCIES)

    def money(low: int, high: int) -> Money:
        return Money(draw(st.integers(low, high)), currency)

    lines = []
    for index in range(draw(st.integers(1, 6))):
        lines.append(CartLineInput(
            line_id=f"l{index}", product_id=draw(st.sampled_from(PRODUCTS)),
            quantity=draw(st.integers(1, 12)),
            sku=draw(st.sampled_from([None, "S1"])),
            warehouse_id=draw(st.sampled_from([None, "W1"])),
            category_ids=tuple(draw(st.sets(st.sampled_from(["c1", "FOOD"])))),
            tax_class=draw(st.sampled_from([None, "REDUCED"])),
        ))
    prices: list[PricePoint] = []
    for product in PRODUCTS:
        base = money(1, 3_000_000)
        sale = draw(st.none() | st.integers(0, base.amount - 1))
        prices.append(price(product, base, sale=None if sale is None else Money(sale, currency)))
        if draw(st.booleans()):
            prices.append(price(product, money(1, 3_000_000), sku="S1", warehouse_id="W1"))
    rules = [_rule(draw, currency, i) for i in range(draw(st.integers(0, 3)))]
    promotions: list[PromotionDefinition] = []
    coupons: list[CouponDefinition] = []
    codes: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        offer = promotion(
            "offer", _benefit(draw, currency), is_stackable=draw(st.booleans()),
            priority=draw(st.integers(0, 3)), stop_rules_processing=draw(st.booleans()),
            requires_coupon=draw(st.booleans()),
            maximum_discount_amount=draw(st.none() | st.just(money(1, 500_000))),
            scope=draw(st.sampled_from([ProductScope(), ProductScope(product_ids=("p1", "p2")),
                                        ProductScope(category_ids=("c1",))])),
        )
        promotions.append(offer)
        if offer.requires_coupon:
            code = f"C{len(coupons)}"
            coupons.append(coupon(code, offer.promotion_id))
            codes.append(code)
    taxes = [_tax(draw, i) for i in range(draw(st.integers(0, 3)))]
    shipping = draw(st.none() | st.builds(
        lambda method, amount: ShippingSelection(method, Money(amount, currency)),
        st.sampled_from(["standard", "express"]), st.integers(0, 200_000)))
    return {"lines": lines, "prices": prices, "rules": rules, "promotions": promotions,
            "coupons": coupons, "codes": codes, "tax_rules": taxes, "shipping": shipping,
            "currency": currency}


def _rule(draw: st.DrawFn, currency: str, index: int) -> PriceRuleDefinition:
    amount = Money(draw(st.integers(0, 1_000_000)), currency)
    action = draw(st.sampled_from([
        RuleAction.percent_off(draw(percents)), RuleAction.amount_off(amount),
        RuleAction.set_price(amount), RuleAction.volume_tiers((3, amount)),
    ]))
    return PriceRuleDefinition(
        rule_id=f"rule-{index}", name=f"rule {index}",
        rule_type=RuleType.VOLUME if action.tiers else RuleType.CONDITION,
        condition=RuleCondition(product_ids=tuple(draw(st.sets(st.sampled_from(PRODUCTS))))),
        action=action, created_at=NOW, priority=draw(st.integers(0, 2)),
        stop_further_rules=draw(st.booleans()),
    )


def _benefit(draw: st.DrawFn, currency: str) -> Benefit:
    def money(low: int, high: int) -> Money:
        return Money(draw(st.integers(low, high)), currency)

    choices: list[Benefit] = [
        PercentageOff(draw(percents)),
        FixedAmountOff(money(1, 5_000_000), per_unit=draw(st.booleans())),
        BuyXGetY(draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(percents),
                 get_scope=draw(st.none() | st.just(ProductScope(product_ids=("p3",))))),
        Tiered((Tier(2, percent=draw(percents)), Tier(5, amount=money(1, 300_000)))),
        Tiered((Tier(money(1, 1_000_000), percent=draw(percents)),)),
        ItemSelection(draw(st.sampled_from(list(Pick))), draw(st.integers(1, 3)),
                      draw(percents)),
        FreeShipping(methods=draw(st.sampled_from([(), ("standard",)])),
                     cap=draw(st.none() | st.just(money(1, 100_000)))),
        BundlePrice((BundleComponent("p0"), BundleComponent("p1", 2)), money(0, 2_000_000)),
    ]
    return draw(st.sampled_from(choices))


def _tax(draw: st.DrawFn, index: int) -> TaxRuleDefinition:
    kind = draw(st.sampled_from(["plain", "compound", "inclusive"]))
    return tax_rule(
        str(draw(st.decimals(min_value=0, max_value=30, places=2))),
        tax_type=["VAT", "EXCISE", "DUTY"][index],
        is_compound=kind == "compound", is_inclusive=kind == "inclusive",
        categories=draw(st.sampled_from([(), ("FOOD",)])),
        tax_classes=draw(st.sampled_from([(), ("REDUCED",)])),
        applies_to_shipping=draw(st.booleans()),
    )


def priced(cart: dict[str, Any], lines: list[CartLineInput] | None = None) -> PriceBreakdown:
    return quote(lines if lines is not None else cart["lines"], prices=cart["prices"],
                 rules=cart["rules"], promotions=cart["promotions"], coupons=cart["coupons"],
                 codes=cart["codes"], tax_rules=cart["tax_rules"], shipping=cart["shipping"],
                 currency=cart["currency"])


@settings(max_examples=100, deadline=None)
@given(cart=carts())
def test_totals_reconcile_exactly_and_no_line_goes_below_zero(cart: dict[str, Any]) -> None:
    breakdown = priced(cart)
    t = breakdown.totals

    assert t.subtotal - t.discount_total + t.shipping - t.shipping_discount + t.tax_total \
        - t.tax_included == t.total
    assert sum(ln.total.amount for ln in breakdown.lines) + breakdown.shipping.total.amount \
        == t.total.amount
    assert all(ln.discounted_total.amount >= 0 and ln.total.amount >= 0
               for ln in breakdown.lines)
    assert t.discount_total <= t.subtotal
    assert t.shipping_discount <= t.shipping
    assert sum(ln.tax.amount for ln in breakdown.lines) + breakdown.shipping.tax.amount \
        == t.tax_total.amount == sum(r.amount.amount for r in breakdown.tax_rates)
    assert sum(o.total.amount for o in breakdown.offers) == (
        t.discount_total + t.shipping_discount).amount


@settings(max_examples=100, deadline=None)
@given(cart=carts(), seed=st.integers(0, 1_000))
def test_the_result_does_not_depend_on_the_order_of_lines(cart: dict[str, Any],
                                                          seed: int) -> None:
    shuffled = list(cart["lines"])
    random.Random(seed).shuffle(shuffled)

    assert priced(cart, shuffled) == priced(cart)


@settings(max_examples=100, deadline=None)
@given(cart=carts())
def test_the_explanation_accounts_for_every_minor_unit(cart: dict[str, Any]) -> None:
    breakdown = priced(cart)

    for ln in breakdown.lines:
        taken = sum(a.amount.amount for a in ln.adjustments)
        assert ln.list_total.amount - taken == ln.discounted_total.amount
        assert all(a.amount.amount > 0 for a in ln.adjustments)
    list_total = sum(ln.list_total.amount for ln in breakdown.lines)
    taken = sum(a.amount.amount for ln in breakdown.lines for a in ln.adjustments)
    assert list_total - taken == (breakdown.totals.subtotal
                                  - breakdown.totals.discount_total).amount
    assert sum(a.amount.amount for a in breakdown.shipping.adjustments) == \
        breakdown.totals.shipping_discount.amount
    assert explain(breakdown)[-1] == f"total {breakdown.totals.total}"
