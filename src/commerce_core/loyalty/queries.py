"""What loyalty queries answer."""

from __future__ import annotations

from attrs import frozen

from commerce_core.loyalty.model import LoyaltyAccount


@frozen
class AccountView:
    """An account as its owner and staff see it: balance, tier and the way to the next."""

    customer_id: str
    status: str
    balance: int
    pending_points: int
    lifetime_points: int
    debt: int
    tier: str
    tier_name: str
    multiplier: int
    rolling_spend: int
    currency: str
    next_tier: str | None
    spend_to_next_tier: int
    tier_progress_percent: int
    referral_code: str | None

    @classmethod
    def of(cls, account: LoyaltyAccount, balance: int, tier_name: str, multiplier: int,
           currency: str, next_code: str | None, next_threshold: int | None,
           threshold: int) -> AccountView:
        if next_threshold is None:
            to_next, progress = 0, 100
        else:
            to_next = max(0, next_threshold - account.rolling_spend)
            span = next_threshold - threshold
            progress = min(100, max(0, (account.rolling_spend - threshold) * 100 // span))
        return cls(account.id, account.status.value, balance, account.pending_points,
                   account.lifetime_points, account.debt, account.tier, tier_name, multiplier,
                   account.rolling_spend, currency, next_code, to_next, progress,
                   account.referral_code)


@frozen
class JobReport:
    processed: int
    points: int

    def as_dict(self, name: str) -> dict[str, int]:
        return {f"{name}": self.processed, f"{name}_points": self.points}
