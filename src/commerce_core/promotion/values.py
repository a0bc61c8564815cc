"""What promotion evaluation reads and returns (the spec's `ValidatePromotions` context and
output): explicit cart lines, the shopper, definitions and usage counts loaded beforehand, and
the applied promotions with per-line discounts, plus every refused coupon with its reason."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import field, frozen

from commerce_core.promotion.calculators import PromotionLine
from commerce_core.promotion.model import (
    CampaignDefinition,
    CouponDefinition,
    PromotionDefinition,
)
from commerce_core.promotion.terms import DiscountType
from commerce_core.shared.money import Money


class InvalidReason(StrEnum):
    """Why a coupon code gives nothing; stable codes clients switch on."""

    NOT_FOUND = "coupon.not_found"
    INACTIVE = "coupon.inactive"
    NOT_STARTED = "coupon.not_started"
    EXPIRED = "coupon.expired"
    USAGE_LIMIT_REACHED = "coupon.usage_limit_reached"
    CUSTOMER_LIMIT_REACHED = "coupon.customer_limit_reached"
    CUSTOMER_MISMATCH = "coupon.customer_mismatch"
    CUSTOMER_REQUIRED = "coupon.customer_required"
    SEGMENT_MISMATCH = "coupon.segment_mismatch"
    FIRST_ORDER_ONLY = "coupon.first_order_only"
    MINIMUM_ORDER_NOT_MET = "coupon.minimum_order_not_met"
    PROMOTION_UNAVAILABLE = "coupon.promotion_unavailable"
    PROMOTION_LIMIT_REACHED = "coupon.promotion_limit_reached"
    BUDGET_EXHAUSTED = "coupon.budget_exhausted"
    NOT_APPLICABLE = "coupon.not_applicable"
    NOT_COMBINABLE = "coupon.not_combinable"
    DUPLICATE = "coupon.duplicate"


@frozen
class PromotionRequest:
    """The cart as promotions see it: explicit lines (spec §2 validation context)."""

    currency: str
    lines: tuple[PromotionLine, ...]
    coupon_codes: tuple[str, ...] = ()
    shipping_method: str | None = None
    shipping_amount: Money | None = None
    shipping_country: str | None = None
    shipping_region: str | None = None
    shipping_postcode: str | None = None
    payment_method: str | None = None


@frozen
class Shopper:
    customer_id: str | None = None
    segments: tuple[str, ...] = ()
    completed_orders: int | None = None  # None: unknown (a guest)


@frozen
class UsageCounts:
    """Recorded usages that still count (applied or redeemed), as the ledger reports them."""

    promotion_uses: Mapping[str, int] = field(factory=dict)
    promotion_customer_uses: Mapping[str, int] = field(factory=dict)  # this shopper's
    coupon_uses: Mapping[str, int] = field(factory=dict)
    coupon_customer_uses: Mapping[str, int] = field(factory=dict)  # this shopper's
    campaign_budget_used: Mapping[str, Money] = field(factory=dict)


@frozen
class PromotionSnapshot:
    """Everything evaluation needs, loaded beforehand: live definitions, the coupons named by
    the cart's codes, and usage counts."""

    promotions: tuple[PromotionDefinition, ...] = ()
    campaigns: tuple[CampaignDefinition, ...] = ()
    coupons: tuple[CouponDefinition, ...] = ()
    usage: UsageCounts = field(factory=UsageCounts)


@frozen
class RejectedCoupon:
    code: str
    reason: InvalidReason
    message: str
    promotion_id: str | None = None


@frozen
class LineDiscount:
    line_id: str
    amount: Money


@frozen
class AppliedPromotion:
    promotion_id: str
    name: str
    discount_type: DiscountType
    is_stackable: bool
    line_discounts: tuple[LineDiscount, ...]
    item_discount: Money
    shipping_discount: Money
    campaign_id: str | None = None
    coupon_id: str | None = None
    coupon_code: str | None = None

    @property
    def total(self) -> Money:
        return self.item_discount + self.shipping_discount


@frozen
class PromotionOutcome:
    applied: tuple[AppliedPromotion, ...]
    invalid_coupons: tuple[RejectedCoupon, ...]
    item_discount: Money
    shipping_discount: Money
