"""What pricing offers other contexts: the cart pricer (the engine fed through the ports), the
shop's pricing policy, and the SKU list price the catalog sets inside its own transaction.

Failure policy (spec cart-checkout §6): pricing and tax failures always stop (a price is never 0
and tax is never assumed 0); a promotion outage lets a quote continue without discounts, with a
warning, but fails a confirmation, whose discount must be final.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

import attrs
from attrs import field, frozen

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
from commerce_core.pricing.model import (
    Price,
    PriceChange,
    PricePoint,
    points_by_product,
    resolve_price,
)
from commerce_core.pricing.ports import (
    ExchangeRates,
    NoRulePolicy,
    PricingUnitOfWork,
    PromotionEvaluator,
    PromotionOutcome,
    PromotionRequest,
    PromotionSource,
    Shopper,
    TaxCalculator,
    TaxDestination,
    TaxSource,
)
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.pricing")


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


class _NoPromotions:
    """What a quote prices with while promotions cannot be read."""

    def evaluate(self, request: PromotionRequest, shopper: Shopper,
                 at: datetime) -> PromotionOutcome:
        zero = Money.zero(request.currency)
        return PromotionOutcome((), (), zero, zero)


class CartPricer:
    """Prices carts with the engine: `quote` in units of work of its own (a cart view, the price
    endpoint), `price_within` inside the caller's transaction (checkout's)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[PricingUnitOfWork],
        promotions: PromotionSource,
        taxes: TaxSource,
        rates: ExchangeRates,
        clock: Clock,
        policy: PricingPolicy | None = None,
    ) -> None:
        self._uow, self._promotions, self._taxes = uow, promotions, taxes
        self._rates, self._clock = rates, clock
        self.policy = policy or PricingPolicy()

    def quote(self, cart: PricingInput, customer: CustomerContext) -> PriceBreakdown:
        """The quote stage: tax estimated from the policy's quote destination or pending; a
        promotion outage shows no discounts, with a warning."""
        context = self.policy.context(PricingStage.QUOTE)
        at = self._clock.now()
        destination = cart.destination or context.default_destination
        with self._uow() as uow:
            # The shop's own tax rules are read with the prices, in one transaction.
            taxes = self.taxes_within(uow, destination, at) if destination else None
            prices = self._catalogue(uow, cart, at)
        if destination and taxes is None:
            taxes = self.taxes_for(destination, at)
        warnings: list[PricingWarning] = []
        promotions = self._quote_promotions(cart, customer, at, warnings)
        breakdown = self._run(cart, customer, context, at, prices, promotions, taxes)
        if warnings:
            breakdown = attrs.evolve(breakdown, warnings=(*breakdown.warnings, *warnings))
        return breakdown

    def price_within(self, uow: PricingUnitOfWork, cart: PricingInput,
                     customer: CustomerContext, *, promotions: PromotionEvaluator,
                     taxes: TaxCalculator) -> PriceBreakdown:
        """The confirm stage, inside the caller's transaction: prices and rules are read through
        `uow`; promotions were loaded in it by the caller, tax rules before it opened (so a tax
        outage stops the caller before anything is written)."""
        at = self._clock.now()
        prices = self._catalogue(uow, cart, at)
        return self._run(cart, customer, self.policy.context(PricingStage.CONFIRM), at, prices,
                         promotions, taxes)

    def taxes_for(self, destination: TaxDestination, at: datetime) -> TaxCalculator:
        """The tax rules of the destination's country, or `TaxServiceUnavailable`."""
        return self._taxes.for_country(destination.country_code, at)

    @property
    def has_local_taxes(self) -> bool:
        """Whether the tax rules live in the shop's database (read with `taxes_within`)."""
        return self._taxes.local

    def taxes_within(self, uow: PricingUnitOfWork, destination: TaxDestination,
                     at: datetime) -> TaxCalculator | None:
        """The same rules read in `uow`'s transaction when they live in the shop's database;
        None when the source is elsewhere (ask `taxes_for` before the transaction)."""
        return self._taxes.within(uow, destination.country_code, at)

    @staticmethod
    def _catalogue(uow: PricingUnitOfWork, cart: PricingInput, at: datetime) -> PriceCatalogue:
        points = uow.prices.points_for(sorted({ln.product_id for ln in cart.lines}))
        rules = [r.definition for r in uow.price_rules.live(at)]
        return PriceCatalogue(tuple(points), tuple(rules))

    def _run(self, cart: PricingInput, customer: CustomerContext, context: PricingContext,
             at: datetime, prices: PriceCatalogue, promotions: PromotionEvaluator,
             taxes: TaxCalculator | None) -> PriceBreakdown:
        return price_cart(
            cart, customer, context, at, prices=prices, promotions=promotions, taxes=taxes,
            rates=self._needed_rates(cart, prices.prices, at),
        )

    def _quote_promotions(self, cart: PricingInput, customer: CustomerContext, at: datetime,
                          warnings: list[PricingWarning]) -> PromotionEvaluator:
        try:
            return self._promotions.load(coupon_codes=cart.coupon_codes,
                                         customer_id=customer.customer_id, at=at)
        except ServiceUnavailable:
            log.warning("promotions unavailable; quoting without discounts")
            warnings.append(PricingWarning(
                "promotion.unavailable", "discounts could not be checked and are not shown"))
            return _NoPromotions()

    def _needed_rates(self, cart: PricingInput, points: Sequence[PricePoint],
                      at: datetime) -> ExchangeRateTable:
        """Rates only for lines that have no price in the cart's currency."""
        pairs: set[str] = set()
        by_product = points_by_product(points)
        for line in cart.lines:
            own = by_product.get(line.product_id, ())
            found = resolve_price(own, product_id=line.product_id, sku=line.sku,
                                  warehouse_id=line.warehouse_id, currency=cart.currency, at=at)
            if found is None:
                pairs |= {p.currency for p in own if p.currency != cart.currency}
        rates: list[ExchangeRate] = [self._rates.rate(c, cart.currency) for c in sorted(pairs)]
        return ExchangeRateTable.of(rates)


def set_list_price(uow: PricingUnitOfWork, *, product_id: str, sku: str, price: Money,
                   now: datetime, ids: IdGenerator) -> bool:
    """Make a catalog list price the SKU's regular price from now on, in the caller's
    transaction (the catalog's, so a cart can be priced as soon as the product exists, whether
    events are relayed in-process or by a worker); False when it already is.

    A price of 0 is not copied (pricing refuses a 0 base price: never sold at 0). A sale price
    the row had stays only while it is still below the new base price. Every change records
    `price.updated` with the product's next sequence number."""
    if price.amount <= 0:
        return False
    current = [p for p in uow.prices.for_key(product_id, sku, None, price.currency)
               if p.point.effective_at(now)]
    if current:
        row = current[-1]
        sale = row.point.sale_price if row.point.sale_price and row.point.sale_price < price \
            else None
        change = PriceChange(price, sale, row.point.sale_starts_at if sale else None,
                             row.point.sale_ends_at if sale else None, row.point.cost_price,
                             row.point.effective_to)
        if not row.would_change(change):
            return False
        row.change(change, sequence=uow.prices.next_sequence(product_id), now=now)
        return True
    uow.prices.add(Price.create(
        price_id=ids.new_id(), product_id=product_id, currency=price.currency,
        change=PriceChange(price), sku=sku, warehouse_id=None, effective_from=now,
        sequence=uow.prices.next_sequence(product_id), now=now,
    ))
    return True
