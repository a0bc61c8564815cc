"""The price engine end to end: pipeline order, tax once, explanation and JSON form."""

from __future__ import annotations

import json
from decimal import Decimal

from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.engine import (
    CartLineInput,
    CustomerContext,
    PricingInput,
    ShippingSelection,
    explain,
    unexplained,
)
from commerce_core.pricing.rules import PriceRuleDefinition, RuleAction, RuleCondition, RuleType
from commerce_core.promotion.terms import FixedAmountOff, FreeShipping, PercentageOff
from commerce_core.tax.commands import CreateTaxRule
from tests.unit.pricing.support import (
    NOW,
    VN,
    _created,
    coupon,
    line,
    make_shop,
    price,
    promotion,
    quote,
    tax_rule,
    vnd,
)

JACKET, SCARF = "prod-jacket", "prod-scarf"


def test_scenario_11_tax_is_applied_once_on_the_subtotal() -> None:
    breakdown = quote([line(JACKET, 2)], prices=[price(JACKET, 120_000, sale=110_000)],
                      tax_rules=[tax_rule(15)])

    totals = breakdown.totals
    assert (totals.subtotal, totals.tax_total, totals.total) == (
        vnd(220_000), vnd(33_000), vnd(253_000))
    assert breakdown.lines[0].unit_price == vnd(110_000)


def test_regression_tax_is_never_added_inside_the_unit_price_and_again_on_the_total() -> None:
    """The live system charged 290,950 (tax inside the unit price, then on the subtotal)."""
    shop = make_shop()
    shop.handle(CreatePrice(JACKET, vnd(120_000), sale_price=vnd(110_000)))
    shop.handle(CreateTaxRule("VAT 15%", "VN", "VAT", Decimal(15)))

    breakdown = shop.pricing.quote(
        PricingInput("VND", (CartLineInput("l1", JACKET, 2),), destination=VN),
        CustomerContext("alice"))

    assert breakdown.lines[0].unit_price == vnd(110_000)
    assert breakdown.totals.total == vnd(253_000)
    assert breakdown.totals.total != vnd(290_950)


def test_discounts_apply_before_tax_and_tax_is_on_the_discounted_base() -> None:
    off = promotion("20,000 off", FixedAmountOff(vnd(20_000)))

    breakdown = quote([line(JACKET)], prices=[price(JACKET, 120_000)], promotions=[off],
                      tax_rules=[tax_rule(10)])

    assert breakdown.totals.tax_total == vnd(10_000)
    assert breakdown.totals.total == vnd(110_000)


def test_the_pipeline_runs_sale_then_rules_then_promotions_then_coupons() -> None:
    rule = PriceRuleDefinition(rule_id="r-1", name="5,000 off", rule_type=RuleType.CONDITION,
                               condition=RuleCondition(), action=RuleAction.amount_off(
                                   vnd(5_000)), created_at=_created())
    automatic = promotion("10%", PercentageOff(Decimal(10)), is_stackable=True)
    coded = promotion("CODE 1,000", FixedAmountOff(vnd(1_000)), is_stackable=True,
                      requires_coupon=True, priority=99)

    breakdown = quote([line(JACKET)], prices=[price(JACKET, 120_000, sale=110_000)],
                      rules=[rule], promotions=[automatic, coded],
                      coupons=[coupon("SAVE", coded.promotion_id)], codes=["SAVE"],
                      tax_rules=[tax_rule(10)])

    priced = breakdown.lines[0]
    assert [(a.kind.value, a.amount.amount) for a in priced.adjustments] == [
        ("sale", 10_000), ("rule", 5_000), ("promotion", 10_500), ("coupon", 1_000)]
    assert priced.discounted_total == vnd(93_500)
    assert unexplained(breakdown) == []


def test_the_explanation_lists_every_step_of_every_line() -> None:
    off = promotion("Winter 10%", PercentageOff(Decimal(10)))
    breakdown = quote([line(JACKET, 2), line(SCARF)],
                      prices=[price(JACKET, 120_000, sale=110_000), price(SCARF, 50_000)],
                      promotions=[off], tax_rules=[tax_rule(10)],
                      shipping=ShippingSelection("standard", vnd(30_000)))

    text = "\n".join(explain(breakdown))

    assert "sale 'sale price': -20,000 VND" in text
    assert "promotion 'Winter 10%': -22,000 VND" in text
    assert "VAT 10% 'VAT 10%': 24,300 VND" in text
    assert text.endswith(f"total {breakdown.totals.total}")


def test_the_breakdown_has_a_json_ready_form() -> None:
    free = promotion("free shipping", FreeShipping())
    breakdown = quote([line(JACKET)], prices=[price(JACKET, 120_000)], promotions=[free],
                      tax_rules=[tax_rule(10)], codes=["NOPE"],
                      shipping=ShippingSelection("standard", vnd(30_000)))

    data = json.loads(json.dumps(breakdown.to_dict()))

    assert data["totals"]["total"] == {"amount": 132_000, "currency": "VND"}
    assert data["lines"][0]["source"]["level"] == "PRODUCT"
    assert data["shipping"]["discount"]["amount"] == 30_000
    assert data["tax_rates"][0]["rate"] == "10"
    assert data["invalid_coupons"][0]["reason"] == "coupon.not_found"
    assert data["priced_at"] == NOW.isoformat()


def test_the_same_cart_in_another_line_order_prices_identically() -> None:
    off = promotion("7,777 off", FixedAmountOff(vnd(7_777)))
    prices, vat = [price(JACKET, 120_000), price(SCARF, 50_001)], [tax_rule(10)]
    lines = [line(JACKET, 3), line(SCARF, 2)]

    forward = quote(lines, prices=prices, promotions=[off], tax_rules=vat)
    backward = quote(lines[::-1], prices=prices, promotions=[off], tax_rules=vat)

    assert forward == backward
