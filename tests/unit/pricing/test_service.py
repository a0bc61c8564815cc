"""The pricing service: loading through ports, and the failure policy of spec cart-checkout §6."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters.memory.store import InMemoryDatabase
from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.currency import ExchangeRate
from commerce_core.pricing.engine import (
    CartLineInput,
    CustomerContext,
    PricingContext,
    PricingInput,
    PricingStage,
)
from commerce_core.pricing.service import CartPricingService
from commerce_core.promotion.commands import CreatePromotion
from commerce_core.promotion.model import Promotion
from commerce_core.promotion.terms import FixedAmountOff
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from tests.unit.pricing.support import NOW, PricingUnitOfWork, Shop, make_shop, vnd

CHAIR = "prod-chair"
CART = PricingInput("VND", (CartLineInput("l1", CHAIR, 1),))


class _PromotionsDown:
    def live(self, at: datetime) -> list[Promotion]:
        raise ServiceUnavailable("the promotion store timed out")


def without_promotions(shop: Shop) -> CartPricingService:
    class Broken(PricingUnitOfWork):
        def __init__(self, db: InMemoryDatabase, clock: Clock, ids: IdGenerator) -> None:
            super().__init__(db, clock, ids)
            self.promotions = _PromotionsDown()  # type: ignore[assignment]

    def uow() -> Any:
        return Broken(shop.db, shop.clock, shop.ids)

    return CartPricingService(uow, shop.tax, shop.rates, shop.clock)


def priced_shop() -> Shop:
    shop = make_shop()
    shop.handle(CreatePrice(CHAIR, vnd(900_000)))
    shop.handle(CreatePromotion("100k off", FixedAmountOff(vnd(100_000))))
    return shop


def test_a_quote_goes_on_without_discounts_when_promotions_are_down() -> None:
    service = without_promotions(priced_shop())

    breakdown = service.price(CART, CustomerContext("alice"))

    assert breakdown.totals.total == vnd(900_000)
    assert "promotion.unavailable" in [w.code for w in breakdown.warnings]


def test_a_confirmation_fails_when_promotions_are_down() -> None:
    service = without_promotions(priced_shop())

    with pytest.raises(ServiceUnavailable):
        service.price(CART, CustomerContext("alice"), PricingContext(PricingStage.CONFIRM))


def test_the_service_prices_with_what_is_stored() -> None:
    shop = priced_shop()

    assert shop.pricing.price(CART, CustomerContext("alice")).totals.total == vnd(800_000)


def test_exchange_rates_are_asked_for_only_when_a_line_needs_one() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(CHAIR, vnd(900_000)))
    shop.handle(CreatePrice("prod-desk", Money(4_500, "USD")))
    shop.rates.set(ExchangeRate("VND", "USD", Decimal("0.00004"), NOW - timedelta(minutes=5)))
    cart = PricingInput("USD", (CartLineInput("l1", CHAIR, 1), CartLineInput("l2", "prod-desk", 1)))

    breakdown = shop.pricing.price(cart, CustomerContext("alice"))

    assert shop.rates.calls == [("VND", "USD")]
    assert breakdown.totals.subtotal == Money(3_600 + 4_500, "USD")
