"""Discount calculators and stacking (spec §2.1 and steps 4-5 of validation)."""

from __future__ import annotations

from decimal import Decimal

from commerce_core.pricing.engine import PriceBreakdown, ShippingSelection
from commerce_core.promotion.model import PromotionDefinition
from commerce_core.promotion.terms import (
    AllOf,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Condition,
    FixedAmountOff,
    FreeShipping,
    ItemSelection,
    Op,
    PercentageOff,
    Pick,
    ProductScope,
    Tier,
    Tiered,
)
from tests.unit.pricing.support import line, price, promotion, quote, vnd

TEE, CAP, MUG = "prod-tee", "prod-cap", "prod-mug"
PRICES = [price(TEE, 300), price(CAP, 200), price(MUG, 100)]


def one_each(*promotions: PromotionDefinition, **kwargs: object) -> PriceBreakdown:
    lines = [line(TEE), line(CAP), line(MUG)]
    return quote(lines, prices=PRICES, promotions=promotions, destination=None,
                 **kwargs)  # type: ignore[arg-type]


def cart_of(amount: int, *promotions: PromotionDefinition) -> PriceBreakdown:
    return quote([line("prod-x")], prices=[price("prod-x", amount)], promotions=promotions,
                 destination=None)


def test_scenario_12_a_percentage_is_capped_by_the_maximum_discount() -> None:
    ten_percent = promotion("10% off", PercentageOff(Decimal(10)),
                            maximum_discount_amount=vnd(50_000))

    assert cart_of(1_000_000, ten_percent).totals.discount_total == vnd(50_000)


def test_scenario_13_a_fixed_discount_never_exceeds_the_cart() -> None:
    big = promotion("300,000 off", FixedAmountOff(vnd(300_000)))

    totals = cart_of(200_000, big).totals

    assert totals.discount_total == vnd(200_000)
    assert totals.total == vnd(0)


def test_scenario_14_every_stackable_plus_only_the_best_non_stackable_apply() -> None:
    stack_a = promotion("stack 10", FixedAmountOff(vnd(10)), is_stackable=True)
    stack_b = promotion("stack 20", FixedAmountOff(vnd(20)), is_stackable=True)
    solo_small = promotion("solo 50", FixedAmountOff(vnd(50)))
    solo_big = promotion("solo 80", FixedAmountOff(vnd(80)))

    applied = one_each(stack_a, solo_small, stack_b, solo_big).offers

    assert sorted(o.name for o in applied) == ["solo 80", "stack 10", "stack 20"]


def test_scenario_15_a_matched_rule_that_stops_processing_hides_lower_priorities() -> None:
    top = promotion("top", FixedAmountOff(vnd(10)), priority=10, is_stackable=True,
                    stop_rules_processing=True)
    lower = promotion("lower", FixedAmountOff(vnd(90)), priority=1, is_stackable=True)

    assert [o.name for o in one_each(top, lower).offers] == ["top"]


def test_a_stop_rule_that_does_not_match_stops_nothing() -> None:
    top = promotion("top", FixedAmountOff(vnd(10)), priority=10, stop_rules_processing=True,
                    minimum_order_amount=vnd(10_000))
    lower = promotion("lower", FixedAmountOff(vnd(90)), priority=1)

    assert [o.name for o in one_each(top, lower).offers] == ["lower"]


def test_scenario_16_buy_two_get_one_gives_the_cheapest_free() -> None:
    b2g1 = promotion("buy 2 get 1", BuyXGetY(buy_quantity=2, get_quantity=1))

    breakdown = one_each(b2g1)

    assert breakdown.totals.discount_total == vnd(100)
    assert breakdown.line("line-prod-mug").discount == vnd(100)


def test_buy_two_get_one_on_six_units_takes_the_cheapest_of_each_round() -> None:
    b2g1 = promotion("buy 2 get 1", BuyXGetY(buy_quantity=2, get_quantity=1))
    prices = [price(f"p{v}", v) for v in (600, 500, 400, 300, 200, 100)]

    breakdown = quote([line(f"p{v}") for v in (600, 500, 400, 300, 200, 100)], prices=prices,
                      promotions=[b2g1], destination=None)

    assert breakdown.totals.discount_total == vnd(100 + 200)


