"""Pricing routes: a cart's price breakdown and its coupon codes (public), and the admin of price
rows, price rules, campaigns, promotions, coupons (with bulk generation as a CSV download) and
tax rules."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from commerce_core.cart.commands import ApplyCoupon, RemoveCoupon
from commerce_core.pricing.commands import DeactivatePrice, DeactivatePriceRule
from commerce_core.pricing.ports import COUNTRY_CODE_FORMAT, TaxDestination
from commerce_core.promotion.commands import (
    DeactivateCampaign,
    DeactivateCoupon,
    DisablePromotion,
)
from commerce_core.shared.permissions import Permission
from commerce_core.tax.commands import DeactivateTaxRule
from entrypoints.http.access import ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import CartOut
from entrypoints.http.schemas.pricing import (
    CampaignIn,
    CouponBatchIn,
    CouponIn,
    NewCouponIn,
    PriceChangeIn,
    PriceIn,
    PriceRuleIn,
    PromotionIn,
    TaxRuleIn,
    definition_json,
)

router = APIRouter(prefix="/carts", tags=["pricing"])
admin = APIRouter(tags=["pricing admin"])
Json = dict[str, Any]


@router.get("/{cart_id}/price",
            summary="How the cart's price comes about: every line, adjustment and tax")
def cart_price(
    cart_id: str, commerce: CommerceDep, shopper: ShopperDep,
    country: Annotated[str | None, Query(pattern=COUNTRY_CODE_FORMAT)] = None,
    region: str | None = None, postcode: str | None = None,
) -> Json:
    """The engine's breakdown at the quote stage; with `country`, tax is computed for that
    destination, otherwise it is pending."""
    shopper.cart(commerce, cart_id)
    destination = TaxDestination(country, region, postcode) if country else None
    return commerce.cart.price(cart_id, destination=destination).to_dict()


@router.post("/{cart_id}/coupons", status_code=status.HTTP_201_CREATED,
             summary="Put a coupon code on the cart (at most five)")
def apply_coupon(cart_id: str, body: CouponIn, commerce: CommerceDep,
                 request_id: RequestIdDep, shopper: ShopperDep) -> CartOut:
    shopper.cart(commerce, cart_id)
    commerce.handle(ApplyCoupon(cart_id, body.code), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.delete("/{cart_id}/coupons/{code}")
def remove_coupon(cart_id: str, code: str, commerce: CommerceDep,
                  request_id: RequestIdDep, shopper: ShopperDep) -> CartOut:
    shopper.cart(commerce, cart_id)
    commerce.handle(RemoveCoupon(cart_id, code), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


# -- price rows and rules -------------------------------------------------------------------------
@admin.post("/prices", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PRICING_WRITE)])
def create_price(body: PriceIn, commerce: CommerceDep) -> Json:
    return definition_json(commerce.pricing.price(commerce.pricing.create_price(
        body.to_command())))


@admin.get("/products/{product_id}/prices", dependencies=[permit(Permission.PRICING_READ)])
def product_prices(product_id: str, commerce: CommerceDep) -> list[Json]:
    return [definition_json(p) for p in commerce.pricing.prices_of(product_id)]


@admin.put("/prices/{price_id}", summary="Change a price row (optimistic lock on the version)",
           dependencies=[permit(Permission.PRICING_WRITE)])
def update_price(price_id: str, body: PriceChangeIn, commerce: CommerceDep) -> Json:
    commerce.pricing.update_price(body.to_command(price_id))
    return definition_json(commerce.pricing.price(price_id))


@admin.delete("/prices/{price_id}", status_code=status.HTTP_204_NO_CONTENT,
              dependencies=[permit(Permission.PRICING_WRITE)])
def deactivate_price(price_id: str, commerce: CommerceDep) -> None:
    commerce.handle(DeactivatePrice(price_id))


@admin.post("/price-rules", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PRICING_WRITE)])
def create_price_rule(body: PriceRuleIn, commerce: CommerceDep) -> Json:
    return {"id": commerce.pricing.create_rule(body.to_command())}


@admin.get("/price-rules", dependencies=[permit(Permission.PRICING_READ)])
def price_rules(commerce: CommerceDep) -> list[Json]:
    return [definition_json(r) for r in commerce.pricing.rules()]


@admin.delete("/price-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT,
              dependencies=[permit(Permission.PRICING_WRITE)])
def deactivate_price_rule(rule_id: str, commerce: CommerceDep) -> None:
    commerce.handle(DeactivatePriceRule(rule_id))


# -- campaigns, promotions, coupons ---------------------------------------------------------------
@admin.post("/campaigns", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def create_campaign(body: CampaignIn, commerce: CommerceDep) -> Json:
    return {"id": commerce.promotions.create_campaign(body.to_command())}


@admin.get("/campaigns", dependencies=[permit(Permission.PRICING_READ)])
def campaigns(commerce: CommerceDep) -> list[Json]:
    return [definition_json(c) for c in commerce.promotions.campaigns()]


@admin.post("/campaigns/{campaign_id}/deactivate", status_code=status.HTTP_204_NO_CONTENT,
            summary="Stop the campaign and every promotion in it",
            dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def deactivate_campaign(campaign_id: str, commerce: CommerceDep) -> None:
    commerce.handle(DeactivateCampaign(campaign_id))


@admin.post("/promotions", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def create_promotion(body: PromotionIn, commerce: CommerceDep) -> Json:
    return definition_json(commerce.promotions.get(commerce.promotions.create(
        body.to_command())))


@admin.get("/promotions", dependencies=[permit(Permission.PRICING_READ)])
def promotions(commerce: CommerceDep) -> list[Json]:
    return [definition_json(p) for p in commerce.promotions.list()]


@admin.delete("/promotions/{promotion_id}", status_code=status.HTTP_204_NO_CONTENT,
              dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def disable_promotion(promotion_id: str, commerce: CommerceDep) -> None:
    commerce.handle(DisablePromotion(promotion_id))


@admin.post("/promotions/{promotion_id}/coupons", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def create_coupon(promotion_id: str, body: NewCouponIn, commerce: CommerceDep) -> Json:
    return {"id": commerce.promotions.create_coupon(body.to_command(promotion_id))}


@admin.post("/promotions/{promotion_id}/coupons/batch", status_code=status.HTTP_201_CREATED,
            summary="Generate up to 10,000 unique codes; the answer is a CSV of them",
            response_class=Response,
            responses={201: {"content": {"text/csv": {}}}},
            dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def generate_coupons(promotion_id: str, body: CouponBatchIn, commerce: CommerceDep) -> Response:
    batch = commerce.promotions.generate_coupons(body.to_command(promotion_id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code"])
    writer.writerows([code] for code in batch.codes)
    return Response(
        out.getvalue(), status_code=status.HTTP_201_CREATED, media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="coupons-{batch.batch_id}.csv"',
                 "X-Batch-Id": batch.batch_id},
    )


@admin.delete("/coupons/{code}", status_code=status.HTTP_204_NO_CONTENT,
              summary="Block a code at once", dependencies=[permit(Permission.PROMOTIONS_WRITE)])
def deactivate_coupon(code: str, commerce: CommerceDep) -> None:
    commerce.handle(DeactivateCoupon(code))


# -- tax rules ------------------------------------------------------------------------------------
@admin.post("/tax-rules", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.PRICING_WRITE)])
def create_tax_rule(body: TaxRuleIn, commerce: CommerceDep) -> Json:
    return {"id": commerce.tax.create_rule(body.to_command())}


@admin.get("/tax-rules", dependencies=[permit(Permission.PRICING_READ)])
def tax_rules(commerce: CommerceDep) -> list[Json]:
    return [definition_json(r) for r in commerce.tax.rules()]


@admin.delete("/tax-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT,
              dependencies=[permit(Permission.PRICING_WRITE)])
def deactivate_tax_rule(rule_id: str, commerce: CommerceDep) -> None:
    commerce.handle(DeactivateTaxRule(rule_id))
