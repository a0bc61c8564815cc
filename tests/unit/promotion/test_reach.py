"""Promotions scoped to nothing in the cart are left out before their checks; what reaches the
cart (by product, category, brand, or every product but some) still applies, and a coupon for
an offer out of reach is still refused with its reason."""

from __future__ import annotations

from decimal import Decimal

from commerce_core.promotion.terms import PercentageOff, ProductScope
from tests.unit.pricing.support import coupon, line, price, promotion, quote

TEE, CAP = "prod-tee", "prod-cap"
PRICES = [price(TEE, 1000), price(CAP, 500)]


def _applied(*scopes: ProductScope) -> list[str]:
    promotions = [promotion(f"promo {n}", PercentageOff(Decimal(10)), scope=scope,
                            promotion_id=f"promo-{n}", is_stackable=True)
                  for n, scope in enumerate(scopes)]
    breakdown = quote([line(TEE, category_ids=("shirts",), brand_id="acme"), line(CAP)],
                      prices=PRICES, promotions=promotions, destination=None)
    return sorted(offer.promotion_id for offer in breakdown.offers)


def test_what_reaches_a_line_applies_and_the_rest_does_not() -> None:
    assert _applied(
        ProductScope(product_ids=(CAP,)),
        ProductScope(category_ids=("shirts",)),
        ProductScope(brand_ids=("acme",)),
        ProductScope(excluded_product_ids=(TEE,)),  # every product but the tee
        ProductScope(),
        ProductScope(product_ids=("prod-elsewhere",), category_ids=("shoes",),
                     brand_ids=("other",)),
        ProductScope(excluded_product_ids=(TEE, CAP)),
    ) == ["promo-0", "promo-1", "promo-2", "promo-3", "promo-4"]


def test_a_coupon_for_an_offer_out_of_reach_is_refused_with_its_reason() -> None:
    elsewhere = promotion("shoes", PercentageOff(Decimal(10)), requires_coupon=True,
                          scope=ProductScope(product_ids=("prod-shoe",)))
    breakdown = quote([line(TEE)], prices=PRICES, promotions=[elsewhere],
                      coupons=[coupon("SHOES", elsewhere.promotion_id)], codes=["SHOES"],
                      destination=None)

    assert [c.reason for c in breakdown.invalid_coupons] == ["coupon.not_applicable"]
