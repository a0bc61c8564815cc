"""Builders for pricing, promotion and tax tests: engine inputs with sane defaults, and a shop on
memory adapters wired the way the facade will wire it (unit of work, bus, subscribers)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from adapters.memory.base import InMemoryDatabase
from adapters.memory.clock import FrozenClock, SequentialIds
from adapters.memory.pricing import (
    FixedExchangeRates,
    InMemoryPriceCache,
)
from adapters.memory.promotion import (
    SeededCodeGenerator,
)
from adapters.memory.store import InMemoryUnitOfWork
from adapters.memory.tax import SwitchableTaxRuleSource
from commerce_core.pricing import handlers as ph
from commerce_core.pricing.currency import ExchangeRateTable
from commerce_core.pricing.engine import (
    CartLineInput,
    CustomerContext,
    PriceBreakdown,
    PriceCatalogue,
    PricingContext,
    PricingInput,
    ShippingSelection,
    price_cart,
)
from commerce_core.pricing.model import PricePoint
from commerce_core.pricing.ports import TaxDestination
from commerce_core.pricing.rules import PriceRuleDefinition
from commerce_core.pricing.services import CartPricer
from commerce_core.pricing.wiring import PricingWiring
from commerce_core.promotion.evaluation import PromotionSnapshot
from commerce_core.promotion.model import (
    CampaignDefinition,
    CampaignType,
    CouponDefinition,
    PromotionDefinition,
)
from commerce_core.promotion.services import StoredPromotions
from commerce_core.promotion.terms import Benefit
from commerce_core.promotion.values import UsageCounts
from commerce_core.promotion.wiring import PromotionWiring
from commerce_core.shared.bus import MessageBus, Subscriber
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.money import Money
from commerce_core.tax.calculation import TaxRuleSet
from commerce_core.tax.model import TaxRuleDefinition
from commerce_core.tax.services import StoredTaxRules, TaxRates
from commerce_core.tax.wiring import TaxWiring
from tests.shop import every_event

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
VN = TaxDestination("VN", "HCM", "700000")
_ids = itertools.count(1)


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def _next(prefix: str) -> str:
    return f"{prefix}-{next(_ids):06d}"


def _created() -> datetime:
    """Strictly increasing creation times, so creation order is the call order."""
    return NOW - timedelta(days=30) + timedelta(microseconds=next(_ids))


# -- engine inputs ---------------------------------------------------------------------------------

def price(product_id: str, amount: Money | int, *, sku: str | None = None,
          warehouse_id: str | None = None, sale: Money | int | None = None,
          **fields: Any) -> PricePoint:
    base = amount if isinstance(amount, Money) else vnd(amount)
    sale_price = sale if isinstance(sale, Money) or sale is None else vnd(sale)
    defaults: dict[str, Any] = {
        "price_id": _next("price"), "effective_from": NOW - timedelta(days=10),
        "created_at": _created(),
    }
    return PricePoint(product_id=product_id, currency=base.currency, base_price=base,
                      sku=sku, warehouse_id=warehouse_id, sale_price=sale_price,
                      **{**defaults, **fields})


def line(product_id: str, quantity: int = 1, *, line_id: str | None = None,
         **fields: Any) -> CartLineInput:
    return CartLineInput(line_id=line_id or f"line-{product_id}", product_id=product_id,
                         quantity=quantity, **fields)


def promotion(name: str, benefit: Benefit, **fields: Any) -> PromotionDefinition:
    return PromotionDefinition(promotion_id=fields.pop("promotion_id", _next("promo")),
                               name=name, benefit=benefit, created_at=_created(), **fields)


def campaign(name: str = "Spring", **fields: Any) -> CampaignDefinition:
    return CampaignDefinition(
        campaign_id=fields.pop("campaign_id", _next("campaign")), name=name,
        campaign_type=fields.pop("campaign_type", CampaignType.SEASONAL),
        starts_at=fields.pop("starts_at", NOW - timedelta(days=1)), created_at=_created(),
        **fields,
    )


def coupon(code: str, promotion_id: str, **fields: Any) -> CouponDefinition:
    return CouponDefinition(coupon_id=fields.pop("coupon_id", _next("coupon")),
                            promotion_id=promotion_id, code=code, created_at=_created(), **fields)


def tax_rule(rate: str | int, *, name: str | None = None, tax_type: str = "VAT",
             country_code: str = "VN", **fields: Any) -> TaxRuleDefinition:
    return TaxRuleDefinition(rule_id=fields.pop("rule_id", _next("tax")),
                             name=name or f"{tax_type} {rate}%", country_code=country_code,
                             tax_type=tax_type, rate=Decimal(rate), created_at=_created(),
                             **fields)


def quote(
    lines: Sequence[CartLineInput],
    *,
    prices: Iterable[PricePoint] = (),
    rules: Iterable[PriceRuleDefinition] = (),
    promotions: Iterable[PromotionDefinition] = (),
    campaigns: Iterable[CampaignDefinition] = (),
    coupons: Iterable[CouponDefinition] = (),
    usage: UsageCounts | None = None,
    codes: Sequence[str] = (),
    tax_rules: Iterable[TaxRuleDefinition] = (),
    destination: TaxDestination | None = VN,
    shipping: ShippingSelection | None = None,
    customer: CustomerContext | None = None,
    context: PricingContext | None = None,
    rates: ExchangeRateTable | None = None,
    currency: str = "VND",
    at: datetime = NOW,
) -> PriceBreakdown:
    return price_cart(
        PricingInput(currency, tuple(lines), tuple(codes), shipping, destination),
        customer or CustomerContext(customer_id="cust-1"), context or PricingContext(), at,
        prices=PriceCatalogue(tuple(prices), tuple(rules)),
        promotions=PromotionSnapshot(tuple(promotions), tuple(campaigns), tuple(coupons),
                                     usage or UsageCounts()),
        taxes=TaxRuleSet(tuple(tax_rules)), rates=rates or ExchangeRateTable(),
    )


# -- a shop on memory adapters ---------------------------------------------------------------------

class PricingUnitOfWork(InMemoryUnitOfWork):
    """The memory unit of work, which carries every pricing, promotion and tax repository."""


@attrs.define
class Shop:
    db: InMemoryDatabase
    clock: FrozenClock
    ids: SequentialIds
    bus: MessageBus
    rates: FixedExchangeRates
    cache: InMemoryPriceCache
    tax: SwitchableTaxRuleSource
    pricing: CartPricer

    def uow(self) -> PricingUnitOfWork:
        return PricingUnitOfWork(self.db, self.clock, self.ids)

    def handle(self, command: Any) -> Any:
        return self.bus.handle(command)

    def outbox_types(self) -> list[str]:
        with self.uow() as uow:
            return [e.type for e in every_event(uow)]

    def deliver(self, event_type: str, **payload: Any) -> None:
        """Deliver an event from another context (an order's), as the worker would."""
        envelope = EventEnvelope(self.ids.new_id(), event_type, 1, self.clock.now(), "order",
                                 payload)
        failures = self.bus.deliver(envelope)
        assert not failures, failures


def make_shop() -> Shop:
    clock, ids, db = FrozenClock(NOW), SequentialIds(), InMemoryDatabase()
    cache, rates = InMemoryPriceCache(), FixedExchangeRates()

    def uow() -> Any:  # satisfies every context's unit of work, like the store's
        return PricingUnitOfWork(db, clock, ids)

    bus = MessageBus(uow, clock, ids)
    handlers: dict[type[Any], Callable[[Any], Any]] = {
        **PricingWiring(uow, clock, ids).handlers(),
        **PromotionWiring(uow, clock, ids, SeededCodeGenerator()).handlers(),
        **TaxWiring(uow, clock, ids).handlers(),
    }
    for command_type, handler in handlers.items():
        bus.register(command_type, handler)
    subscribers = [
        *PromotionWiring(uow, clock, ids).subscribers(),
        *(Subscriber.of(ph.InvalidatePriceCache(cache, t))
          for t in ("price.updated", "price.deleted", "promotion.deactivated")),
    ]
    for subscriber in subscribers:
        bus.subscribe(subscriber)
    tax = SwitchableTaxRuleSource(StoredTaxRules(uow))
    pricing = CartPricer(uow, StoredPromotions(uow), TaxRates(tax), rates, clock)
    return Shop(db, clock, ids, bus, rates, cache, tax, pricing)
