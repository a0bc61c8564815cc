"""In-memory promotion adapters: campaign, promotion and coupon repositories, the usage ledger,
and a seeded coupon-code generator.

The ledger keeps its counters and usages in the shared database and writes them through the unit
of work's undo journal, so a rollback of the caller's transaction restores them; the database
lock held by the unit of work makes every guarded increment atomic, which is what the SQL
adapter's conditional UPDATEs guarantee.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import attrs

from adapters.memory.base import InMemoryDatabase, Journal, _Repository
from commerce_core.promotion.coupons import ALPHABET
from commerce_core.promotion.errors import (
    CampaignNotFound,
    CouponNotFound,
    DuplicateCouponCode,
    PromotionNotFound,
)
from commerce_core.promotion.model import (
    Campaign,
    Coupon,
    Promotion,
    PromotionUsage,
    UsageStatus,
)
from commerce_core.promotion.ports import ApplyOutcome, ApplyResult, UsageRequest
from commerce_core.promotion.values import UsageCounts
from commerce_core.shared.money import Money


class InMemoryCampaignRepository(_Repository):
    kind = "campaign"
    not_found = CampaignNotFound

    def by_ids(self, campaign_ids: Collection[str]) -> list[Campaign]:
        wanted = set(campaign_ids)
        return [self._load(r) for r in sorted(self._all(), key=lambda r: r.id) if r.id in wanted]

    def list(self, *, active_only: bool = False) -> list[Campaign]:
        rows = sorted((r for r in self._all() if r.definition.is_active or not active_only),
                      key=lambda r: (r.definition.starts_at, r.id))
        return [self._load(r) for r in rows]


class InMemoryPromotionRepository(_Repository):
    kind = "promotion"
    not_found = PromotionNotFound

    def for_campaign(self, campaign_id: str) -> list[Promotion]:
        rows = sorted((r for r in self._all() if r.definition.campaign_id == campaign_id),
                      key=lambda r: r.definition.order_key)
        return [self._load(r) for r in rows]

    def live(self, at: datetime) -> list[Promotion]:
        rows = sorted((r for r in self._all() if r.definition.live_at(at)),
                      key=lambda r: r.definition.order_key)
        return [self._load(r) for r in rows]

    def by_ids(self, promotion_ids: Collection[str]) -> list[Promotion]:
        wanted = set(promotion_ids)
        rows = sorted((r for r in self._all() if r.id in wanted),
                      key=lambda r: r.definition.order_key)
        return [self._load(r) for r in rows]

    def list(self) -> list[Promotion]:
        return [self._load(r) for r in sorted(self._all(), key=lambda r: r.definition.order_key)]


class InMemoryCouponRepository(_Repository):
    kind = "coupon"
    not_found = CouponNotFound

    def add_many(self, coupons: Sequence[Coupon]) -> None:
        for coupon in coupons:
            self.add(coupon)

    def by_codes(self, codes: Collection[str]) -> list[Coupon]:
        wanted = set(codes)
        rows = sorted((r for r in self._all() if r.code in wanted), key=lambda r: r.code)
        return [self._load(r) for r in rows]

    def taken(self, codes: Collection[str]) -> set[str]:
        return set(codes) & {r.code for r in self._all()}

    def flush(self) -> None:
        # One pass over the stored codes (the generic unique check would be quadratic for a
        # batch of 10,000); the SQL adapter has a unique index on `code`.
        new = list(self._tracker.new(self.kind))
        if new:
            taken = {r.code for r in self._all()}
            for coupon in new:
                if coupon.code in taken:
                    raise DuplicateCouponCode(f"coupon code {coupon.code} is taken",
                                              code=coupon.code)
                taken.add(coupon.code)
        super().flush()


def _key(*parts: str) -> str:
    return "\x1f".join(parts)


class InMemoryPromotionUsageLedger:
    """The `PromotionUsageLedger` contract over the in-memory database (see the port)."""

    USAGES = "promotion_usage"
    PROMOTION_COUNT = "promotion_usage_count"
    PROMOTION_CUSTOMER = "promotion_customer_count"
    COUPON_COUNT = "coupon_usage_count"
    COUPON_CUSTOMER = "coupon_customer_count"
    BUDGET_USED = "campaign_budget_used"

    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    def _table(self, name: str) -> dict[str, Any]:
        return self._db.table(name)

    def _guarded_increment(self, table: str, key: str, by: int, limit: int | None,
                           undo: list[tuple[str, str, int | None]]) -> bool:
        """`value += by` only if `value + by <= limit`: one conditional update."""
        rows = self._table(table)
        before = rows.get(key)
        current = before or 0
        if limit is not None and current + by > limit:
            return False
        undo.append((table, key, before))
        self._journal.put(rows, key, current + by)
        return True

    def try_apply(self, request: UsageRequest) -> ApplyResult:
        usages = self._table(self.USAGES)
        for usage in usages.values():
            if usage.promotion_id == request.promotion_id and usage.order_id == request.order_id:
                return ApplyResult(ApplyOutcome.ALREADY_APPLIED, usage)
        promotion = self._table("promotion").get(request.promotion_id)
        if promotion is None or not promotion.definition.is_active:
            return ApplyResult(ApplyOutcome.PROMOTION_UNAVAILABLE)
        terms = promotion.definition
        undo: list[tuple[str, str, int | None]] = []
        customer = request.customer_id

        def refuse(outcome: ApplyOutcome) -> ApplyResult:
            # The SAVEPOINT rollback: only this call's increments are undone; the journal
            # would restore the same values if the caller's transaction rolled back too.
            for table, key, before in reversed(undo):
                if before is None:
                    self._table(table).pop(key, None)
                else:
                    self._table(table)[key] = before
            return ApplyResult(outcome)

        if not self._guarded_increment(self.PROMOTION_COUNT, terms.promotion_id, 1,
                                       terms.total_usage_limit, undo):
            return refuse(ApplyOutcome.USAGE_LIMIT_REACHED)
        if customer is None and terms.usage_limit_per_customer is not None:
            return refuse(ApplyOutcome.CUSTOMER_LIMIT_REACHED)
        if customer is not None and not self._guarded_increment(
            self.PROMOTION_CUSTOMER, _key(terms.promotion_id, customer), 1,
            terms.usage_limit_per_customer, undo,
        ):
            return refuse(ApplyOutcome.CUSTOMER_LIMIT_REACHED)
        coupon_exhausted, coupon_limit = False, None
        if request.coupon_id is not None:
            coupon = self._table("coupon").get(request.coupon_id)
            if coupon is None or not coupon.definition.is_active or (
                coupon.definition.promotion_id != request.promotion_id
            ):
                return refuse(ApplyOutcome.COUPON_EXHAUSTED)
            limits = coupon.definition
            if not self._guarded_increment(self.COUPON_COUNT, request.coupon_id, 1,
                                           limits.usage_limit, undo):
                return refuse(ApplyOutcome.COUPON_EXHAUSTED)
            if customer is None and limits.usage_limit_per_customer is not None:
                return refuse(ApplyOutcome.COUPON_CUSTOMER_LIMIT_REACHED)
            if customer is not None and not self._guarded_increment(
                self.COUPON_CUSTOMER, _key(request.coupon_id, customer), 1,
                limits.usage_limit_per_customer, undo,
            ):
                return refuse(ApplyOutcome.COUPON_CUSTOMER_LIMIT_REACHED)
            coupon_limit = limits.usage_limit
            coupon_exhausted = coupon_limit is not None and (
                self._table(self.COUPON_COUNT)[request.coupon_id] == coupon_limit)
        budget_limit = budget_used = None
        campaign = self._table("campaign").get(terms.campaign_id or "")
        if campaign is not None and campaign.definition.budget_limit is not None:
            budget_limit = campaign.definition.budget_limit
            if request.discount.currency != budget_limit.currency:
                return refuse(ApplyOutcome.PROMOTION_UNAVAILABLE)
            if not self._guarded_increment(self.BUDGET_USED, campaign.id,
                                           request.discount.amount, budget_limit.amount, undo):
                return refuse(ApplyOutcome.BUDGET_EXCEEDED)
            budget_used = Money(self._table(self.BUDGET_USED)[campaign.id],
                                budget_limit.currency)
        usage = PromotionUsage(
            usage_id=request.usage_id, promotion_id=request.promotion_id,
            order_id=request.order_id, discount=request.discount,
            original_amount=request.original_amount, final_amount=request.final_amount,
            used_at=request.used_at, coupon_id=request.coupon_id,
            campaign_id=terms.campaign_id, customer_id=customer, updated_at=request.used_at,
        )
        self._journal.put(usages, usage.usage_id, usage)
        return ApplyResult(
            ApplyOutcome.APPLIED, usage, coupon_exhausted=coupon_exhausted,
            coupon_usage_limit=coupon_limit,
            budget_exhausted=budget_used is not None and budget_used == budget_limit,
            budget_limit=budget_limit, budget_used=budget_used,
        )

    def _decrement(self, table: str, key: str, by: int) -> None:
        rows = self._table(table)
        self._journal.put(rows, key, max(0, rows.get(key, 0) - by))

    def _move(self, order_id: str, to: UsageStatus, now: datetime) -> list[PromotionUsage]:
        usages = self._table(self.USAGES)
        moved = []
        for usage_id, usage in list(usages.items()):
            if usage.order_id == order_id and usage.status is UsageStatus.APPLIED:
                changed = attrs.evolve(usage, status=to, updated_at=now)
                self._journal.put(usages, usage_id, changed)
                moved.append(changed)
        return moved

    def release(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        released = self._move(order_id, UsageStatus.CANCELLED, now)
        for usage in released:
            self._decrement(self.PROMOTION_COUNT, usage.promotion_id, 1)
            if usage.customer_id is not None:
                self._decrement(self.PROMOTION_CUSTOMER,
                                _key(usage.promotion_id, usage.customer_id), 1)
            if usage.coupon_id is not None:
                self._decrement(self.COUPON_COUNT, usage.coupon_id, 1)
                if usage.customer_id is not None:
                    self._decrement(self.COUPON_CUSTOMER,
                                    _key(usage.coupon_id, usage.customer_id), 1)
            if usage.campaign_id is not None and usage.campaign_id in self._table(
                self.BUDGET_USED
            ):
                self._decrement(self.BUDGET_USED, usage.campaign_id, usage.discount.amount)
        return released

    def redeem(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        return self._move(order_id, UsageStatus.REDEEMED, now)

    def for_order(self, order_id: str) -> list[PromotionUsage]:
        return [u for u in self._table(self.USAGES).values() if u.order_id == order_id]

    def counts(
        self,
        *,
        promotion_ids: Collection[str],
        coupon_ids: Collection[str],
        campaign_ids: Collection[str],
        customer_id: str | None,
    ) -> UsageCounts:
        def read(table: str, keys: Collection[str]) -> dict[str, int]:
            rows = self._table(table)
            return {k: int(rows[k]) for k in keys if rows.get(k)}

        def per_customer(table: str, ids: Collection[str]) -> dict[str, int]:
            if customer_id is None:
                return {}
            rows = self._table(table)
            return {i: int(rows[_key(i, customer_id)]) for i in ids
                    if rows.get(_key(i, customer_id))}

        budgets: dict[str, Money] = {}
        for campaign_id in campaign_ids:
            campaign = self._table("campaign").get(campaign_id)
            if campaign is not None and campaign.definition.budget_limit is not None:
                used = int(self._table(self.BUDGET_USED).get(campaign_id, 0))
                budgets[campaign_id] = Money(used, campaign.definition.budget_limit.currency)
        return UsageCounts(
            promotion_uses=read(self.PROMOTION_COUNT, promotion_ids),
            promotion_customer_uses=per_customer(self.PROMOTION_CUSTOMER, promotion_ids),
            coupon_uses=read(self.COUPON_COUNT, coupon_ids),
            coupon_customer_uses=per_customer(self.COUPON_CUSTOMER, coupon_ids),
            campaign_budget_used=budgets,
        )


class SeededCodeGenerator:
    """A predictable `CouponCodeGenerator` for tests (never for production codes)."""

    def __init__(self, seed: int = 7) -> None:
        self._random = random.Random(seed)

    def random_block(self, length: int) -> str:
        return "".join(self._random.choice(ALPHABET) for _ in range(length))
