"""Which promotions and coupons apply to a cart, and how much each takes off (spec §2 steps 1-6).

Pure and read-only: it works on definitions and usage counts loaded beforehand. Order of work:

1. Coupons: each code is checked (exists, active, dates, limits, minimum, customer binding,
   segments, first order); invalid ones are returned with a reason, never silently dropped.
2. Candidates: live promotions of running campaigns, plus coupon promotions with a valid code,
   in priority order (higher first, then creation order); each must pass its own checks
   (segments, minimum order, limits, budget, conditions) and give something.
3. A matched candidate with `stop_rules_processing` ends the list.
4. Stacking: every stackable candidate plus the single best non-stackable one.
5. The chosen ones apply one after another (automatic promotions before coupons, each group in
   priority order), each on what the previous left, so percentages compound, fixed amounts are
   capped by what is left, and nothing goes below zero. Caps: maximum discount, then the
   campaign's remaining budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from attrs import field, frozen

from commerce_core.pricing.ports import (
    AppliedPromotion,
    LineDiscount,
    PromotionLine,
    PromotionOutcome,
    PromotionRequest,
    RejectedCoupon,
    Shopper,
)
from commerce_core.promotion.calculators import Discounts, cap, in_scope, item_discounts
from commerce_core.promotion.model import (
    CampaignDefinition,
    CouponDefinition,
    PromotionDefinition,
    normalise_code,
)
from commerce_core.promotion.terms import FactValue, FreeShipping, ProductScope
from commerce_core.promotion.values import InvalidReason, UsageCounts
from commerce_core.shared.money import Money


@frozen
class PromotionSnapshot:
    """Everything evaluation needs, loaded beforehand: live definitions, the coupons named by
    the cart's codes, and usage counts. It is pricing's `PromotionEvaluator` for that cart."""

    promotions: tuple[PromotionDefinition, ...] = ()
    campaigns: tuple[CampaignDefinition, ...] = ()
    coupons: tuple[CouponDefinition, ...] = ()
    usage: UsageCounts = field(factory=UsageCounts)

    def evaluate(self, request: PromotionRequest, shopper: Shopper,
                 at: datetime) -> PromotionOutcome:
        return evaluate_promotions(request, shopper, self, at)


@frozen
class _Candidate:
    promotion: PromotionDefinition
    coupon: CouponDefinition | None
    value: int  # what it would give on the cart before any promotion


class _Refused(Exception):
    def __init__(self, reason: InvalidReason, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


def _facts(request: PromotionRequest, shopper: Shopper) -> dict[str, FactValue]:
    lines = request.lines
    return {
        "subtotal": sum(ln.amount.amount for ln in lines),
        "item_quantity": sum(ln.quantity for ln in lines),
        "line_count": len(lines),
        "currency": request.currency,
        "product_ids": tuple(sorted({ln.product_id for ln in lines})),
        "category_ids": tuple(sorted({c for ln in lines for c in ln.category_ids})),
        "brand_ids": tuple(sorted({ln.brand_id for ln in lines if ln.brand_id})),
        "skus": tuple(sorted({ln.sku for ln in lines if ln.sku})),
        "shipping_method": request.shipping_method,
        "shipping_country": request.shipping_country,
        "shipping_region": request.shipping_region,
        "shipping_postcode": request.shipping_postcode,
        "payment_method": request.payment_method,
        "customer_id": shopper.customer_id,
        "customer_segments": tuple(sorted(shopper.segments)),
    }


class _Reach:
    """The products, categories and brands of a cart's lines, to tell at once whether a scope
    can match any of them (exclusions only narrow a scope, so they are not needed for that)."""

    def __init__(self, lines: Sequence[PromotionLine]) -> None:
        self.products = {ln.product_id for ln in lines}
        self.categories = {c for ln in lines for c in ln.category_ids}
        self.brands = {ln.brand_id for ln in lines if ln.brand_id is not None}

    def may_apply(self, scope: ProductScope) -> bool:
        if not (scope.product_ids or scope.category_ids or scope.brand_ids):
            return True  # every product but the excluded ones
        return not (
            self.products.isdisjoint(scope.product_ids)
            and self.categories.isdisjoint(scope.category_ids)
            and self.brands.isdisjoint(scope.brand_ids)
        )


class _Evaluation:
    def __init__(self, request: PromotionRequest, shopper: Shopper,
                 snapshot: PromotionSnapshot, at: datetime) -> None:
        self.request, self.shopper, self.snapshot, self.at = request, shopper, snapshot, at
        self.currency = request.currency
        self.campaigns = {c.campaign_id: c for c in snapshot.campaigns}
        self.subtotal = sum(ln.amount.amount for ln in request.lines)
        self.facts = _facts(request, shopper)
        self.shipping = request.shipping_amount.amount if request.shipping_amount else 0
        self.rejected: list[RejectedCoupon] = []
        self.spent: dict[str, int] = {}  # budget taken by this cart, per campaign

    def reject(self, coupon: CouponDefinition | str, refusal: _Refused) -> None:
        code = coupon if isinstance(coupon, str) else coupon.code
        promotion_id = None if isinstance(coupon, str) else coupon.promotion_id
        self.rejected.append(RejectedCoupon(code, refusal.reason, refusal.message, promotion_id))

    # -- checks -----------------------------------------------------------------------------------
    def check_coupon(self, coupon: CouponDefinition) -> None:
        usage, who = self.snapshot.usage, self.shopper
        if not coupon.is_active:
            raise _Refused(InvalidReason.INACTIVE, "this code is no longer valid")
        if coupon.starts_at is not None and self.at < coupon.starts_at:
            raise _Refused(InvalidReason.NOT_STARTED, "this code is not valid yet")
        if coupon.expires_at is not None and self.at >= coupon.expires_at:
            raise _Refused(InvalidReason.EXPIRED, "this code has expired")
        if coupon.usage_limit is not None and usage.coupon_uses.get(coupon.coupon_id, 0) >= (
            coupon.usage_limit
        ):
            raise _Refused(InvalidReason.USAGE_LIMIT_REACHED, "this code has been used up")
        if coupon.customer_id is not None and coupon.customer_id != who.customer_id:
            raise _Refused(InvalidReason.CUSTOMER_MISMATCH, "this code belongs to another customer")
        if coupon.usage_limit_per_customer is not None:
            if who.customer_id is None:
                raise _Refused(InvalidReason.CUSTOMER_REQUIRED, "sign in to use this code")
            if usage.coupon_customer_uses.get(coupon.coupon_id, 0) >= (
                coupon.usage_limit_per_customer
            ):
                raise _Refused(InvalidReason.CUSTOMER_LIMIT_REACHED,
                               "you have already used this code")
        if coupon.customer_segments and not set(coupon.customer_segments) & set(who.segments):
            raise _Refused(InvalidReason.SEGMENT_MISMATCH, "this code is not offered to you")
        if coupon.first_order_only and who.completed_orders != 0:
            raise _Refused(InvalidReason.FIRST_ORDER_ONLY, "this code is for a first order only")
        minimum = coupon.minimum_order_amount
        if minimum is not None and (minimum.currency != self.currency
                                    or self.subtotal < minimum.amount):
            raise _Refused(InvalidReason.MINIMUM_ORDER_NOT_MET,
                           f"this code needs an order of at least {minimum}")

    def check_promotion(self, promotion: PromotionDefinition) -> None:
        usage, who = self.snapshot.usage, self.shopper
        campaign = self.campaigns.get(promotion.campaign_id or "")
        if not promotion.live_at(self.at) or (
            promotion.campaign_id is not None
            and (campaign is None or not campaign.running_at(self.at))
        ):
            raise _Refused(InvalidReason.PROMOTION_UNAVAILABLE, "this offer is not running")
        if promotion.currency not in (None, self.currency) or (
            campaign is not None and campaign.budget_limit is not None
            and campaign.budget_limit.currency != self.currency
        ):
            raise _Refused(InvalidReason.NOT_APPLICABLE,
                           f"this offer does not apply to {self.currency} orders")
        segments = set(promotion.customer_segments) | set(
            campaign.target_segments if campaign else ())
        if segments and not segments & set(who.segments):
            raise _Refused(InvalidReason.SEGMENT_MISMATCH, "this offer is not for you")
        minimum = promotion.minimum_order_amount
        if minimum is not None and self.subtotal < minimum.amount:
            raise _Refused(InvalidReason.MINIMUM_ORDER_NOT_MET,
                           f"this offer needs an order of at least {minimum}")
        pid = promotion.promotion_id
        if promotion.total_usage_limit is not None and usage.promotion_uses.get(pid, 0) >= (
            promotion.total_usage_limit
        ):
            raise _Refused(InvalidReason.PROMOTION_LIMIT_REACHED, "this offer has run out")
        if promotion.usage_limit_per_customer is not None:
            if who.customer_id is None:
                raise _Refused(InvalidReason.CUSTOMER_REQUIRED, "sign in to use this offer")
            if usage.promotion_customer_uses.get(pid, 0) >= promotion.usage_limit_per_customer:
                raise _Refused(InvalidReason.CUSTOMER_LIMIT_REACHED,
                               "you have already used this offer")
        if self.budget_left(promotion) == 0:
            raise _Refused(InvalidReason.BUDGET_EXHAUSTED, "this offer's budget is spent")
        if promotion.conditions is not None and not promotion.conditions.holds(self.facts):
            raise _Refused(InvalidReason.NOT_APPLICABLE, "the cart does not meet this offer")

    def budget_left(self, promotion: PromotionDefinition) -> int | None:
        campaign = self.campaigns.get(promotion.campaign_id or "")
        if campaign is None or campaign.budget_limit is None:
            return None
        used = self.snapshot.usage.campaign_budget_used.get(campaign.campaign_id)
        spent = (used.amount if used else 0) + self.spent.get(campaign.campaign_id, 0)
        return max(0, campaign.budget_limit.amount - spent)

    # -- amounts ----------------------------------------------------------------------------------
    def eligible(self, promotion: PromotionDefinition) -> list[PromotionLine]:
        return [ln for ln in self.request.lines if in_scope(ln, promotion.scope)]

    def shipping_discount(self, promotion: PromotionDefinition, shipping_left: int) -> int:
        benefit = promotion.benefit
        if not isinstance(benefit, FreeShipping) or shipping_left <= 0:
            return 0
        if benefit.methods and self.request.shipping_method not in benefit.methods:
            return 0
        if not promotion.scope.is_everything and not self.eligible(promotion):
            return 0
        return min(shipping_left, benefit.cap.amount if benefit.cap else shipping_left)

    def discounts(self, promotion: PromotionDefinition, remaining: Mapping[str, int],
                  shipping_left: int, budget_left: int | None) -> tuple[Discounts, int]:
        """What the promotion takes off items and shipping, capped by its maximum discount and
        by the campaign budget still available (items first, then shipping)."""
        lines = self.request.lines
        items = item_discounts(promotion.benefit, self.eligible(promotion), lines, remaining,
                               self.currency)
        if promotion.maximum_discount_amount is not None:
            items = cap(items, promotion.maximum_discount_amount.amount, lines, self.currency)
        shipping = self.shipping_discount(promotion, shipping_left)
        if budget_left is not None:
            items = cap(items, budget_left, lines, self.currency)
            shipping = min(shipping, budget_left - sum(items.values()))
        return {k: v for k, v in items.items() if v}, shipping

    # -- the run ----------------------------------------------------------------------------------
    def coupons_by_promotion(self) -> dict[str, CouponDefinition]:
        by_code = {c.code: c for c in self.snapshot.coupons}
        chosen: dict[str, CouponDefinition] = {}
        seen: set[str] = set()
        for raw in self.request.coupon_codes:
            code = normalise_code(raw)
            if code in seen:
                continue
            seen.add(code)
            coupon = by_code.get(code)
            if coupon is None:
                self.reject(code, _Refused(InvalidReason.NOT_FOUND, "this code does not exist"))
                continue
            try:
                self.check_coupon(coupon)
                if coupon.promotion_id in chosen:
                    raise _Refused(InvalidReason.DUPLICATE,
                                   "another code for the same offer is already applied")
            except _Refused as refusal:
                self.reject(coupon, refusal)
                continue
            chosen[coupon.promotion_id] = coupon
        return chosen

    def candidates(self, coupons: dict[str, CouponDefinition]) -> list[_Candidate]:
        promotions = {p.promotion_id: p for p in self.snapshot.promotions}
        for promotion_id, named in coupons.items():
            if promotion_id not in promotions:
                self.reject(named, _Refused(InvalidReason.PROMOTION_UNAVAILABLE,
                                             "this offer is not running"))
        found: list[_Candidate] = []
        base = {ln.line_id: ln.amount.amount for ln in self.request.lines}
        # A promotion scoped to nothing in the cart takes nothing off it: left out before any
        # check, unless a coupon names it (its refusal is then reported with the checks' reason).
        reach = _Reach(self.request.lines)
        reachable = [p for p in promotions.values()
                     if p.promotion_id in coupons or reach.may_apply(p.scope)]
        for promotion in sorted(reachable, key=lambda p: p.order_key):
            coupon = coupons.get(promotion.promotion_id)
            if promotion.requires_coupon and coupon is None:
                continue
            try:
                self.check_promotion(promotion)
                items, shipping = self.discounts(promotion, base, self.shipping,
                                                 self.budget_left(promotion))
                if not items and not shipping:
                    raise _Refused(InvalidReason.NOT_APPLICABLE,
                                   "nothing in the cart qualifies for this offer")
            except _Refused as refusal:
                if coupon is not None:
                    self.reject(coupon, refusal)
                continue
            found.append(_Candidate(promotion, coupon, sum(items.values()) + shipping))
        return found

    def select(self, candidates: list[_Candidate]) -> list[_Candidate]:
        kept: list[_Candidate] = []
        for index, candidate in enumerate(candidates):
            kept.append(candidate)
            if candidate.promotion.stop_rules_processing:
                for later in candidates[index + 1:]:
                    self.refuse_combination(later, "a higher-priority offer excludes this one")
                break
        stackable = [c for c in kept if c.promotion.is_stackable]
        exclusive = [c for c in kept if not c.promotion.is_stackable]
        if not exclusive:
            return stackable
        # max() keeps the first of equal values: ties go to priority, then creation order.
        best = max(exclusive, key=lambda c: c.value)
        for other in exclusive:
            if other is not best:
                self.refuse_combination(other, "a better offer that cannot be combined applies")
        return [*stackable, best]

    def refuse_combination(self, candidate: _Candidate, message: str) -> None:
        if candidate.coupon is not None:
            self.reject(candidate.coupon, _Refused(InvalidReason.NOT_COMBINABLE, message))

    def apply(self, chosen: Sequence[_Candidate]) -> PromotionOutcome:
        remaining = {ln.line_id: ln.amount.amount for ln in self.request.lines}
        shipping_left = self.shipping
        applied: list[AppliedPromotion] = []
        order = sorted(chosen, key=lambda c: (c.coupon is not None, c.promotion.order_key))
        for candidate in order:
            promotion, coupon = candidate.promotion, candidate.coupon
            items, shipping = self.discounts(promotion, remaining, shipping_left,
                                             self.budget_left(promotion))
            if not items and not shipping:
                if coupon is not None:
                    self.reject(coupon, _Refused(InvalidReason.NOT_APPLICABLE,
                                                 "earlier offers left nothing to discount"))
                continue
            for line_id, amount in items.items():
                remaining[line_id] -= amount
            shipping_left -= shipping
            if promotion.campaign_id is not None:
                self.spent[promotion.campaign_id] = (
                    self.spent.get(promotion.campaign_id, 0) + sum(items.values()) + shipping
                )
            money = [LineDiscount(ln.line_id, Money(items[ln.line_id], self.currency))
                     for ln in self.request.lines if ln.line_id in items]
            applied.append(AppliedPromotion(
                promotion_id=promotion.promotion_id, name=promotion.name,
                discount_type=promotion.discount_type, is_stackable=promotion.is_stackable,
                line_discounts=tuple(money),
                item_discount=Money(sum(items.values()), self.currency),
                shipping_discount=Money(shipping, self.currency),
                campaign_id=promotion.campaign_id,
                coupon_id=coupon.coupon_id if coupon else None,
                coupon_code=coupon.code if coupon else None,
            ))
        return PromotionOutcome(
            applied=tuple(applied), invalid_coupons=tuple(self.rejected),
            item_discount=Money(sum(a.item_discount.amount for a in applied), self.currency),
            shipping_discount=Money(sum(a.shipping_discount.amount for a in applied),
                                    self.currency),
        )


def evaluate_promotions(
    request: PromotionRequest, shopper: Shopper, snapshot: PromotionSnapshot, at: datetime
) -> PromotionOutcome:
    """The promotions that apply to this cart and the coupons that do not (with reasons)."""
    run = _Evaluation(request, shopper, snapshot, at)
    coupons = run.coupons_by_promotion()
    return run.apply(run.select(run.candidates(coupons)))

