"""Coupons: validation with reasons, limits against recorded usage, bulk generation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.engine import CartLineInput, CustomerContext, PricingInput
from commerce_core.promotion.commands import (
    ApplyPromotionUsages,
    CreateCoupon,
    CreatePromotion,
    DeactivateCoupon,
    GenerateCoupons,
    UsageLine,
)
from commerce_core.promotion.coupons import PREFIX_PATTERN
from commerce_core.promotion.errors import CouponBatchTooLarge, DuplicateCouponCode
from commerce_core.promotion.model import CouponType
from commerce_core.promotion.terms import FixedAmountOff, PercentageOff
from commerce_core.promotion.values import UsageCounts
from tests.unit.pricing.support import (
    NOW,
    Shop,
    coupon,
    line,
    make_shop,
    price,
    promotion,
    quote,
    vnd,
)

KETTLE = "prod-kettle"
PRICES = [price(KETTLE, 400_000)]


def reasons(codes: list[str], **kwargs: object) -> list[str]:
    breakdown = quote([line(KETTLE)], prices=PRICES, codes=codes, destination=None,
                      **kwargs)  # type: ignore[arg-type]
    return [c.reason for c in breakdown.invalid_coupons]


def shop_with_coupon(**coupon_fields: object) -> tuple[Shop, str, str]:
    shop = make_shop()
    shop.handle(CreatePrice(KETTLE, vnd(400_000)))
    promotion_id = shop.handle(CreatePromotion(
        "WELCOME 50k", FixedAmountOff(vnd(50_000)), requires_coupon=True))
    coupon_id = shop.handle(CreateCoupon(promotion_id, "welcome", **coupon_fields))  # type: ignore[arg-type]
    return shop, promotion_id, coupon_id


def priced_for(shop: Shop, customer_id: str, code: str = "WELCOME") -> tuple[int, list[str]]:
    breakdown = shop.pricing.quote(
        PricingInput("VND", (CartLineInput("l1", KETTLE, 1),), coupon_codes=(code,)),
        CustomerContext(customer_id=customer_id),
    )
    return breakdown.totals.discount_total.amount, [c.reason for c in breakdown.invalid_coupons]


def redeem(shop: Shop, promotion_id: str, coupon_id: str, order_id: str, customer: str) -> None:
    shop.handle(ApplyPromotionUsages(order_id, customer, (UsageLine(
        promotion_id, vnd(50_000), vnd(400_000), vnd(350_000), coupon_id),)))


def test_scenario_19_a_used_up_coupon_is_reported_invalid_with_a_reason() -> None:
    shop, promotion_id, coupon_id = shop_with_coupon(coupon_type=CouponType.SINGLE_USE,
                                                     usage_limit=1)
    redeem(shop, promotion_id, coupon_id, "order-1", "alice")

    discount, invalid = priced_for(shop, "bob")

    assert discount == 0
    assert invalid == ["coupon.usage_limit_reached"]
    assert shop.outbox_types().count("coupon.exhausted") == 1


def test_scenario_20_a_per_customer_limit_blocks_only_that_customer() -> None:
    shop, promotion_id, coupon_id = shop_with_coupon(usage_limit_per_customer=1)
    redeem(shop, promotion_id, coupon_id, "order-1", "alice")

    assert priced_for(shop, "alice") == (0, ["coupon.customer_limit_reached"])
    assert priced_for(shop, "bob") == (50_000, [])


def test_unknown_inactive_and_expired_codes_each_have_their_reason() -> None:
    promo = promotion("10%", PercentageOff(Decimal(10)), requires_coupon=True)
    coupons = [coupon("OFF", promo.promotion_id, is_active=False),
               coupon("OLD", promo.promotion_id, expires_at=NOW - timedelta(days=1)),
               coupon("SOON", promo.promotion_id, starts_at=NOW + timedelta(days=1))]

    assert reasons(["nope", "off", "old", "soon"], promotions=[promo], coupons=coupons) == [
        "coupon.not_found", "coupon.inactive", "coupon.expired", "coupon.not_started"]


def test_coupon_conditions_on_the_customer_and_the_order() -> None:
    promo = promotion("10%", PercentageOff(Decimal(10)), requires_coupon=True)
    coupons = [coupon("MINE", promo.promotion_id, customer_id="someone-else"),
               coupon("VIP", promo.promotion_id, customer_segments=("vip",)),
               coupon("FIRST", promo.promotion_id, first_order_only=True),
               coupon("BIG", promo.promotion_id, minimum_order_amount=vnd(500_000))]

    assert reasons(["MINE", "VIP", "FIRST", "BIG"], promotions=[promo], coupons=coupons,
                   customer=CustomerContext("cust-1", completed_orders=3)) == [
        "coupon.customer_mismatch", "coupon.segment_mismatch", "coupon.first_order_only",
        "coupon.minimum_order_not_met"]


def test_a_coupon_that_loses_to_a_better_exclusive_offer_says_so() -> None:
    automatic = promotion("100k off", FixedAmountOff(vnd(100_000)))
    coupon_offer = promotion("20k off", FixedAmountOff(vnd(20_000)), requires_coupon=True)

    breakdown = quote([line(KETTLE)], prices=PRICES, promotions=[automatic, coupon_offer],
                      coupons=[coupon("SMALL", coupon_offer.promotion_id)], codes=["small"],
                      destination=None)

    assert [o.name for o in breakdown.offers] == ["100k off"]
    assert [c.reason for c in breakdown.invalid_coupons] == ["coupon.not_combinable"]


def test_a_valid_code_shows_up_as_a_coupon_adjustment() -> None:
    offer = promotion("10%", PercentageOff(Decimal(10)), requires_coupon=True)

    breakdown = quote([line(KETTLE)], prices=PRICES, promotions=[offer],
                      coupons=[coupon("TEN", offer.promotion_id)], codes=[" ten "],
                      destination=None)

    adjustment = breakdown.lines[0].adjustments[0]
    assert (adjustment.kind.value, adjustment.coupon_code, adjustment.amount) == (
        "coupon", "TEN", vnd(40_000))


def test_a_promotion_limit_counts_recorded_usage() -> None:
    offer = promotion("first 100 orders", FixedAmountOff(vnd(10_000)), total_usage_limit=100)

    breakdown = quote([line(KETTLE)], prices=PRICES, promotions=[offer], destination=None,
                      usage=UsageCounts(promotion_uses={offer.promotion_id: 100}))

    assert breakdown.offers == ()


def test_bulk_generation_gives_up_to_10000_unique_codes_in_the_pattern() -> None:
    shop, promotion_id, _ = shop_with_coupon()

    generated = shop.handle(GenerateCoupons(promotion_id, 10_000, "tet"))

    assert len(set(generated.codes)) == 10_000
    assert all(code.startswith("TET-") and len(code) == len("TET-XXXX-XXXX")
               for code in generated.codes)
    assert shop.outbox_types().count("promotion.bulk_coupons_generated") == 1
    assert shop.outbox_types().count("coupon.created") == 1  # the WELCOME coupon only


def test_bulk_generation_refuses_more_than_10000_codes_and_bad_prefixes() -> None:
    shop, promotion_id, _ = shop_with_coupon()

    with pytest.raises(CouponBatchTooLarge):
        shop.handle(GenerateCoupons(promotion_id, 10_001, "TET"))
    assert not PREFIX_PATTERN.match("TET-2026")


def test_a_taken_code_is_refused() -> None:
    shop, promotion_id, _ = shop_with_coupon()

    with pytest.raises(DuplicateCouponCode):
        shop.handle(CreateCoupon(promotion_id, "WELCOME"))


def test_a_blocked_code_stops_validating_at_once() -> None:
    shop, _, _ = shop_with_coupon()

    shop.handle(DeactivateCoupon("welcome", "leaked on a forum"))

    assert priced_for(shop, "alice") == (0, ["coupon.inactive"])
