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
from commerce_core.tax.model import TaxDestination, TaxRuleDefinition
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
        """Price in units of work of its own (a cart view, the price endpoint)."""
        context = context or PricingContext()
        at = self._clock.now()
        destination = self.destination_for(cart, context)
        tax_rules = self.tax_rules(destination.country_code, at) if destination else ()
        with self._uow() as uow:
            prices = self._catalogue(uow, cart, at)
        warnings: list[PricingWarning] = []
        promotions = self._promotions(cart, customer, context, at, warnings)
        return self._run(cart, customer, context, at, prices, promotions, tax_rules, warnings)

    def price_within(self, uow: PricingReadUnitOfWork, cart: PricingInput,
                     customer: CustomerContext, context: PricingContext,
                     tax_rules: Sequence[TaxRuleDefinition]) -> PriceBreakdown:
        """Price inside the caller's transaction (checkout's): prices, rules and promotions
        are read through `uow`; tax rules were fetched by the caller beforehand, so a tax
        outage stops it before anything is written."""
        at = self._clock.now()
        prices = self._catalogue(uow, cart, at)
        promotions = load_snapshot(uow, coupon_codes=cart.coupon_codes,
                                   customer_id=customer.customer_id, at=at)
        return self._run(cart, customer, context, at, prices, promotions, tax_rules, [])

    @staticmethod
    def destination_for(cart: PricingInput, context: PricingContext) -> TaxDestination | None:
        if cart.destination is None and context.stage is PricingStage.QUOTE:
            return context.default_destination
        return cart.destination

    def _catalogue(self, uow: PricingReadUnitOfWork, cart: PricingInput,
                   at: datetime) -> PriceCatalogue:
        points = uow.prices.points_for(sorted({ln.product_id for ln in cart.lines}))
        rules = [r.definition for r in uow.price_rules.live(at)]
        return PriceCatalogue(tuple(points), tuple(rules))

    def _run(self, cart: PricingInput, customer: CustomerContext, context: PricingContext,
             at: datetime, prices: PriceCatalogue, promotions: PromotionSnapshot,
             tax_rules: Sequence[TaxRuleDefinition],
             warnings: list[PricingWarning]) -> PriceBreakdown:
        breakdown = price_cart(
            cart, customer, context, at, prices=prices, promotions=promotions,
            tax_rules=tax_rules, rates=self._needed_rates(cart, prices.prices, at),
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

    def tax_rules(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        """Every rule of the country, or `TaxServiceUnavailable`: never an empty guess."""
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
