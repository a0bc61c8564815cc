"""Campaigns, promotions, coupons and promotion usages.

Each aggregate wraps a frozen definition (what the price engine reads) with an optimistic
`version` and the events it records. Usage counters and budget spent are NOT fields of these
aggregates: they move only through the `PromotionUsageLedger` port, one conditional update at a
time, so that saving an aggregate can never overwrite a concurrent redemption.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs
from attrs import define, field, frozen

from commerce_core.promotion.errors import InvalidCampaign, InvalidCoupon, InvalidPromotion
from commerce_core.promotion.events import (
    CampaignActivated,
    CampaignCreated,
    CampaignDeactivated,
    CouponCreated,
    CouponDeactivated,
    PromotionCreated,
    PromotionDeactivated,
)
from commerce_core.promotion.terms import (
    DISCOUNT_TYPES,
    Benefit,
    ConditionNode,
    DiscountType,
    FreeShipping,
    ProductScope,
    money_in,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


def in_window(at: datetime, starts_at: datetime | None, ends_at: datetime | None) -> bool:
    """Start inclusive, end exclusive."""
    return (starts_at is None or starts_at <= at) and (ends_at is None or at < ends_at)


class CampaignType(StrEnum):
    SEASONAL = "seasonal"
    FLASH_SALE = "flash_sale"
    CLEARANCE = "clearance"
    LOYALTY = "loyalty"


@frozen
class CampaignDefinition:
    campaign_id: str
    name: str
    campaign_type: CampaignType
    starts_at: datetime
    created_at: datetime
    ends_at: datetime | None = None
    budget_limit: Money | None = None
    priority: int = 0
    target_segments: tuple[str, ...] = ()
    description: str = ""
    created_by: str | None = None
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidCampaign("a campaign needs a name")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise InvalidCampaign("a campaign must end after it starts")
        if self.budget_limit is not None and self.budget_limit.amount <= 0:
            raise InvalidCampaign("a campaign budget must be above zero")

    def running_at(self, at: datetime) -> bool:
        return self.is_active and in_window(at, self.starts_at, self.ends_at)


@define(eq=False)
class Campaign:
    definition: CampaignDefinition
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.definition.campaign_id

    @classmethod
    def create(cls, definition: CampaignDefinition, *, now: datetime) -> Campaign:
        d = definition
        campaign = cls(d, now)
        campaign.events.append(
            CampaignCreated(d.campaign_id, d.name, d.campaign_type.value, d.starts_at, d.ends_at,
                            d.budget_limit, now)
        )
        return campaign

    def activate(self, *, now: datetime) -> None:
        if self.definition.is_active:
            return
        self.definition = attrs.evolve(self.definition, is_active=True)
        self.updated_at = now
        self.events.append(CampaignActivated(self.id, now))

    def deactivate(self, reason: str, *, now: datetime) -> bool:
        """Stop the campaign; the caller deactivates its promotions in the same transaction.
        Returns False when it was already inactive."""
        if not self.definition.is_active:
            return False
        self.definition = attrs.evolve(self.definition, is_active=False)
        self.updated_at = now
        self.events.append(CampaignDeactivated(self.id, reason, now))
        return True


class RuleKind(StrEnum):
    CART = "cart"  # evaluated against a whole cart
    CATALOG = "catalog"  # shown on product pages; no coupon, no cart conditions


@frozen
class PromotionTerms:
    """What a promotion offers and to whom: the `CreatePromotion` command carries exactly this,
    and a stored promotion's definition adds its id and life cycle."""

    name: str
    benefit: Benefit
    campaign_id: str | None = None
    rule_kind: RuleKind = RuleKind.CART
    scope: ProductScope = field(factory=ProductScope)
    conditions: ConditionNode | None = None
    minimum_order_amount: Money | None = None
    maximum_discount_amount: Money | None = None
    customer_segments: tuple[str, ...] = ()
    usage_limit_per_customer: int | None = None
    total_usage_limit: int | None = None
    is_stackable: bool = False
    requires_coupon: bool = False
    stop_rules_processing: bool = False
    priority: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str = ""


