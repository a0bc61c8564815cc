"""The loyalty program, accounts, order earnings, history entries, campaigns and referrals.

Multipliers are whole percentages (120 is 1.2x) so points are computed with integers only; an
earn rate is the minor units of a currency one point costs (VND: 1,000 dong per point).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.loyalty.errors import AccountNotActive, CampaignClosed, InvalidLoyaltyInput
from commerce_core.loyalty.events import (
    AccountOpened,
    AccountStatusChanged,
    ReferralCompleted,
    TierChanged,
)
from commerce_core.shared.events import DomainEvent

PROGRAM_ID = "program"
ROLLING_WINDOW = timedelta(days=365)
MAX_MULTIPLIER = 1000  # percent: 10x
MAX_POINTS = 100_000_000


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class EarningStatus(StrEnum):
    PENDING = "pending"  # inside the return window: not spendable yet
    AVAILABLE = "available"  # credited to the points account
    CANCELLED = "cancelled"  # the order was cancelled: nothing left


class CampaignKind(StrEnum):
    MULTIPLIER = "multiplier"
    BONUS = "bonus"


class ReferralStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the last day of a shorter month)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _points(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise InvalidLoyaltyInput(f"{name} must be a whole number from 0 to {MAX_POINTS}")
    return value


def _multiplier(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= MAX_MULTIPLIER:
        raise InvalidLoyaltyInput(f"{name} is a percentage from 100 to {MAX_MULTIPLIER}")
    return value


@frozen
class Tier:
    """A tier reached by spending `threshold` (minor units of the program's currency) within
    the rolling 12 months; its multiplier applies to the points of every order."""

    code: str
    name: str
    threshold: int
    multiplier: int = 100


DEFAULT_TIERS = (
    Tier("bronze", "Bronze", 0, 100),
    Tier("silver", "Silver", 5_000_000, 120),
    Tier("gold", "Gold", 15_000_000, 150),
    Tier("platinum", "Platinum", 50_000_000, 200),
)


def check_tiers(tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
    """At least one tier, the lowest from 0, thresholds strictly rising, codes unique."""
    if not tiers or len(tiers) > 10:
        raise InvalidLoyaltyInput("the program has 1 to 10 tiers")
    ordered = tuple(sorted(tiers, key=lambda t: t.threshold))
    if ordered[0].threshold != 0:
        raise InvalidLoyaltyInput("the lowest tier starts at a spend of 0")
    if len({t.threshold for t in ordered}) != len(ordered):
        raise InvalidLoyaltyInput("two tiers have the same threshold")
    if len({t.code for t in ordered}) != len(ordered):
        raise InvalidLoyaltyInput("two tiers have the same code")
    for t in ordered:
        if not t.code or not t.code.isidentifier() or len(t.code) > 32:
            raise InvalidLoyaltyInput(f"tier code {t.code!r} must be a short identifier")
        _multiplier(t.multiplier, f"tier {t.code}'s multiplier")
        if isinstance(t.threshold, bool) or t.threshold < 0:
            raise InvalidLoyaltyInput("tier thresholds are whole amounts from 0")
    return ordered


@define(eq=False)
class Program:
    """The shop's earning rules and tier table (one per shop; staff change it)."""

    id: str
    currency: str  # tier thresholds and rolling spend are in this currency
    tiers: tuple[Tier, ...]
    category_multipliers: dict[str, int]  # category id -> percent
    earn_rates: dict[str, int]  # currency -> minor units per point
    welcome_points: int
    referrer_points: int
    referee_points: int
    referral_days: int
    expiry_months: int
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    def tier(self, code: str) -> Tier:
        for t in self.tiers:
            if t.code == code:
                return t
        return self.tiers[0]  # a tier removed from the table: the account counts as lowest

    def tier_for(self, spend: int) -> Tier:
        reached = self.tiers[0]
        for t in self.tiers:
            if spend >= t.threshold:
                reached = t
        return reached

    def next_tier(self, code: str) -> Tier | None:
        current = self.tier(code)
        higher = [t for t in self.tiers if t.threshold > current.threshold]
        return higher[0] if higher else None

    def rate(self, currency: str) -> int | None:
        return self.earn_rates.get(currency.upper())

    def spend_of(self, value: int, currency: str) -> int:
        """An order's eligible value in the program's currency, through the earn rates (the
        points it is worth at the base rate, times the program currency's rate)."""
        if currency.upper() == self.currency:
            return value
        rate, base = self.rate(currency), self.rate(self.currency)
        if rate is None or base is None:
            return 0
        return value * base // rate

    def change(self, *, tiers: tuple[Tier, ...] | None = None,
               category_multipliers: Mapping[str, int] | None = None,
               earn_rates: Mapping[str, int] | None = None, welcome_points: int | None = None,
               referrer_points: int | None = None, referee_points: int | None = None,
               referral_days: int | None = None, expiry_months: int | None = None,
               now: datetime) -> None:
        """Staff change the rules; what is None stays. New rules apply to orders delivered from
        now on: points already earned are not recomputed."""
        if tiers is not None:
            self.tiers = check_tiers(tiers)
        if category_multipliers is not None:
            if len(category_multipliers) > 500:
                raise InvalidLoyaltyInput("at most 500 category rules")
            self.category_multipliers = {
                str(k): _multiplier(v, f"category {k}'s multiplier")
                for k, v in category_multipliers.items()}
        if earn_rates is not None:
            rates = {str(k).upper(): v for k, v in earn_rates.items()}
            for currency, rate in rates.items():
                if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= 10**9:
                    raise InvalidLoyaltyInput(f"the earn rate of {currency} must be positive")
            if self.currency not in rates:
                raise InvalidLoyaltyInput(f"the program's currency {self.currency} needs a rate")
            self.earn_rates = rates
        if welcome_points is not None:
            self.welcome_points = _points(welcome_points, "welcome_points")
        if referrer_points is not None:
            self.referrer_points = _points(referrer_points, "referrer_points")
        if referee_points is not None:
            self.referee_points = _points(referee_points, "referee_points")
        if referral_days is not None:
            if not 1 <= referral_days <= 3650:
                raise InvalidLoyaltyInput("referral_days is from 1 to 3650")
            self.referral_days = referral_days
        if expiry_months is not None:
            if not 1 <= expiry_months <= 120:
                raise InvalidLoyaltyInput("expiry_months is from 1 to 120")
            self.expiry_months = expiry_months
        self.updated_at = now


@define(eq=False)
class LoyaltyAccount:
    """A customer's standing in the program (its id is the customer's id). The spendable
    balance lives in the value ledger; the account keeps the tier, what is still pending and
    what could not be taken back (`debt`)."""

    id: str
    status: AccountStatus
    tier: str
    rolling_spend: int
    lifetime_points: int
    pending_points: int
    debt: int
    referral_code: str | None
    referred_by: str | None  # the referral that brought the customer
    orders_earned: int
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def open(cls, customer_id: str, tier: str, referral_code: str,
             now: datetime) -> LoyaltyAccount:
        account = cls(customer_id, AccountStatus.ACTIVE, tier, 0, 0, 0, 0, referral_code,
                      None, 0, now, now)
        account.events.append(AccountOpened(customer_id, tier, now))
        return account

    @property
    def customer_id(self) -> str:
        return self.id

    @property
    def active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def require_active(self) -> None:
        if not self.active:
            raise AccountNotActive(f"loyalty account {self.id} is {self.status.value}",
                                   customer_id=self.id, status=self.status.value)

    def earned_pending(self, points: int, now: datetime) -> None:
        self.pending_points += points
        self.lifetime_points += points
        self.orders_earned += 1
        self.updated_at = now

    def credited(self, points: int, now: datetime) -> None:
        """A bonus credited straight to the balance."""
        self.lifetime_points += points
        self.updated_at = now

    def released(self, points: int, now: datetime) -> None:
        self.pending_points = max(0, self.pending_points - points)
        self.updated_at = now

    def took_back(self, *, pending: int, spendable: int, debt: int, now: datetime) -> None:
        self.pending_points = max(0, self.pending_points - pending)
        self.lifetime_points = max(0, self.lifetime_points - pending - spendable - debt)
        self.debt += debt
        self.updated_at = now

    def settle_debt(self, points: int) -> int:
        """Points newly credited first pay what could not be taken back; returns the part
        that pays the debt."""
        paid = min(points, self.debt)
        self.debt -= paid
        return paid

    def evaluate_tier(self, program: Program, spend: int, now: datetime) -> None:
        """Rule A2.4: the tier follows the rolling 12-month spend, up or down."""
        self.rolling_spend = spend
        new = program.tier_for(spend)
        old = program.tier(self.tier)
        if new.code == self.tier:
            return
        direction = "upgrade" if new.threshold > old.threshold else "downgrade"
        self.events.append(TierChanged(self.id, self.tier, new.code, direction, spend, now))
        self.tier, self.updated_at = new.code, now

    def _move(self, to: AccountStatus, reason: str, now: datetime) -> None:
        if self.status is to:
            return
        if self.status is AccountStatus.CLOSED:
            raise AccountNotActive(f"loyalty account {self.id} is closed", customer_id=self.id,
                                   status=self.status.value)
        self.events.append(AccountStatusChanged(self.id, self.status.value, to.value, reason,
                                                now))
        self.status, self.updated_at = to, now

    def suspend(self, reason: str, now: datetime) -> None:
        self._move(AccountStatus.SUSPENDED, reason, now)

    def reactivate(self, reason: str, now: datetime) -> None:
        self._move(AccountStatus.ACTIVE, reason, now)

    def close(self, reason: str, now: datetime) -> None:
        """Terminal. Erasure: the referral code is dropped; the history stays for accounting
        under the customer's (already anonymised) id."""
        self._move(AccountStatus.CLOSED, reason, now)
        self.referral_code = None


@frozen
class EarnedLine:
    """One order line's share of an order's points. `returned`: units returned so far."""

    line_id: str
    sku: str
    quantity: int
    value: int  # eligible value, minor units of the order's currency
    points: int
    returned: int = 0


@define(eq=False)
class Earning:
    """The points one order earned (its id is the order's id: one earning per order)."""

    id: str
    customer_id: str
    currency: str
    eligible: int  # minor units of the order's currency
    spend: int  # minor units of the program's currency (the tier basis)
    points: int  # lines' points + bonus
    bonus: int  # campaign bonus points (order level)
    reversed: int  # points taken back so far
    reversed_spend: int
    status: EarningStatus
    earned_at: datetime
    available_at: datetime  # the return window closes
    expires_at: datetime
    reversals: tuple[str, ...]  # returns already taken into account
    lines: list[EarnedLine]
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @property
    def order_id(self) -> str:
        return self.id

    @property
    def remaining(self) -> int:
        return self.points - self.reversed

    def release(self) -> int:
        """Rule: points wait out the return window; returns what becomes spendable."""
        if self.status is not EarningStatus.PENDING:
            return 0
        self.status = EarningStatus.AVAILABLE
        return self.remaining

    def cancel(self) -> tuple[int, int]:
        """The whole order is cancelled: (points to take back, spend to take back)."""
        points, spend = self.remaining, self.spend - self.reversed_spend
        self.reversed, self.reversed_spend = self.points, self.spend
        if self.status is EarningStatus.PENDING:
            self.status = EarningStatus.CANCELLED
        return points, spend

    def returned(self, return_id: str, quantities: Mapping[str, int],
                 full: bool) -> tuple[int, int] | None:
        """Lines returned (units by order line id): the points earned on them, pro rata to
        units; on a full return the order's bonus too. None when this return was counted."""
        if return_id in self.reversals:
            return None
        self.reversals = (*self.reversals, return_id)
        points = spend_value = 0
        lines = []
        for line in self.lines:
            back = min(line.quantity, line.returned + max(0, quantities.get(line.line_id, 0)))
            points += (line.points * back // line.quantity
                       - line.points * line.returned // line.quantity)
            spend_value += (line.value * back // line.quantity
                            - line.value * line.returned // line.quantity)
            lines.append(EarnedLine(line.line_id, line.sku, line.quantity, line.value,
                                    line.points, back))
        self.lines = lines
        if full or all(ln.returned >= ln.quantity for ln in lines):
            # Everything came back: the order's bonus and any rounding go back too.
            points, spend = self.remaining, self.spend - self.reversed_spend
        else:
            points = max(0, min(points, self.remaining))
            spend = self.spend * spend_value // self.eligible if self.eligible else 0
            spend = max(0, min(spend, self.spend - self.reversed_spend))
        self.reversed += points
        self.reversed_spend += spend
        return points, spend


@define(eq=False)
class PointsEntry:
    """One line of an account's history, never changed. Its id names what caused it
    (`{kind}:{source}:{source_id}`), which makes each effect happen once."""

    id: str
    customer_id: str
    kind: str  # earn | release | bonus | deduct | expire | adjust
    points: int  # magnitude
    status: str  # pending | completed
    balance_after: int
    source: str
    source_id: str
    description: str
    created_at: datetime
    debt: int = 0
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @staticmethod
    def key(kind: str, source: str, source_id: str) -> str:
        return f"{kind}:{source}:{source_id}"


@define(eq=False)
class Campaign:
    """Extra points for a while: a multiplier on the order's points, or a fixed bonus per
    order; for eligible tiers and orders from `min_purchase`; within a points budget."""

    id: str
    name: str
    kind: CampaignKind
    multiplier: int  # percent, multiplier campaigns
    bonus_points: int  # bonus campaigns
    min_purchase: int  # minor units of `currency`
    currency: str
    eligible_tiers: tuple[str, ...]  # empty: every tier
    starts_at: datetime
    ends_at: datetime
    budget: int | None  # points it may award in all; None: no limit
    awarded: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def create(cls, campaign_id: str, *, name: str, kind: CampaignKind, multiplier: int,
               bonus_points: int, min_purchase: int, currency: str,
               eligible_tiers: tuple[str, ...], starts_at: datetime, ends_at: datetime,
               budget: int | None, now: datetime) -> Campaign:
        name = name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidLoyaltyInput("a campaign's name has 1 to 200 characters")
        if kind is CampaignKind.MULTIPLIER:
            _multiplier(multiplier, "the campaign multiplier")
            bonus_points = 0
        else:
            if _points(bonus_points, "bonus_points") == 0:
                raise InvalidLoyaltyInput("a bonus campaign awards at least 1 point")
            multiplier = 100
        if starts_at.tzinfo is None or ends_at.tzinfo is None or ends_at <= starts_at:
            raise InvalidLoyaltyInput("a campaign ends after it starts (times with a zone)")
        if min_purchase < 0:
            raise InvalidLoyaltyInput("min_purchase is not negative")
        if budget is not None:
            _points(budget, "budget")
        return cls(campaign_id, name, kind, multiplier, bonus_points, min_purchase,
                   currency.upper(), tuple(sorted(set(eligible_tiers))), starts_at, ends_at,
                   budget, 0, True, now, now)

    def applies(self, tier: str, currency: str, value: int, now: datetime) -> bool:
        return (self.active and self.starts_at <= now < self.ends_at
                and (not self.eligible_tiers or tier in self.eligible_tiers)
                and currency.upper() == self.currency and value >= self.min_purchase
                and self.left != 0)

    @property
    def left(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.awarded)

    def award(self, points: int, now: datetime) -> int:
        """Take up to `points` from the budget (guarded by the campaign's version): what is
        granted."""
        left = self.left
        granted = points if left is None else min(points, left)
        self.awarded += granted
        if granted:
            self.updated_at = now
        return granted

    def end(self, now: datetime) -> None:
        if not self.active:
            raise CampaignClosed(f"campaign {self.id} has ended", id=self.id)
        self.active, self.updated_at = False, now
        self.ends_at = min(self.ends_at, now) if now > self.starts_at else self.ends_at


@define(eq=False)
class Referral:
    """A referee's use of a referrer's code: rewarded once, on the referee's first order that
    earns points, unless it expired first."""

    id: str
    referrer_id: str
    referee_id: str
    status: ReferralStatus
    referrer_points: int
    referee_points: int
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    order_id: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    def complete(self, order_id: str, referrer_points: int, referee_points: int,
                 now: datetime) -> bool:
        if self.status is not ReferralStatus.PENDING:
            return False
        if now >= self.expires_at:
            self.status = ReferralStatus.EXPIRED
            return False
        self.status, self.completed_at, self.order_id = ReferralStatus.COMPLETED, now, order_id
        self.referrer_points, self.referee_points = referrer_points, referee_points
        self.events.append(ReferralCompleted(self.id, self.referrer_id, self.referee_id,
                                             order_id, referrer_points, referee_points, now))
        return True

    def cancel(self) -> None:
        if self.status is ReferralStatus.PENDING:
            self.status = ReferralStatus.CANCELLED
