"""`commerce.loyalty`: accounts, points history, the program's rules and tiers, campaigns,
referrals and the jobs, as plain methods."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime

from commerce_core.ledger.commands import ExpireDueValue
from commerce_core.ledger.ports import Posting
from commerce_core.loyalty import commands as lc
from commerce_core.loyalty.model import Campaign, Earning, PointsEntry, Program, Referral, Tier
from commerce_core.loyalty.ports import LoyaltyUnitOfWork
from commerce_core.loyalty.queries import AccountView, JobReport
from commerce_core.loyalty.steps import Loyalty
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class LoyaltyApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[LoyaltyUnitOfWork],
                 steps: Loyalty) -> None:
        self._handle, self._read, self._steps = handle, read, steps

    # -- shoppers -------------------------------------------------------------------------------
    def account(self, customer_id: str) -> AccountView:
        """The account (`LoyaltyAccountNotFound` when the customer has none yet)."""
        with self._read() as uow:
            account = uow.loyalty_accounts.get(customer_id)
            program = self._steps.program(uow, self._steps.clock.now())
            tier = program.tier(account.tier)
            upper = program.next_tier(account.tier)
            return AccountView.of(account, self._steps.wallet.balance(uow, customer_id),
                                  tier.name, tier.multiplier, program.currency,
                                  upper.code if upper else None,
                                  upper.threshold if upper else None, tier.threshold)

    def transactions(self, customer_id: str, *, limit: int = 50,
                     offset: int = 0) -> builtins.list[PointsEntry]:
        """The account's history, newest first."""
        with self._read() as uow:
            uow.loyalty_accounts.get(customer_id)
            return uow.loyalty_entries.of_customer(customer_id, limit=limit, offset=offset)

    def earning(self, order_id: str) -> Earning | None:
        with self._read() as uow:
            return uow.loyalty_earnings.find(order_id)

    def referrals(self, customer_id: str) -> builtins.list[Referral]:
        """The referrals the customer made."""
        with self._read() as uow:
            return uow.loyalty_referrals.of_referrer(customer_id)

    def use_referral_code(self, customer_id: str, code: str) -> Referral:
        result: Referral = self._handle(lc.UseReferralCode(customer_id, code))
        return result

    def open(self, customer_id: str, *, welcome: bool = True) -> bool:
        result: bool = self._handle(lc.OpenLoyaltyAccount(customer_id, welcome))
        return result

    # -- staff ----------------------------------------------------------------------------------
    def program(self) -> Program:
        with self._read() as uow:
            return self._steps.program(uow, self._steps.clock.now())

    def update_program(self, *, tiers: Iterable[Tier] | None = None,
                       category_multipliers: Mapping[str, int] | None = None,
                       earn_rates: Mapping[str, int] | None = None,
                       welcome_points: int | None = None, referrer_points: int | None = None,
                       referee_points: int | None = None, referral_days: int | None = None,
                       expiry_months: int | None = None) -> Program:
        result: Program = self._handle(lc.UpdateProgram(
            tuple(tiers) if tiers is not None else None,
            tuple(sorted(category_multipliers.items()))
            if category_multipliers is not None else None,
            tuple(sorted(earn_rates.items())) if earn_rates is not None else None,
            welcome_points, referrer_points, referee_points, referral_days, expiry_months))
        return result

    def adjust(self, customer_id: str, points: int, reason: str, reference: str) -> PointsEntry:
        """A manual correction (audited); the same reference again changes nothing."""
        result: PointsEntry = self._handle(lc.AdjustPoints(customer_id, points, reason,
                                                           reference))
        return result

    def set_status(self, customer_id: str, status: str, reason: str = "") -> None:
        self._handle(lc.SetAccountStatus(customer_id, status, reason))

    def create_campaign(self, name: str, kind: str, starts_at: datetime, ends_at: datetime, *,
                        multiplier: int = 100, bonus_points: int = 0, min_purchase: int = 0,
                        currency: str = "VND", eligible_tiers: Iterable[str] = (),
                        budget: int | None = None) -> Campaign:
        result: Campaign = self._handle(lc.CreateCampaign(
            name, kind, starts_at, ends_at, multiplier, bonus_points, min_purchase, currency,
            tuple(eligible_tiers), budget))
        return result

    def end_campaign(self, campaign_id: str) -> Campaign:
        result: Campaign = self._handle(lc.EndCampaign(campaign_id))
        return result

    def campaigns(self, *, include_ended: bool = True) -> builtins.list[Campaign]:
        with self._read() as uow:
            return uow.loyalty_campaigns.list(include_ended=include_ended)

    def campaign(self, campaign_id: str) -> Campaign:
        with self._read() as uow:
            return uow.loyalty_campaigns.get(campaign_id)

    # -- jobs -----------------------------------------------------------------------------------
    def earn(self, order_id: str) -> int:
        """The order's points now (the reactions do this on delivery); once per order."""
        result: int = self._handle(lc.EarnOrderPoints(order_id))
        return result

    def release(self, limit: int = 500) -> JobReport:
        result: JobReport = self._handle(lc.ReleaseDuePoints(limit))
        return result

    def expire(self, limit: int = 500) -> JobReport:
        """The ledger's expiry job (points, and any other stored value due): lots expired and
        units taken; each points lot reaches the history through `ledger.value_expired`."""
        postings: builtins.list[Posting] = self._handle(ExpireDueValue(limit))
        return JobReport(len(postings), sum(p.amount for p in postings))

    def recalculate_tiers(self, page: int = 200) -> JobReport:
        """Every account's tier against its 12-month spend now (processed, changed)."""
        result: JobReport = self._handle(lc.RecalculateTiers(page))
        return result
