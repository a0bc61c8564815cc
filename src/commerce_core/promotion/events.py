"""Facts the promotion context publishes (one dotted name per event type, spec §2)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class CampaignCreated(DomainEvent):
    type = "campaign.created"
    campaign_id: str
    name: str
    campaign_type: str
    starts_at: datetime
    ends_at: datetime | None
    budget_limit: Money | None
    occurred_at: datetime


@frozen
class CampaignActivated(DomainEvent):
    type = "campaign.activated"
    campaign_id: str
    occurred_at: datetime


@frozen
class CampaignDeactivated(DomainEvent):
    """Every promotion of the campaign is deactivated with it (one event each)."""

    type = "campaign.deactivated"
    campaign_id: str
    reason: str
    occurred_at: datetime


@frozen
class CampaignBudgetExhausted(DomainEvent):
    """A recorded discount used the campaign's last budget; its promotions stop applying."""

    type = "campaign.budget_exhausted"
    campaign_id: str
    budget_limit: Money
    budget_used: Money
    occurred_at: datetime


@frozen
class PromotionCreated(DomainEvent):
    type = "promotion.created"
    promotion_id: str
    campaign_id: str | None
    name: str
    discount_type: str
    is_stackable: bool
    requires_coupon: bool
    priority: int
    occurred_at: datetime


@frozen
class PromotionDeactivated(DomainEvent):
    """Mirrors and caches must drop the promotion (spec pricing rule 4)."""

    type = "promotion.deactivated"
    promotion_id: str
    campaign_id: str | None
    reason: str
    occurred_at: datetime


@frozen
class CouponCreated(DomainEvent):
    type = "coupon.created"
    coupon_id: str
    promotion_id: str
    code: str
    occurred_at: datetime


@frozen
class CouponDeactivated(DomainEvent):
    """An operator blocked the code; it stops validating at once."""

    type = "coupon.deactivated"
    coupon_id: str
    promotion_id: str
    code: str
    reason: str
    occurred_at: datetime


@frozen
class BulkCouponsGenerated(DomainEvent):
    """One event for a whole batch (thousands of `coupon.created` would flood consumers)."""

    type = "promotion.bulk_coupons_generated"
    promotion_id: str
    batch_id: str
    prefix: str
    count: int
    occurred_at: datetime


@frozen
class CouponExhausted(DomainEvent):
    type = "coupon.exhausted"
    coupon_id: str
    promotion_id: str
    usage_limit: int
    occurred_at: datetime


@frozen
class PromotionApplied(DomainEvent):
    """A usage was recorded for an order: counters and budget already moved."""

    type = "promotion.applied"
    usage_id: str
    promotion_id: str
    coupon_id: str | None
    campaign_id: str | None
    customer_id: str | None
    order_id: str
    discount: Money
    occurred_at: datetime


@frozen
class PromotionRedeemed(DomainEvent):
    """The order reached a final good state (delivered/completed): the usage is permanent."""

    type = "promotion.redeemed"
    usage_id: str
    promotion_id: str
    coupon_id: str | None
    order_id: str
    occurred_at: datetime


@frozen
class PromotionUsageReleased(DomainEvent):
    """The order was cancelled or refunded before redemption: counters and budget given back."""

    type = "promotion.usage_released"
    usage_id: str
    promotion_id: str
    coupon_id: str | None
    order_id: str
    discount: Money
    reason: str
    occurred_at: datetime
