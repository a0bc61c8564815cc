"""What the promotion context needs from storage: repositories and the usage ledger."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import frozen

from commerce_core.promotion.model import Campaign, Coupon, Promotion, PromotionUsage
from commerce_core.promotion.values import UsageCounts
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork


class CampaignRepository(Protocol):
    def add(self, campaign: Campaign) -> None: ...

    def get(self, campaign_id: str) -> Campaign:
        """The campaign, or `CampaignNotFound`."""
        ...

    def by_ids(self, campaign_ids: Collection[str]) -> list[Campaign]:
        """The campaigns among these ids that exist (unknown ids are absent)."""
        ...

    def list(self, *, active_only: bool = False) -> list[Campaign]:
        """Campaigns by start date, then id."""
        ...


class PromotionRepository(Protocol):
    def add(self, promotion: Promotion) -> None: ...

    def get(self, promotion_id: str) -> Promotion:
        """The promotion, or `PromotionNotFound`."""
        ...

    def for_campaign(self, campaign_id: str) -> list[Promotion]: ...

    def live(self, at: datetime) -> list[Promotion]:
        """Active promotions whose own window contains `at` (campaign state is checked by the
        caller), in priority order: higher priority first, then creation order."""
        ...

    def by_ids(self, promotion_ids: Collection[str]) -> list[Promotion]: ...

    def list(self) -> list[Promotion]:
        """Every promotion, active or not, in priority order."""
        ...


class CouponRepository(Protocol):
    def add(self, coupon: Coupon) -> None:
        """Codes are unique across all coupons: a taken code raises `DuplicateCouponCode` at
        the latest on commit."""
        ...

    def add_many(self, coupons: Sequence[Coupon]) -> None:
        """Bulk insert (one batch statement in SQL); same uniqueness rule as `add`."""
        ...

    def get(self, coupon_id: str) -> Coupon:
        """The coupon, or `CouponNotFound`."""
        ...

    def by_codes(self, codes: Collection[str]) -> list[Coupon]:
        """Coupons with these (normalised, upper-case) codes; unknown codes are absent."""
        ...

    def taken(self, codes: Collection[str]) -> set[str]:
        """Which of these codes already exist (to regenerate before inserting)."""
        ...


class ApplyOutcome(StrEnum):
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"  # same (promotion, order): the first usage stands
    PROMOTION_UNAVAILABLE = "promotion_unavailable"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    COUPON_EXHAUSTED = "coupon_exhausted"
    COUPON_CUSTOMER_LIMIT_REACHED = "coupon_customer_limit_reached"
    BUDGET_EXCEEDED = "budget_exceeded"


@frozen
class UsageRequest:
    usage_id: str
    promotion_id: str
    order_id: str
    discount: Money
    original_amount: Money
    final_amount: Money
    used_at: datetime
    coupon_id: str | None = None
    customer_id: str | None = None


@frozen
class ApplyResult:
    outcome: ApplyOutcome
    usage: PromotionUsage | None = None  # the new (or, when already applied, the first) usage
    coupon_exhausted: bool = False  # this usage took the coupon's last use
    coupon_usage_limit: int | None = None
    budget_exhausted: bool = False  # this usage took the campaign's last budget
    budget_limit: Money | None = None
    budget_used: Money | None = None  # after this usage

    @property
    def ok(self) -> bool:
        return self.outcome in (ApplyOutcome.APPLIED, ApplyOutcome.ALREADY_APPLIED)


class PromotionUsageLedger(Protocol):
    """Usage counters, campaign budgets and `PromotionUsage` rows, enforced atomically.

    Counters live beside the rows they count (promotion `current_usage_count`, coupon
    `usage_count`, per-customer counts, campaign `budget_used`), but only this port moves them,
    and always as ONE conditional update per counter in the caller's transaction, never as a
    read followed by a write, so any number of concurrent checkouts cannot exceed a limit:

        UPDATE promotions SET current_usage_count = current_usage_count + 1
         WHERE id = :id AND is_active AND (total_usage_limit IS NULL
                                           OR current_usage_count < total_usage_limit)
        INSERT INTO promotion_customer_usage (promotion_id, customer_id, count) VALUES (.., 1)
            ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < :per_customer_limit
        UPDATE coupons SET usage_count = usage_count + 1
         WHERE id = :id AND is_active AND (usage_limit IS NULL OR usage_count < usage_limit)
        (the same per-customer upsert for coupons)
        UPDATE campaigns SET budget_used = budget_used + :discount
         WHERE id = :id AND (budget_limit IS NULL OR budget_used + :discount <= budget_limit)
        INSERT INTO promotion_usages ... (UNIQUE (promotion_id, order_id))

    An update that matches no row is a refusal. A refused `try_apply` leaves no trace (the SQL
    adapter runs it inside a SAVEPOINT and rolls back to it), and the caller's transaction stays
    usable. The limits are read from the promotion, coupon and campaign rows in the same
    statements, so a stale copy in the caller's memory cannot loosen them.
    """

    def try_apply(self, request: UsageRequest) -> ApplyResult:
        """Record one usage, or refuse with the first counter that would break its limit.

        Idempotent on (promotion_id, order_id): a repeat returns `ALREADY_APPLIED` with the
        first usage and moves no counter.
        """
        ...

    def release(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        """`applied -> cancelled` for every applied usage of the order, giving back each
        counter and the budget; returns the usages released now. Idempotent: a second call
        finds none and returns []. Redeemed usages stay redeemed."""
        ...

    def redeem(self, order_id: str, *, now: datetime) -> list[PromotionUsage]:
        """`applied -> redeemed` for every applied usage of the order; returns those changed
        now. Idempotent; cancelled usages stay cancelled."""
        ...

    def for_order(self, order_id: str) -> list[PromotionUsage]:
        """The order's usages, in the order they were applied."""
        ...

    def counts(
        self,
        *,
        promotion_ids: Collection[str],
        coupon_ids: Collection[str],
        campaign_ids: Collection[str],
        customer_id: str | None,
    ) -> UsageCounts:
        """Current counts of usages that still count (applied or redeemed) and budget used,
        for evaluation (read-only; enforcement happens in `try_apply`)."""
        ...


class CouponCodeGenerator(Protocol):
    """Random characters for coupon codes; unguessable in production, seeded in tests."""

    def random_block(self, length: int) -> str:
        """`length` characters from the code alphabet (no 0/O/1/I to avoid misreading)."""
        ...


class PromotionUnitOfWork(UnitOfWork, Protocol):
    @property
    def campaigns(self) -> CampaignRepository: ...

    @property
    def promotions(self) -> PromotionRepository: ...

    @property
    def coupons(self) -> CouponRepository: ...

    @property
    def promotion_usage(self) -> PromotionUsageLedger: ...