@frozen
class PromotionDefinition(PromotionTerms):
    promotion_id: str = field(kw_only=True)
    created_at: datetime = field(kw_only=True)
    is_active: bool = field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidPromotion("a promotion needs a name")
        for limit in (self.usage_limit_per_customer, self.total_usage_limit):
            if limit is not None and limit < 1:
                raise InvalidPromotion("a usage limit is at least 1")
        amounts = [*money_in(self.benefit), self.minimum_order_amount,
                   self.maximum_discount_amount]
        currencies = {m.currency for m in amounts if m is not None}
        if len(currencies) > 1:
            raise InvalidPromotion("every amount of a promotion is in one currency")
        if self.maximum_discount_amount is not None and self.maximum_discount_amount.amount <= 0:
            raise InvalidPromotion("a maximum discount must be above zero")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise InvalidPromotion("a promotion must end after it starts")
        if self.rule_kind is RuleKind.CATALOG and (
            self.requires_coupon or self.conditions is not None
            or isinstance(self.benefit, FreeShipping)
        ):
            raise InvalidPromotion(
                "a catalog promotion has no coupon, no cart conditions and no shipping benefit"
            )

    @property
    def discount_type(self) -> DiscountType:
        return DISCOUNT_TYPES[type(self.benefit)]

    @property
    def currency(self) -> str | None:
        """The currency its amounts are in; None for purely relative benefits."""
        amounts = [*money_in(self.benefit), self.minimum_order_amount,
                   self.maximum_discount_amount]
        return next((m.currency for m in amounts if m is not None), None)

    @property
    def order_key(self) -> tuple[int, datetime, str]:
        """Higher priority first, then creation order (ids are time-ordered)."""
        return (-self.priority, self.created_at, self.promotion_id)

    def live_at(self, at: datetime) -> bool:
        return self.is_active and in_window(at, self.starts_at, self.ends_at)


@define(eq=False)
class Promotion:
    definition: PromotionDefinition
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.definition.promotion_id

    @classmethod
    def create(cls, definition: PromotionDefinition, *, now: datetime) -> Promotion:
        d = definition
        promotion = cls(d, now)
        promotion.events.append(
            PromotionCreated(d.promotion_id, d.campaign_id, d.name, d.discount_type.value,
                             d.is_stackable, d.requires_coupon, d.priority, now)
        )
        return promotion

    def deactivate(self, reason: str, *, now: datetime) -> None:
        """Stop applying it; idempotent. Usages already recorded keep their lifecycle."""
        if not self.definition.is_active:
            return
        self.definition = attrs.evolve(self.definition, is_active=False)
        self.updated_at = now
        self.events.append(
            PromotionDeactivated(self.id, self.definition.campaign_id, reason, now)
        )


class CouponType(StrEnum):
    SINGLE_USE = "single_use"
    MULTI_USE = "multi_use"


def normalise_code(raw: str) -> str:
    """Codes are case-insensitive and kept upper-case without surrounding blanks."""
    return raw.strip().upper()


@frozen
class CouponDefinition:
    coupon_id: str
    promotion_id: str
    code: str
    created_at: datetime
    coupon_type: CouponType = CouponType.MULTI_USE
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    customer_id: str | None = None  # bound to one customer
    customer_segments: tuple[str, ...] = ()
    minimum_order_amount: Money | None = None
    first_order_only: bool = False
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    batch_id: str | None = None
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.code or self.code != normalise_code(self.code) or " " in self.code:
            raise InvalidCoupon(f"invalid coupon code {self.code!r}", code=self.code)
        if self.coupon_type is CouponType.SINGLE_USE and self.usage_limit != 1:
            raise InvalidCoupon("a single-use coupon has a usage limit of 1")
        for limit in (self.usage_limit, self.usage_limit_per_customer):
            if limit is not None and limit < 1:
                raise InvalidCoupon("a usage limit is at least 1")
        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise InvalidCoupon("a coupon must expire after it starts")


@define(eq=False)
class Coupon:
    definition: CouponDefinition
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.definition.coupon_id

    @property
    def code(self) -> str:
        return self.definition.code

    @classmethod
    def issue(cls, definition: CouponDefinition, *, now: datetime, announce: bool = True) -> Coupon:
        """A new coupon; bulk generation passes `announce=False` and records one batch event."""
        coupon = cls(definition, now)
        if announce:
            coupon.events.append(
                CouponCreated(definition.coupon_id, definition.promotion_id, definition.code, now)
            )
        return coupon

    def deactivate(self, reason: str, *, now: datetime) -> None:
        """Block the code at once (the operators' blacklist); idempotent."""
        if not self.definition.is_active:
            return
        self.definition = attrs.evolve(self.definition, is_active=False)
        self.updated_at = now
        d = self.definition
        self.events.append(CouponDeactivated(d.coupon_id, d.promotion_id, d.code, reason, now))


class UsageStatus(StrEnum):
    """applied -> redeemed (order delivered/completed) | cancelled (order cancelled/refunded)."""

    APPLIED = "applied"
    REDEEMED = "redeemed"
    CANCELLED = "cancelled"


@frozen
class PromotionUsage:
    """One promotion used by one order; unique on (promotion_id, order_id)."""

    usage_id: str
    promotion_id: str
    order_id: str
    discount: Money
    original_amount: Money
    final_amount: Money
    used_at: datetime
    coupon_id: str | None = None
    campaign_id: str | None = None
    customer_id: str | None = None
    status: UsageStatus = UsageStatus.APPLIED
    updated_at: datetime | None = None
