"""What promotion offers other contexts: usage operations inside the caller's unit of work
(checkout records usage in its own transaction), and the loading of the promotions a cart may
get, which is pricing's `PromotionEvaluator` (in the caller's transaction, or as a
`PromotionSource` opening its own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_core.promotion.commands import UsageLine
from commerce_core.promotion.errors import (
    BudgetExceeded,
    CouponLimitReached,
    PromotionNotApplicable,
    UsageLimitReached,
)
from commerce_core.promotion.evaluation import PromotionSnapshot
from commerce_core.promotion.events import (
    CampaignBudgetExhausted,
    CouponExhausted,
    PromotionApplied,
    PromotionRedeemed,
    PromotionUsageReleased,
)
from commerce_core.promotion.model import PromotionUsage, normalise_code
from commerce_core.promotion.ports import (
    ApplyOutcome,
    ApplyResult,
    PromotionUnitOfWork,
    UsageRequest,
)
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

_REFUSALS: dict[ApplyOutcome, type[PromotionNotApplicable]] = {
    ApplyOutcome.BUDGET_EXCEEDED: BudgetExceeded,
    ApplyOutcome.USAGE_LIMIT_REACHED: UsageLimitReached,
    ApplyOutcome.CUSTOMER_LIMIT_REACHED: UsageLimitReached,
    ApplyOutcome.COUPON_EXHAUSTED: CouponLimitReached,
    ApplyOutcome.COUPON_CUSTOMER_LIMIT_REACHED: CouponLimitReached,
    ApplyOutcome.PROMOTION_UNAVAILABLE: PromotionNotApplicable,
}


def apply_usages(
    uow: PromotionUnitOfWork,
    *,
    order_id: str,
    customer_id: str | None,
    usages: Sequence[UsageLine],
    now: datetime,
    ids: IdGenerator,
) -> list[PromotionUsage]:
    """Record every usage or none: the first refusal raises (budget exceeded, limit reached)
    and the caller's transaction rolls back the usages already recorded. Repeating it for the
    same order records nothing new (scenario 22)."""
    recorded: list[PromotionUsage] = []
    # A fixed order, so concurrent checkouts take the counters' row locks in the same order
    # and cannot deadlock each other in SQL.
    for line in sorted(usages, key=lambda u: (u.promotion_id, u.coupon_id or "")):
        result = uow.promotion_usage.try_apply(UsageRequest(
            usage_id=ids.new_id(), promotion_id=line.promotion_id, order_id=order_id,
            discount=line.discount, original_amount=line.original_amount,
            final_amount=line.final_amount, used_at=now, coupon_id=line.coupon_id,
            customer_id=customer_id,
        ))
        if not result.ok:
            error = _REFUSALS[result.outcome]
            raise error(
                f"promotion {line.promotion_id} cannot be used for order {order_id}: "
                f"{result.outcome.value.replace('_', ' ')}",
                promotion_id=line.promotion_id, coupon_id=line.coupon_id, order_id=order_id,
                reason=result.outcome.value,
            )
        assert result.usage is not None
        recorded.append(result.usage)
        if result.outcome is ApplyOutcome.APPLIED:
            _record_applied(uow, result, now)
    return recorded


def _record_applied(uow: PromotionUnitOfWork, result: ApplyResult, now: datetime) -> None:
    usage = result.usage
    assert usage is not None
    uow.record(PromotionApplied(
        usage.usage_id, usage.promotion_id, usage.coupon_id, usage.campaign_id,
        usage.customer_id, usage.order_id, usage.discount, now,
    ))
    if result.coupon_exhausted and usage.coupon_id is not None:
        uow.record(CouponExhausted(usage.coupon_id, usage.promotion_id,
                                   result.coupon_usage_limit or 0, now))
    if (result.budget_exhausted and usage.campaign_id is not None
            and result.budget_limit is not None and result.budget_used is not None):
        uow.record(CampaignBudgetExhausted(usage.campaign_id, result.budget_limit,
                                           result.budget_used, now))


def release_usages(
    uow: PromotionUnitOfWork, order_id: str, *, reason: str, now: datetime
) -> list[PromotionUsage]:
    """Give back what the order's applied usages took; a repeat releases nothing (scenario 24)."""
    released = uow.promotion_usage.release(order_id, now=now)
    for usage in released:
        uow.record(PromotionUsageReleased(usage.usage_id, usage.promotion_id, usage.coupon_id,
                                          order_id, usage.discount, reason, now))
    return released


def redeem_usages(
    uow: PromotionUnitOfWork, order_id: str, *, now: datetime
) -> list[PromotionUsage]:
    redeemed = uow.promotion_usage.redeem(order_id, now=now)
    for usage in redeemed:
        uow.record(PromotionRedeemed(usage.usage_id, usage.promotion_id, usage.coupon_id,
                                     order_id, now))
    return redeemed


def load_snapshot(
    uow: PromotionUnitOfWork,
    *,
    coupon_codes: Sequence[str],
    customer_id: str | None,
    at: datetime,
) -> PromotionSnapshot:
    """Live promotions, their campaigns, the coupons the cart names, and usage counts: what
    `evaluate_promotions` needs, read in one transaction."""
    codes = sorted({normalise_code(c) for c in coupon_codes if c.strip()})
    coupons = uow.coupons.by_codes(codes) if codes else []
    # A coupon whose promotion is not live is reported `promotion_unavailable` by evaluation.
    promotions = uow.promotions.live(at)
    campaign_ids = {p.definition.campaign_id for p in promotions if p.definition.campaign_id}
    campaigns = uow.campaigns.by_ids(campaign_ids)
    counts = uow.promotion_usage.counts(
        promotion_ids=[p.id for p in promotions], coupon_ids=[c.id for c in coupons],
        campaign_ids=sorted(campaign_ids), customer_id=customer_id,
    )
    return PromotionSnapshot(
        promotions=tuple(sorted((p.definition for p in promotions), key=lambda d: d.order_key)),
        campaigns=tuple(sorted((c.definition for c in campaigns), key=lambda d: d.campaign_id)),
        coupons=tuple(sorted((c.definition for c in coupons), key=lambda d: d.code)),
        usage=counts,
    )


class StoredPromotions:
    """Pricing's `PromotionSource` over the shop's promotion tables."""

    def __init__(self, uow: UnitOfWorkFactory[PromotionUnitOfWork]) -> None:
        self._uow = uow

    def load(self, *, coupon_codes: Sequence[str], customer_id: str | None,
             at: datetime) -> PromotionSnapshot:
        with self._uow() as uow:
            return load_snapshot(uow, coupon_codes=coupon_codes, customer_id=customer_id, at=at)
