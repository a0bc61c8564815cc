"""Loyalty's handlers and reactions, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.loyalty import commands as lc
from commerce_core.loyalty import handlers as lh
from commerce_core.loyalty import reactions as lr
from commerce_core.loyalty.ports import LoyaltyUnitOfWork, PointsWallet
from commerce_core.loyalty.steps import Loyalty, LoyaltyPolicy
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class LoyaltyWiring:
    def __init__(self, uow: UnitOfWorkFactory[LoyaltyUnitOfWork], clock: Clock,
                 ids: IdGenerator, wallet: PointsWallet, policy: LoyaltyPolicy) -> None:
        self.loyalty = Loyalty(uow, clock, ids, wallet, policy)

    def handlers(self) -> Handlers:
        steps = self.loyalty
        return {
            lc.OpenLoyaltyAccount: lh.OpenAccountHandler(steps),
            lc.EarnOrderPoints: lh.EarnHandler(steps),
            lc.ReverseOrderPoints: lh.ReverseOrderHandler(steps),
            lc.ReverseReturnedPoints: lh.ReverseReturnHandler(steps),
            lc.ReleaseDuePoints: lh.ReleaseHandler(steps),
            lc.RecalculateTiers: lh.RecalculateHandler(steps),
            lc.AdjustPoints: lh.AdjustHandler(steps),
            lc.SetAccountStatus: lh.SetStatusHandler(steps),
            lc.CloseErasedAccount: lh.CloseErasedHandler(steps),
            lc.UpdateProgram: lh.UpdateProgramHandler(steps),
            lc.CreateCampaign: lh.CreateCampaignHandler(steps),
            lc.EndCampaign: lh.EndCampaignHandler(steps),
            lc.UseReferralCode: lh.UseReferralCodeHandler(steps),
        }

    def subscribers(self) -> list[Subscriber]:
        steps = self.loyalty
        return [Subscriber.of(reaction) for reaction in (
            lr.OpenOnCustomerCreated(steps), lr.CloseOnCustomerDeleted(steps),
            lr.EarnOnOrderDelivered(steps), lr.ReverseOnOrderCancelled(steps),
            lr.ReverseOnReturnCompleted(steps), lr.RecordExpiredPoints(steps))]
