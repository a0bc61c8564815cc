"""Facts about loyalty accounts: all of them leave through the outbox with the change they
describe. Points are positive magnitudes; `balance_after` is the spendable balance afterwards."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class AccountOpened(DomainEvent):
    type = "loyalty.account_opened"
    customer_id: str
    tier: str
    occurred_at: datetime


@frozen
class PointsEarned(DomainEvent):
    """Points were awarded. `status` `pending`: an order's points, spendable once the return
    window closes (`loyalty.points_released`); `available`: a bonus, spendable at once."""

    type = "loyalty.points_earned"
    customer_id: str
    points: int
    source: str  # order | welcome_bonus | referral | campaign
    source_id: str
    status: str
    tier: str
    balance_after: int | None
    occurred_at: datetime


@frozen
class PointsReleased(DomainEvent):
    """An order's pending points became spendable: its return window closed."""

    type = "loyalty.points_released"
    customer_id: str
    order_id: str
    points: int
    balance_after: int
    expires_at: datetime
    occurred_at: datetime


@frozen
class PointsDeducted(DomainEvent):
    """Points were taken back (cancellation or return). `pending`: how many were still pending
    (never spendable); `debt`: what the balance could not cover (recorded, not negative)."""

    type = "loyalty.points_deducted"
    customer_id: str
    points: int
    source: str  # order_cancellation | order_return
    source_id: str
    order_id: str
    pending: int
    debt: int
    balance_after: int
    occurred_at: datetime


@frozen
class PointsExpired(DomainEvent):
    type = "loyalty.points_expired"
    customer_id: str
    points: int
    balance_after: int
    occurred_at: datetime


@frozen
class PointsAdjusted(DomainEvent):
    """Staff corrected a balance by hand (audited): `points` is signed."""

    type = "loyalty.points_adjusted"
    customer_id: str
    points: int
    reason: str
    balance_after: int
    debt: int
    occurred_at: datetime


@frozen
class TierChanged(DomainEvent):
    """The rolling 12-month spend moved the account to another tier (`upgrade` or
    `downgrade`)."""

    type = "loyalty.tier_changed"
    customer_id: str
    old_tier: str
    new_tier: str
    direction: str
    rolling_spend: int
    occurred_at: datetime


@frozen
class ReferralCompleted(DomainEvent):
    type = "loyalty.referral_completed"
    referral_id: str
    referrer_id: str
    referee_id: str
    order_id: str
    referrer_points: int
    referee_points: int
    occurred_at: datetime


@frozen
class AccountStatusChanged(DomainEvent):
    type = "loyalty.account_status_changed"
    customer_id: str
    old_status: str
    new_status: str
    reason: str
    occurred_at: datetime
