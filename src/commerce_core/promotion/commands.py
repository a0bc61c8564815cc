"""Promotion commands: campaign, promotion and coupon administration, and usage lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from attrs import frozen

from commerce_core.promotion.coupons import COUPON_PREFIX_FORMAT as COUPON_PREFIX_FORMAT
from commerce_core.promotion.model import CampaignType, CouponType, PromotionTerms
from commerce_core.shared.money import Money

# Coupon codes the core takes whatever the context (case-insensitive, kept upper-case): entry
# points state this in their schemas. The core itself refuses only blanks and codes that do not
# survive normalisation, so every code of this form is one it accepts.
COUPON_CODE_FORMAT: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


@frozen
class CreateCampaign:
    name: str
    campaign_type: CampaignType
    starts_at: datetime
    ends_at: datetime | None = None
    budget_limit: Money | None = None
    priority: int = 0
    target_segments: tuple[str, ...] = ()
    description: str = ""
    created_by: str | None = None


@frozen
class ActivateCampaign:
    campaign_id: str


@frozen
class DeactivateCampaign:
    """Deactivates the campaign and every promotion in it."""

    campaign_id: str
    reason: str = "deactivated"


@frozen
class CreatePromotion(PromotionTerms):
    """A new promotion with these terms (validated when its definition is built)."""


@frozen
class DisablePromotion:
    promotion_id: str
    reason: str = "disabled"


@frozen
class CreateCoupon:
    promotion_id: str
    code: str
    coupon_type: CouponType = CouponType.MULTI_USE
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    customer_id: str | None = None
    customer_segments: tuple[str, ...] = ()
    minimum_order_amount: Money | None = None
    first_order_only: bool = False
    starts_at: datetime | None = None
    expires_at: datetime | None = None


@frozen
class GenerateCoupons:
    """Up to 10,000 unique single-use (by default) codes `PREFIX-XXXX-XXXX` for a promotion."""

    promotion_id: str
    count: int
    prefix: str
    usage_limit: int | None = 1
    usage_limit_per_customer: int | None = None
    customer_segments: tuple[str, ...] = ()
    minimum_order_amount: Money | None = None
    first_order_only: bool = False
    starts_at: datetime | None = None
    expires_at: datetime | None = None


@frozen
class DeactivateCoupon:
    code: str
    reason: str = "blocked"


@frozen
class UsageLine:
    """One promotion the priced order used, with the amounts the engine computed."""

    promotion_id: str
    discount: Money
    original_amount: Money
    final_amount: Money
    coupon_id: str | None = None


@frozen
class ApplyPromotionUsages:
    """Record every promotion an order used, all or none (spec §2.2)."""

    order_id: str
    customer_id: str | None
    usages: tuple[UsageLine, ...]


@frozen
class ReleasePromotionUsages:
    order_id: str
    reason: str = "order_cancelled"


@frozen
class RedeemPromotionUsages:
    order_id: str
