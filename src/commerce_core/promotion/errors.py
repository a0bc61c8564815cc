"""Promotion errors."""

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class InvalidPromotion(InvalidInput):
    code = "promotion.invalid_promotion"


class InvalidCampaign(InvalidInput):
    code = "promotion.invalid_campaign"


class InvalidCoupon(InvalidInput):
    code = "promotion.invalid_coupon"


class CampaignNotFound(NotFound):
    code = "promotion.campaign_not_found"


class PromotionNotFound(NotFound):
    code = "promotion.not_found"


class CouponNotFound(NotFound):
    code = "promotion.coupon_not_found"


class DuplicateCouponCode(Conflict):
    code = "promotion.duplicate_coupon_code"


class CouponBatchTooLarge(InvalidInput):
    code = "promotion.coupon_batch_too_large"


class PromotionNotApplicable(BusinessRuleViolation):
    """Recording a usage was refused; `details["reason"]` is the `ApplyOutcome` value
    (usage limit, per-customer limit, coupon exhausted, budget exceeded, inactive)."""

    code = "promotion.not_applicable"


class BudgetExceeded(PromotionNotApplicable):
    """The campaign's budget cannot cover this discount (`budget_used <= budget_limit`)."""

    code = "promotion.budget_exceeded"


class UsageLimitReached(PromotionNotApplicable):
    code = "promotion.usage_limit_reached"


class CouponLimitReached(PromotionNotApplicable):
    code = "promotion.coupon_limit_reached"
