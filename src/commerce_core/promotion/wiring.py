"""Promotion's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.promotion import commands as pc
from commerce_core.promotion import handlers as ph
from commerce_core.promotion.coupons import SecretCodeGenerator
from commerce_core.promotion.ports import CouponCodeGenerator, PromotionUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class PromotionWiring:
    def __init__(self, uow: UnitOfWorkFactory[PromotionUnitOfWork], clock: Clock,
                 ids: IdGenerator, codes: CouponCodeGenerator | None = None) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._codes = codes or SecretCodeGenerator()

    def handlers(self) -> Handlers:
        uow, clock, ids = self._uow, self._clock, self._ids
        return {
            pc.CreateCampaign: ph.CreateCampaignHandler(uow, clock, ids),
            pc.ActivateCampaign: ph.ActivateCampaignHandler(uow, clock),
            pc.DeactivateCampaign: ph.DeactivateCampaignHandler(uow, clock),
            pc.CreatePromotion: ph.CreatePromotionHandler(uow, clock, ids),
            pc.DisablePromotion: ph.DisablePromotionHandler(uow, clock),
            pc.CreateCoupon: ph.CreateCouponHandler(uow, clock, ids),
            pc.GenerateCoupons: ph.GenerateCouponsHandler(uow, clock, ids, self._codes),
            pc.DeactivateCoupon: ph.DeactivateCouponHandler(uow, clock),
            pc.ApplyPromotionUsages: ph.ApplyPromotionUsagesHandler(uow, clock, ids),
            pc.ReleasePromotionUsages: ph.ReleasePromotionUsagesHandler(uow, clock),
            pc.RedeemPromotionUsages: ph.RedeemPromotionUsagesHandler(uow, clock),
        }

    def subscribers(self) -> list[Subscriber]:
        """Promotion usage follows the order: released on cancel/refund, redeemed on delivery."""
        return [Subscriber.of(ph.ReleasePromotionUsageOnOrderCancelled(self._clock)),
                Subscriber.of(ph.SettlePromotionUsageOnOrderStatusChanged(self._clock))]
