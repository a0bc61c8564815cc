"""`commerce.promotions`: campaigns, promotions and coupons as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.promotion import commands as pc
from commerce_core.promotion.handlers import GeneratedCoupons
from commerce_core.promotion.model import Campaign, Coupon, Promotion, PromotionUsage
from commerce_core.promotion.ports import PromotionUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class PromotionsApi:
    """Campaigns, promotions, coupons and their usage."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[PromotionUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def create_campaign(self, command: pc.CreateCampaign) -> str:
        return str(self._handle(command))

    def deactivate_campaign(self, campaign_id: str, reason: str = "deactivated") -> None:
        self._handle(pc.DeactivateCampaign(campaign_id, reason))

    def campaigns(self, *, active_only: bool = False) -> builtins.list[Campaign]:
        with self._read() as uow:
            return uow.campaigns.list(active_only=active_only)

    def create(self, command: pc.CreatePromotion) -> str:
        return str(self._handle(command))

    def disable(self, promotion_id: str, reason: str = "disabled") -> None:
        self._handle(pc.DisablePromotion(promotion_id, reason))

    def get(self, promotion_id: str) -> Promotion:
        with self._read() as uow:
            return uow.promotions.get(promotion_id)

    def list(self) -> builtins.list[Promotion]:
        """Every promotion, live or not, in priority order."""
        with self._read() as uow:
            return uow.promotions.list()

    def create_coupon(self, command: pc.CreateCoupon) -> str:
        return str(self._handle(command))

    def generate_coupons(self, command: pc.GenerateCoupons) -> GeneratedCoupons:
        result: GeneratedCoupons = self._handle(command)
        return result

    def deactivate_coupon(self, code: str, reason: str = "blocked") -> None:
        self._handle(pc.DeactivateCoupon(code, reason))

    def coupon(self, code: str) -> Coupon | None:
        with self._read() as uow:
            found = uow.coupons.by_codes([code.strip().upper()])
        return found[0] if found else None

    def usages(self, order_id: str) -> builtins.list[PromotionUsage]:
        with self._read() as uow:
            return uow.promotion_usage.for_order(order_id)
