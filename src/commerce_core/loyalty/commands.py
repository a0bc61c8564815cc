"""Loyalty commands."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.loyalty.model import Tier


@frozen
class OpenLoyaltyAccount:
    """Opens the customer's account (with the welcome bonus when `welcome` is set); opening
    again changes nothing."""

    customer_id: str
    welcome: bool = True


@frozen
class EarnOrderPoints:
    """The order's points, once per order (the delivered and completed reactions send it)."""

    order_id: str


@frozen
class ReverseOrderPoints:
    """Takes back what a cancelled order earned, once."""

    order_id: str


@frozen
class ReverseReturnedPoints:
    """Takes back the points of the returned lines (units by order line id), once per return."""

    return_id: str
    order_id: str
    quantities: tuple[tuple[str, int], ...]
    full: bool = False


@frozen
class ReleaseDuePoints:
    """Job: pending points whose return window closed become spendable."""

    limit: int = 500


@frozen
class RecalculateTiers:
    """Job: tiers follow the rolling 12-month spend as the window moves (downgrades); every
    account, `page` per transaction."""

    page: int = 200


@frozen
class AdjustPoints:
    """Staff correct a balance by hand (audited); `points` is signed; `reference` makes a
    repeat change nothing."""

    customer_id: str
    points: int
    reason: str
    reference: str


@frozen
class SetAccountStatus:
    customer_id: str
    status: str  # active | suspended | closed
    reason: str


@frozen
class CloseErasedAccount:
    """The customer was erased: close and anonymise their account."""

    customer_id: str


@frozen
class UpdateProgram:
    """Staff change the earning rules and the tier table; None leaves a part as it is."""

    tiers: tuple[Tier, ...] | None = None
    category_multipliers: tuple[tuple[str, int], ...] | None = None
    earn_rates: tuple[tuple[str, int], ...] | None = None
    welcome_points: int | None = None
    referrer_points: int | None = None
    referee_points: int | None = None
    referral_days: int | None = None
    expiry_months: int | None = None


@frozen
class CreateCampaign:
    name: str
    kind: str  # multiplier | bonus
    starts_at: datetime
    ends_at: datetime
    multiplier: int = 100
    bonus_points: int = 0
    min_purchase: int = 0
    currency: str = "VND"
    eligible_tiers: tuple[str, ...] = ()
    budget: int | None = None


@frozen
class EndCampaign:
    campaign_id: str


@frozen
class UseReferralCode:
    """A customer names who referred them (before their first order)."""

    customer_id: str
    code: str
