"""`commerce.pricing`, `commerce.promotions`, `commerce.tax`: the price engine and the
administration of prices, rules, campaigns, promotions, coupons and tax rules as plain methods;
and the handlers and subscribers of the three contexts, for the facade to register."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any

from attrs import field, frozen

from commerce_core.pricing import commands as pc
from commerce_core.pricing import handlers as ph
from commerce_core.pricing.carts import cart_input
from commerce_core.pricing.engine import (
    CustomerContext,
    PriceBreakdown,
    PricingContext,
    PricingStage,
    explain,
)
from commerce_core.pricing.model import Price
from commerce_core.pricing.rules import PriceRule
from commerce_core.pricing.service import CartPricingService
from commerce_core.promotion import commands as mc
from commerce_core.promotion import handlers as mh
from commerce_core.promotion.coupons import SecretCodeGenerator
from commerce_core.promotion.handlers import GeneratedCoupons
from commerce_core.promotion.model import Campaign, Coupon, Promotion, PromotionUsage
from commerce_core.promotion.ports import CouponCodeGenerator
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax import commands as tc
from commerce_core.tax import handlers as th
from commerce_core.tax.calculation import NoRulePolicy
from commerce_core.tax.model import TaxDestination, TaxRule


@frozen
class PricingPolicy:
    """How the shop prices.

    `tax_origin` is where an order without a shipping address is taxed (pickup at the shop,
    digital goods): tax is never skipped at confirmation, so without an address and without an
    origin checkout refuses (`TaxDestinationRequired`). `quote_destination` estimates tax in cart
    views before the address is known; None shows tax as pending.
    """

    tax_origin: TaxDestination | None = field(factory=lambda: TaxDestination("VN"))
    quote_destination: TaxDestination | None = None
    no_tax_rule_policy: NoRulePolicy = NoRulePolicy.ZERO_WITH_WARNING
    timezone: tzinfo = UTC

    def context(self, stage: PricingStage) -> PricingContext:
        return PricingContext(stage=stage, no_tax_rule_policy=self.no_tax_rule_policy,
                              default_destination=self.quote_destination,
                              timezone=self.timezone)


def handlers(uow: UnitOfWorkFactory[Any], clock: Clock, ids: IdGenerator,
             codes: CouponCodeGenerator | None = None) -> dict[type, Any]:
    """Every command of pricing, promotion and tax with its handler."""
    return {
        pc.CreatePrice: ph.CreatePriceHandler(uow, clock, ids),
        pc.UpdatePrice: ph.UpdatePriceHandler(uow, clock),
        pc.DeactivatePrice: ph.DeactivatePriceHandler(uow, clock),
        pc.BulkUpdatePrices: ph.BulkUpdatePricesHandler(uow, clock, ids),
        pc.CreatePriceRule: ph.CreatePriceRuleHandler(uow, clock, ids),
        pc.DeactivatePriceRule: ph.DeactivatePriceRuleHandler(uow, clock),
        mc.CreateCampaign: mh.CreateCampaignHandler(uow, clock, ids),
        mc.ActivateCampaign: mh.ActivateCampaignHandler(uow, clock),
        mc.DeactivateCampaign: mh.DeactivateCampaignHandler(uow, clock),
        mc.CreatePromotion: mh.CreatePromotionHandler(uow, clock, ids),
        mc.DisablePromotion: mh.DisablePromotionHandler(uow, clock),
        mc.CreateCoupon: mh.CreateCouponHandler(uow, clock, ids),
        mc.GenerateCoupons: mh.GenerateCouponsHandler(uow, clock, ids,
                                                      codes or SecretCodeGenerator()),
        mc.DeactivateCoupon: mh.DeactivateCouponHandler(uow, clock),
        mc.ApplyPromotionUsages: mh.ApplyPromotionUsagesHandler(uow, clock, ids),
        mc.ReleasePromotionUsages: mh.ReleasePromotionUsagesHandler(uow, clock),
        mc.RedeemPromotionUsages: mh.RedeemPromotionUsagesHandler(uow, clock),
        tc.CreateTaxRule: th.CreateTaxRuleHandler(uow, clock, ids),
        tc.ChangeTaxRate: th.ChangeTaxRateHandler(uow, clock),
        tc.DeactivateTaxRule: th.DeactivateTaxRuleHandler(uow, clock),
    }


def subscribers(clock: Clock) -> list[Any]:
    """Promotion usage follows the order: released on cancel/refund, redeemed on delivery."""
    return [mh.ReleasePromotionUsageOnOrderCancelled(clock),
            mh.SettlePromotionUsageOnOrderStatusChanged(clock)]


class PricingApi:
    """Prices carts and administers price rows and rules."""

    def __init__(self, handle: Callable[[Any], Any], read: Callable[[], Any],
                 service: CartPricingService, policy: PricingPolicy) -> None:
        self._handle, self._read = handle, read
        self.service, self.policy = service, policy

    def quote(self, cart_id: str, *, destination: TaxDestination | None = None,
              shipping: Any = None) -> PriceBreakdown:
        """The cart priced as a shopper sees it now (quote stage): its sellable lines only;
        tax pending until `destination` (or the policy's quote destination) is known."""
        with self._read() as uow:
            cart = uow.carts.get(cart_id)
            products = uow.products.by_skus({line.sku for line in cart.lines}) \
                if cart.lines else {}
        sellable = {sku: p for sku, p in products.items() if p.is_available}
        return self.service.price(
            cart_input(cart, sellable, destination=destination, shipping=shipping),
            CustomerContext(customer_id=cart.customer_id),
            self.policy.context(PricingStage.QUOTE),
        )

    def explain(self, cart_id: str, *, destination: TaxDestination | None = None) -> list[str]:
        return explain(self.quote(cart_id, destination=destination))

    def create_price(self, command: pc.CreatePrice) -> str:
        return str(self._handle(command))

    def update_price(self, command: pc.UpdatePrice) -> int:
        return int(self._handle(command))

    def deactivate_price(self, price_id: str) -> None:
        self._handle(pc.DeactivatePrice(price_id))

    def bulk_update(self, command: pc.BulkUpdatePrices) -> ph.BulkUpdateResult:
        result: ph.BulkUpdateResult = self._handle(command)
        return result

    def price(self, price_id: str) -> Price:
        with self._read() as uow:
            return uow.prices.get(price_id)  # type: ignore[no-any-return]

    def prices_of(self, product_id: str) -> builtins.list[Price]:
        with self._read() as uow:
            points = uow.prices.points_for([product_id])
            return [uow.prices.get(p.price_id) for p in points]

    def create_rule(self, command: pc.CreatePriceRule) -> str:
        return str(self._handle(command))

    def deactivate_rule(self, rule_id: str) -> None:
        self._handle(pc.DeactivatePriceRule(rule_id))

    def rules(self) -> builtins.list[PriceRule]:
        with self._read() as uow:
            return uow.price_rules.list()  # type: ignore[no-any-return]


class PromotionsApi:
    def __init__(self, handle: Callable[[Any], Any], read: Callable[[], Any]) -> None:
        self._handle, self._read = handle, read

    def create_campaign(self, command: mc.CreateCampaign) -> str:
        return str(self._handle(command))

    def deactivate_campaign(self, campaign_id: str, reason: str = "deactivated") -> None:
        self._handle(mc.DeactivateCampaign(campaign_id, reason))

    def campaigns(self, *, active_only: bool = False) -> builtins.list[Campaign]:
        with self._read() as uow:
            return uow.campaigns.list(active_only=active_only)  # type: ignore[no-any-return]

    def create(self, command: mc.CreatePromotion) -> str:
        return str(self._handle(command))

    def disable(self, promotion_id: str, reason: str = "disabled") -> None:
        self._handle(mc.DisablePromotion(promotion_id, reason))

    def get(self, promotion_id: str) -> Promotion:
        with self._read() as uow:
            return uow.promotions.get(promotion_id)  # type: ignore[no-any-return]

    def list(self) -> builtins.list[Promotion]:
        """Every promotion, live or not, in priority order."""
        with self._read() as uow:
            return uow.promotions.list()  # type: ignore[no-any-return]

    def create_coupon(self, command: mc.CreateCoupon) -> str:
        return str(self._handle(command))

    def generate_coupons(self, command: mc.GenerateCoupons) -> GeneratedCoupons:
        result: GeneratedCoupons = self._handle(command)
        return result

    def deactivate_coupon(self, code: str, reason: str = "blocked") -> None:
        self._handle(mc.DeactivateCoupon(code, reason))

    def coupon(self, code: str) -> Coupon | None:
        with self._read() as uow:
            found = uow.coupons.by_codes([code.strip().upper()])
        return found[0] if found else None

    def usages(self, order_id: str) -> builtins.list[PromotionUsage]:
        with self._read() as uow:
            return uow.promotion_usage.for_order(order_id)  # type: ignore[no-any-return]


class TaxApi:
    def __init__(self, handle: Callable[[Any], Any], read: Callable[[], Any]) -> None:
        self._handle, self._read = handle, read

    def create_rule(self, command: tc.CreateTaxRule) -> str:
        return str(self._handle(command))

    def change_rate(self, command: tc.ChangeTaxRate) -> None:
        self._handle(command)

    def deactivate_rule(self, rule_id: str) -> None:
        self._handle(tc.DeactivateTaxRule(rule_id))

    def rules(self) -> builtins.list[TaxRule]:
        with self._read() as uow:
            return uow.tax_rules.list()  # type: ignore[no-any-return]
