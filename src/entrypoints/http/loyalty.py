"""Loyalty routes: the signed-in customer's account under `/me/loyalty` (balance, tier and the
way to the next, history, referral code), and the program's administration under
`/admin/loyalty` (rules and tiers, campaigns, accounts, audited manual adjustments).

`/me` routes act for the customer the bearer names; no loyalty object is reachable by an id
alone from the shop front."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from commerce_core.loyalty.ports import Campaign, PointsEntry, Program, Referral, Tier
from commerce_core.loyalty.queries import AccountView
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import CustomerDep, permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import MAX_OFFSET, Integral, RequestBody, Timestamp

me = APIRouter(tags=["my account"])
admin = APIRouter(prefix="/loyalty", tags=["loyalty admin"])
READ = [permit(Permission.LOYALTY_READ)]
ADJUST = [permit(Permission.LOYALTY_ADJUST)]
CONFIGURE = [permit(Permission.LOYALTY_CONFIGURE)]

MAX_POINTS = 100_000_000
Points = Annotated[int, Field(strict=True, ge=0, le=MAX_POINTS), Integral]
Percent = Annotated[int, Field(strict=True, ge=100, le=1000,
                               description="A multiplier in percent: 120 is 1.2x"), Integral]
Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
CustomerId = Annotated[str, Path(min_length=1, max_length=100)]
CampaignId = Annotated[str, Path(min_length=1, max_length=100)]


def _customer_id(principal: CustomerDep) -> str:
    assert principal.customer_id is not None
    return principal.customer_id


MeDep = Annotated[str, Depends(_customer_id)]


# -- bodies ----------------------------------------------------------------------------------
class LoyaltyAccountOut(BaseModel):
    customer_id: str
    status: str = Field(description="active, suspended or closed")
    balance: int = Field(description="Spendable points")
    pending_points: int = Field(description="Earned on orders still inside the return window")
    lifetime_points: int
    debt: int = Field(description="Points taken back that the balance could not cover")
    tier: str
    tier_name: str
    multiplier: int = Field(description="The tier's multiplier in percent")
    rolling_spend: int = Field(description="Spend of the last 12 months, minor units")
    currency: str
    next_tier: str | None
    spend_to_next_tier: int
    tier_progress_percent: int
    referral_code: str | None

    @classmethod
    def of(cls, v: AccountView) -> LoyaltyAccountOut:
        return cls(customer_id=v.customer_id, status=v.status, balance=v.balance,
                   pending_points=v.pending_points, lifetime_points=v.lifetime_points,
                   debt=v.debt, tier=v.tier, tier_name=v.tier_name, multiplier=v.multiplier,
                   rolling_spend=v.rolling_spend, currency=v.currency, next_tier=v.next_tier,
                   spend_to_next_tier=v.spend_to_next_tier,
                   tier_progress_percent=v.tier_progress_percent,
                   referral_code=v.referral_code)


class LoyaltyEntryOut(BaseModel):
    kind: str = Field(description="earn, release, bonus, deduct, expire or adjust")
    points: int
    status: str = Field(description="pending (inside the return window) or completed")
    balance_after: int
    source: str
    source_id: str
    description: str
    debt: int
    created_at: datetime

    @classmethod
    def of(cls, e: PointsEntry) -> LoyaltyEntryOut:
        return cls(kind=e.kind, points=e.points, status=e.status,
                   balance_after=e.balance_after, source=e.source, source_id=e.source_id,
                   description=e.description, debt=e.debt, created_at=e.created_at)


class LoyaltyReferralOut(BaseModel):
    id: str
    status: str
    referrer_points: int
    referee_points: int
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, r: Referral) -> LoyaltyReferralOut:
        return cls(id=r.id, status=r.status.value, referrer_points=r.referrer_points,
                   referee_points=r.referee_points, created_at=r.created_at,
                   expires_at=r.expires_at, completed_at=r.completed_at)


class LoyaltyReferralsOut(BaseModel):
    referral_code: str | None = Field(description="Mine, to share")
    referrals: list[LoyaltyReferralOut] = Field(description="Friends who used it, newest first")


class LoyaltyCodeIn(RequestBody):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")


class LoyaltyTierIo(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, max_length=100)
    threshold: Annotated[int, Field(strict=True, ge=0, le=10**15), Integral]
    multiplier: Percent

    @classmethod
    def of(cls, t: Tier) -> LoyaltyTierIo:
        return cls(code=t.code, name=t.name, threshold=t.threshold, multiplier=t.multiplier)


class LoyaltyProgramOut(BaseModel):
    currency: str
    tiers: list[LoyaltyTierIo]
    category_multipliers: dict[str, int]
    earn_rates: dict[str, int] = Field(description="Minor units of a currency per point")
    welcome_points: int
    referrer_points: int
    referee_points: int
    referral_days: int
    expiry_months: int
    updated_at: datetime

    @classmethod
    def of(cls, p: Program) -> LoyaltyProgramOut:
        return cls(currency=p.currency, tiers=[LoyaltyTierIo.of(t) for t in p.tiers],
                   category_multipliers=dict(p.category_multipliers),
                   earn_rates=dict(p.earn_rates), welcome_points=p.welcome_points,
                   referrer_points=p.referrer_points, referee_points=p.referee_points,
                   referral_days=p.referral_days, expiry_months=p.expiry_months,
                   updated_at=p.updated_at)


class LoyaltyProgramIn(RequestBody):
    """What is left out stays as it is."""

    tiers: list[LoyaltyTierIo] | None = Field(None, min_length=1, max_length=10)
    category_multipliers: dict[Annotated[str, Field(min_length=1, max_length=100)],
                               Percent] | None = Field(None, max_length=500)
    earn_rates: dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")],
                     Annotated[int, Field(strict=True, ge=1, le=10**9), Integral]] | None = \
        Field(None, min_length=1, max_length=50)
    welcome_points: Points | None = None
    referrer_points: Points | None = None
    referee_points: Points | None = None
    referral_days: Annotated[int, Field(strict=True, ge=1, le=3650), Integral] | None = None
    expiry_months: Annotated[int, Field(strict=True, ge=1, le=120), Integral] | None = None


class LoyaltyCampaignIn(RequestBody):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    kind: Literal["multiplier", "bonus"]
    starts_at: Timestamp
    ends_at: Timestamp
    multiplier: Percent = 100
    bonus_points: Points = 0
    min_purchase: Annotated[int, Field(strict=True, ge=0, le=10**15), Integral] = 0
    currency: str = Field("VND", pattern=r"^[A-Z]{3}$")
    eligible_tiers: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=10)
    budget: Points | None = Field(None, description="Points it may award in all")


class LoyaltyCampaignOut(BaseModel):
    id: str
    name: str
    kind: str
    multiplier: int
    bonus_points: int
    min_purchase: int
    currency: str
    eligible_tiers: list[str]
    starts_at: datetime
    ends_at: datetime
    budget: int | None
    awarded: int
    active: bool

    @classmethod
    def of(cls, c: Campaign) -> LoyaltyCampaignOut:
        return cls(id=c.id, name=c.name, kind=c.kind.value, multiplier=c.multiplier,
                   bonus_points=c.bonus_points, min_purchase=c.min_purchase,
                   currency=c.currency, eligible_tiers=list(c.eligible_tiers),
                   starts_at=c.starts_at, ends_at=c.ends_at, budget=c.budget,
                   awarded=c.awarded, active=c.active)


class LoyaltyAdjustmentIn(RequestBody):
    points: Annotated[int, Field(strict=True, ge=-10_000_000, le=10_000_000,
                                           description="Signed; not 0"), Integral]
    reason: str = Field(min_length=1, max_length=200, pattern=r"\S")
    reference: Key = Field(description="A repeat with the same reference changes nothing")


class LoyaltyStatusIn(RequestBody):
    status: Literal["active", "suspended", "closed"]
    reason: str = Field("", max_length=200)


# -- /me ---------------------------------------------------------------------------------------
@me.get("/me/loyalty", summary="My loyalty account: balance, tier and progress")
def my_loyalty(commerce: CommerceDep, customer_id: MeDep) -> LoyaltyAccountOut:
    return LoyaltyAccountOut.of(commerce.loyalty.account(customer_id))


@me.get("/me/loyalty/transactions", summary="My points history, newest first")
def my_transactions(commerce: CommerceDep, customer_id: MeDep,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                    ) -> list[LoyaltyEntryOut]:
    return [LoyaltyEntryOut.of(e) for e in commerce.loyalty.transactions(customer_id, limit=limit,
                                                                  offset=offset)]


@me.get("/me/loyalty/referrals", summary="My referral code and the friends who used it")
def my_referrals(commerce: CommerceDep, customer_id: MeDep) -> LoyaltyReferralsOut:
    account = commerce.loyalty.account(customer_id)
    return LoyaltyReferralsOut(referral_code=account.referral_code,
                        referrals=[LoyaltyReferralOut.of(r)
                                   for r in commerce.loyalty.referrals(customer_id)])


@me.post("/me/loyalty/referral", status_code=201,
         summary="Name the friend who referred me (before my first order)")
def use_referral_code(body: LoyaltyCodeIn, commerce: CommerceDep,
                      customer_id: MeDep) -> LoyaltyReferralOut:
    return LoyaltyReferralOut.of(commerce.loyalty.use_referral_code(customer_id, body.code))


# -- /admin/loyalty ------------------------------------------------------------------------------
@admin.get("/program", summary="Earning rules and tiers", dependencies=READ)
def get_program(commerce: CommerceDep) -> LoyaltyProgramOut:
    return LoyaltyProgramOut.of(commerce.loyalty.program())


@admin.put("/program", summary="Change earning rules and tiers (orders from now on)",
           dependencies=CONFIGURE)
def put_program(body: LoyaltyProgramIn, commerce: CommerceDep) -> LoyaltyProgramOut:
    return LoyaltyProgramOut.of(commerce.loyalty.update_program(
        tiers=[Tier(t.code, t.name, t.threshold, t.multiplier) for t in body.tiers]
        if body.tiers is not None else None,
        category_multipliers=body.category_multipliers, earn_rates=body.earn_rates,
        welcome_points=body.welcome_points, referrer_points=body.referrer_points,
        referee_points=body.referee_points, referral_days=body.referral_days,
        expiry_months=body.expiry_months))


@admin.get("/campaigns", summary="Campaigns, newest first", dependencies=READ)
def list_campaigns(commerce: CommerceDep,
                   include_ended: bool = True) -> list[LoyaltyCampaignOut]:
    return [LoyaltyCampaignOut.of(c)
            for c in commerce.loyalty.campaigns(include_ended=include_ended)]


@admin.post("/campaigns", status_code=201, summary="Create a campaign", dependencies=CONFIGURE)
def create_campaign(body: LoyaltyCampaignIn, commerce: CommerceDep) -> LoyaltyCampaignOut:
    return LoyaltyCampaignOut.of(commerce.loyalty.create_campaign(
        body.name, body.kind, body.starts_at, body.ends_at, multiplier=body.multiplier,
        bonus_points=body.bonus_points, min_purchase=body.min_purchase,
        currency=body.currency, eligible_tiers=body.eligible_tiers, budget=body.budget))


@admin.get("/campaigns/{campaign_id}", summary="One campaign", dependencies=READ)
def get_campaign(campaign_id: CampaignId, commerce: CommerceDep) -> LoyaltyCampaignOut:
    return LoyaltyCampaignOut.of(commerce.loyalty.campaign(campaign_id))


@admin.post("/campaigns/{campaign_id}/end", summary="End a campaign now",
            dependencies=CONFIGURE)
def end_campaign(campaign_id: CampaignId, commerce: CommerceDep) -> LoyaltyCampaignOut:
    return LoyaltyCampaignOut.of(commerce.loyalty.end_campaign(campaign_id))


@admin.get("/accounts/{customer_id}", summary="A customer's account", dependencies=READ)
def get_account(customer_id: CustomerId, commerce: CommerceDep) -> LoyaltyAccountOut:
    return LoyaltyAccountOut.of(commerce.loyalty.account(customer_id))


@admin.get("/accounts/{customer_id}/transactions", summary="A customer's points history",
           dependencies=READ)
def account_transactions(customer_id: CustomerId, commerce: CommerceDep,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50,
                         offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                         ) -> list[LoyaltyEntryOut]:
    return [LoyaltyEntryOut.of(e) for e in commerce.loyalty.transactions(customer_id, limit=limit,
                                                                  offset=offset)]


@admin.post("/accounts/{customer_id}/adjustments", status_code=201,
            summary="Correct a balance by hand (audited; never below zero)",
            dependencies=ADJUST)
def adjust(customer_id: CustomerId, body: LoyaltyAdjustmentIn,
           commerce: CommerceDep) -> LoyaltyEntryOut:
    return LoyaltyEntryOut.of(commerce.loyalty.adjust(customer_id, body.points, body.reason,
                                               body.reference))


@admin.put("/accounts/{customer_id}/status", summary="Suspend, reactivate or close an account",
           dependencies=ADJUST)
def set_status(customer_id: CustomerId, body: LoyaltyStatusIn,
               commerce: CommerceDep) -> LoyaltyAccountOut:
    commerce.loyalty.set_status(customer_id, body.status, body.reason)
    return LoyaltyAccountOut.of(commerce.loyalty.account(customer_id))