def test_scenario_17_buy_a_get_b_free_needs_an_a() -> None:
    a_gets_b = promotion("tee gets a free cap", BuyXGetY(
        buy_quantity=1, get_quantity=1, get_scope=ProductScope(product_ids=(CAP,))),
        scope=ProductScope(product_ids=(TEE,)))

    with_a = quote([line(TEE), line(CAP)], prices=PRICES, promotions=[a_gets_b],
                   destination=None)
    without_a = quote([line(CAP), line(MUG)], prices=PRICES, promotions=[a_gets_b],
                      destination=None)

    assert with_a.totals.discount_total == vnd(200)
    assert without_a.totals.discount_total == vnd(0)


def test_scenario_18_free_shipping_only_for_its_method() -> None:
    free = promotion("free standard shipping", FreeShipping(methods=("standard",)))

    express = one_each(free, shipping=ShippingSelection("express", vnd(30_000)))
    standard = one_each(free, shipping=ShippingSelection("standard", vnd(30_000)))

    assert express.totals.shipping_discount == vnd(0)
    assert standard.totals.shipping_discount == vnd(30_000)
    assert standard.totals.total == vnd(600)


def test_free_shipping_is_capped() -> None:
    capped = promotion("20,000 of shipping", FreeShipping(cap=vnd(20_000)))

    breakdown = one_each(capped, shipping=ShippingSelection("express", vnd(30_000)))

    assert breakdown.totals.shipping_discount == vnd(20_000)


def test_tiers_include_their_lower_bound_and_the_highest_reached_applies() -> None:
    tiers = promotion("spend more save more", Tiered((
        Tier(vnd(500), percent=Decimal(5)), Tier(vnd(600), percent=Decimal(10)),
        Tier(vnd(1_000), percent=Decimal(20)))))

    assert one_each(tiers).totals.discount_total == vnd(60)
    assert cart_of(499, tiers).totals.discount_total == vnd(0)


def test_quantity_tiers_count_eligible_units() -> None:
    tiers = promotion("3 or more", Tiered((Tier(3, amount=vnd(50)),)))

    assert one_each(tiers).totals.discount_total == vnd(50)


def test_item_selection_discounts_the_cheapest_or_dearest_units() -> None:
    cheapest = promotion("cheapest half off", ItemSelection(Pick.CHEAPEST, 1, Decimal(50)))
    dearest = promotion("dearest free", ItemSelection(Pick.MOST_EXPENSIVE))

    assert one_each(cheapest).totals.discount_total == vnd(50)
    assert one_each(dearest).totals.discount_total == vnd(300)


def test_a_bundle_sells_each_complete_set_at_its_price() -> None:
    bundle = promotion("tee + cap for 400", BundlePrice(
        (BundleComponent(TEE), BundleComponent(CAP)), vnd(400)))

    breakdown = quote([line(TEE, 2), line(CAP, 1)], prices=PRICES, promotions=[bundle],
                      destination=None)

    assert breakdown.totals.discount_total == vnd(100)


def test_a_category_promotion_skips_excluded_products() -> None:
    drinkware = promotion("20% off the kitchen", PercentageOff(Decimal(20)), scope=ProductScope(
        category_ids=("kitchen",), excluded_product_ids=("prod-teapot",)))
    lines = [line(MUG, category_ids=("kitchen",)), line("prod-teapot", category_ids=("kitchen",)),
             line(TEE)]

    breakdown = quote(lines, prices=[*PRICES, price("prod-teapot", 500)],
                      promotions=[drinkware], destination=None)

    assert breakdown.totals.discount_total == vnd(20)
    assert breakdown.line("line-prod-mug").discount == vnd(20)


def test_conditions_decide_whether_a_promotion_applies() -> None:
    card_and_big = promotion("card orders over 500", FixedAmountOff(vnd(10)), conditions=AllOf((
        Condition("subtotal", Op.GTE, 500), Condition("payment_method", Op.EQ, "card"))))

    assert one_each(card_and_big).totals.discount_total == vnd(0)


def test_an_order_discount_is_spread_over_lines_exactly() -> None:
    ten_off = promotion("100 off", FixedAmountOff(vnd(100)))

    breakdown = one_each(ten_off)

    assert [ln.discount.amount for ln in breakdown.lines] == [33, 17, 50]
    assert sum(ln.discount.amount for ln in breakdown.lines) == 100


def test_stacked_percentages_compound_on_what_is_left() -> None:
    first = promotion("10%", PercentageOff(Decimal(10)), is_stackable=True, priority=2)
    second = promotion("10% more", PercentageOff(Decimal(10)), is_stackable=True, priority=1)

    assert cart_of(1_000, first, second).totals.discount_total == vnd(190)
