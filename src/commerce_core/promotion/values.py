"""Values of promotion evaluation that stay in this context: why a coupon gives nothing, and
the usage counts the ledger reports. The request and outcome are pricing's language
(`pricing.ports`), since the price engine asks for them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import field, frozen

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
class UsageCounts:
    """Recorded usages that still count (applied or redeemed), as the ledger reports them."""

    promotion_uses: Mapping[str, int] = field(factory=dict)
    promotion_customer_uses: Mapping[str, int] = field(factory=dict)  # this shopper's
    coupon_uses: Mapping[str, int] = field(factory=dict)
    coupon_customer_uses: Mapping[str, int] = field(factory=dict)  # this shopper's
    campaign_budget_used: Mapping[str, Money] = field(factory=dict)
