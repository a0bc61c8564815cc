"""The thin service around the engine: load through the ports, then call `price_cart`.

Failure policy (spec cart-checkout §6): pricing and tax failures always stop (a price is never 0
and tax is never assumed 0); a promotion outage lets a quote continue without discounts, with a
warning, but fails a confirmation, whose discount must be final.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from commerce_core.pricing.currency import ExchangeRate, ExchangeRateTable
from commerce_core.pricing.engine import (
    CustomerContext,
    PriceBreakdown,
    PriceCatalogue,
    PricingContext,
    PricingInput,
    PricingStage,
    PricingWarning,
    price_cart,
)
from commerce_core.pricing.model import PricePoint, resolve_price
from commerce_core.pricing.ports import ExchangeRates, PricingUnitOfWork
from commerce_core.promotion.ports import PromotionUnitOfWork
from commerce_core.promotion.services import load_snapshot
from commerce_core.promotion.values import PromotionSnapshot
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.errors import TaxServiceUnavailable
from commerce_core.tax.model import TaxRuleDefinition
from commerce_core.tax.ports import TaxRuleSource

log = logging.getLogger("commerce.pricing")


class PricingReadUnitOfWork(PricingUnitOfWork, PromotionUnitOfWork, Protocol):
    """The repositories a pricing run reads (one transaction for prices, one for promotions)."""


class CartPricingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory[PricingReadUnitOfWork],
        tax_rules: TaxRuleSource,
        rates: ExchangeRates,
        clock: Clock,
    ) -> None:
        self._uow, self._tax, self._rates, self._clock = uow, tax_rules, rates, clock

    def price(self, cart: PricingInput, customer: CustomerContext,
              context: PricingContext | None = None) -> PriceBreakdown:
        context = context or PricingContext()
        at = self._clock.now()
        with self._uow() as uow:
            points = uow.prices.points_for(sorted({ln.product_id for ln in cart.lines}))
            rules = [r.definition for r in uow.price_rules.live(at)]
        warnings: list[PricingWarning] = []
        promotions = self._promotions(cart, customer, context, at, warnings)
        destination = cart.destination
        if destination is None and context.stage is PricingStage.QUOTE:
            destination = context.default_destination
        tax_rules = self._tax_rules(destination.country_code, at) if destination else ()
        breakdown = price_cart(
            cart, customer, context, at,
            prices=PriceCatalogue(tuple(points), tuple(rules)), promotions=promotions,
            tax_rules=tax_rules, rates=self._needed_rates(cart, points, at),
        )
        if warnings:
            breakdown = attrs.evolve(breakdown, warnings=(*breakdown.warnings, *warnings))
        return breakdown

    def _promotions(self, cart: PricingInput, customer: CustomerContext,
                    context: PricingContext, at: datetime,
                    warnings: list[PricingWarning]) -> PromotionSnapshot:
        try:
            with self._uow() as uow:
                return load_snapshot(uow, coupon_codes=cart.coupon_codes,
                                     customer_id=customer.customer_id, at=at)
        except ServiceUnavailable:
            if context.stage is PricingStage.CONFIRM:
                raise
            log.warning("promotions unavailable; quoting without discounts")
            warnings.append(PricingWarning(
                "promotion.unavailable", "discounts could not be checked and are not shown"))
            return PromotionSnapshot()

    def _tax_rules(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        try:
            return tuple(self._tax.rules_for(country_code, at))
        except TaxServiceUnavailable:
            raise
        except ServiceUnavailable as error:
            raise TaxServiceUnavailable(
                f"tax rules for {country_code} are unavailable: {error.message}",
                country_code=country_code,
            ) from error

    def _needed_rates(self, cart: PricingInput, points: Sequence[PricePoint],
                      at: datetime) -> ExchangeRateTable:
        """Rates only for lines that have no price in the cart's currency."""
        pairs: set[str] = set()
        for line in cart.lines:
            found = resolve_price(points, product_id=line.product_id, sku=line.sku,
                                  warehouse_id=line.warehouse_id, currency=cart.currency, at=at)
            if found is None:
                pairs |= {p.currency for p in points
                          if p.product_id == line.product_id and p.currency != cart.currency}
        rates: list[ExchangeRate] = [self._rates.rate(c, cart.currency) for c in sorted(pairs)]
        return ExchangeRateTable.of(rates)
