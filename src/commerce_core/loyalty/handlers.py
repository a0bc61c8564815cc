"""Loyalty's command handlers: each runs one step of `Loyalty` in a transaction of its own."""

from __future__ import annotations

from datetime import datetime

from commerce_core.loyalty.commands import (
    AdjustPoints,
    CloseErasedAccount,
    CreateCampaign,
    EarnOrderPoints,
    EndCampaign,
    OpenLoyaltyAccount,
    RecalculateTiers,
    ReleaseDuePoints,
    ReverseOrderPoints,
    ReverseReturnedPoints,
    SetAccountStatus,
    UpdateProgram,
    UseReferralCode,
)
from commerce_core.loyalty.errors import InvalidLoyaltyInput
from commerce_core.loyalty.model import (
    AccountStatus,
    Campaign,
    CampaignKind,
    LoyaltyAccount,
    PointsEntry,
    Program,
    Referral,
)
from commerce_core.loyalty.ports import LoyaltyUnitOfWork as Uow
from commerce_core.loyalty.queries import JobReport
from commerce_core.loyalty.steps import Loyalty


class _Handler:
    def __init__(self, loyalty: Loyalty) -> None:
        self._l = loyalty


class OpenAccountHandler(_Handler):
    def __call__(self, cmd: OpenLoyaltyAccount) -> bool:
        return self._l.run(lambda uow, now: self._l.open(uow, cmd.customer_id, cmd.welcome,
                                                         now))


class EarnHandler(_Handler):
    def __call__(self, cmd: EarnOrderPoints) -> int:
        earning = self._l.run(lambda uow, now: self._l.earn(uow, cmd.order_id, now))
        return 0 if earning is None else earning.points


class ReverseOrderHandler(_Handler):
    def __call__(self, cmd: ReverseOrderPoints) -> int:
        return self._l.run(lambda uow, now: self._l.reverse_order(uow, cmd.order_id, now))


class ReverseReturnHandler(_Handler):
    def __call__(self, cmd: ReverseReturnedPoints) -> int:
        return self._l.run(lambda uow, now: self._l.reverse_return(uow, cmd, now))


class ReleaseHandler(_Handler):
    def __call__(self, cmd: ReleaseDuePoints) -> JobReport:
        return self._l.run(lambda uow, now: self._l.release_due(uow, cmd.limit, now))


class RecalculateHandler(_Handler):
    """Every account, a page per transaction (short transactions, whatever the shop's size)."""

    def __call__(self, cmd: RecalculateTiers) -> JobReport:
        seen = changed = 0
        after: str | None = None
        while True:
            def page(uow: Uow, now: datetime, after: str | None = after) -> tuple[
                    int, int, str | None]:
                return self._l.recalculate_page(uow, after, cmd.page, now)
            count, moved, after = self._l.run(page)
            seen, changed = seen + count, changed + moved
            if count < cmd.page:
                return JobReport(seen, changed)


class AdjustHandler(_Handler):
    def __call__(self, cmd: AdjustPoints) -> PointsEntry:
        return self._l.run(lambda uow, now: self._l.adjust(uow, cmd, now))


class SetStatusHandler(_Handler):
    def __call__(self, cmd: SetAccountStatus) -> LoyaltyAccount:
        reason = cmd.reason.strip()[:200] or "staff"

        def step(uow: Uow, now: datetime) -> LoyaltyAccount:
            account = uow.loyalty_accounts.get(cmd.customer_id)
            if cmd.status == AccountStatus.ACTIVE.value:
                account.reactivate(reason, now)
            elif cmd.status == AccountStatus.SUSPENDED.value:
                account.suspend(reason, now)
            elif cmd.status == AccountStatus.CLOSED.value:
                account.close(reason, now)
            else:
                raise InvalidLoyaltyInput(f"unknown account status {cmd.status!r}")
            return account
        return self._l.run(step)


class CloseErasedHandler(_Handler):
    def __call__(self, cmd: CloseErasedAccount) -> None:
        self._l.run(lambda uow, now: self._l.close_erased(uow, cmd.customer_id, now))


class UpdateProgramHandler(_Handler):
    def __call__(self, cmd: UpdateProgram) -> Program:
        def step(uow: Uow, now: datetime) -> Program:
            program = self._l.program(uow, now, stored=True)
            program.change(
                tiers=cmd.tiers,
                category_multipliers=(dict(cmd.category_multipliers)
                                      if cmd.category_multipliers is not None else None),
                earn_rates=dict(cmd.earn_rates) if cmd.earn_rates is not None else None,
                welcome_points=cmd.welcome_points, referrer_points=cmd.referrer_points,
                referee_points=cmd.referee_points, referral_days=cmd.referral_days,
                expiry_months=cmd.expiry_months, now=now)
            return program
        return self._l.run(step)


class CreateCampaignHandler(_Handler):
    def __call__(self, cmd: CreateCampaign) -> Campaign:
        try:
            kind = CampaignKind(cmd.kind)
        except ValueError:
            raise InvalidLoyaltyInput(f"unknown campaign kind {cmd.kind!r}") from None

        def step(uow: Uow, now: datetime) -> Campaign:
            program = self._l.program(uow, now)
            unknown = set(cmd.eligible_tiers) - {t.code for t in program.tiers}
            if unknown:
                raise InvalidLoyaltyInput(f"unknown tiers: {', '.join(sorted(unknown))}")
            campaign = Campaign.create(
                self._l.ids.new_id(), name=cmd.name, kind=kind, multiplier=cmd.multiplier,
                bonus_points=cmd.bonus_points, min_purchase=cmd.min_purchase,
                currency=cmd.currency, eligible_tiers=cmd.eligible_tiers,
                starts_at=cmd.starts_at, ends_at=cmd.ends_at, budget=cmd.budget, now=now)
            uow.loyalty_campaigns.add(campaign)
            return campaign
        return self._l.run(step)


class EndCampaignHandler(_Handler):
    def __call__(self, cmd: EndCampaign) -> Campaign:
        def step(uow: Uow, now: datetime) -> Campaign:
            campaign = uow.loyalty_campaigns.get(cmd.campaign_id)
            campaign.end(now)
            return campaign
        return self._l.run(step)


class UseReferralCodeHandler(_Handler):
    def __call__(self, cmd: UseReferralCode) -> Referral:
        return self._l.run(lambda uow, now: self._l.use_code(uow, cmd, now))


