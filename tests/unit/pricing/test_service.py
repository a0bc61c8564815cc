"""The cart pricer: loading through ports, and the failure policy of spec cart-checkout §6."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.currency import ExchangeRate
from commerce_core.pricing.engine import CartLineInput, CustomerContext, PricingInput
from commerce_core.pricing.ports import PromotionEvaluator
from commerce_core.pricing.services import CartPricer
from commerce_core.promotion.commands import CreatePromotion
from commerce_core.promotion.model import Promotion
from commerce_core.promotion.terms import FixedAmountOff
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.money import Money
from commerce_core.tax.services import TaxRates
from tests.shop import MUG, assert_nothing_leaked, cart_with, make_commerce, stock_shop
from tests.unit.pricing.support import NOW, Shop, make_shop, vnd

CHAIR = "prod-chair"
CART = PricingInput("VND", (CartLineInput("l1", CHAIR, 1),))


class _PromotionsDown:
    """A promotion source that times out."""

    def load(self, *, coupon_codes: Sequence[str], customer_id: str | None,
             at: datetime) -> PromotionEvaluator:
        raise ServiceUnavailable("the promotion store timed out")


def without_promotions(shop: Shop) -> CartPricer:
    return CartPricer(shop.uow, _PromotionsDown(), TaxRates(shop.tax), shop.rates, shop.clock)


def priced_shop() -> Shop:
    shop = make_shop()
    shop.handle(CreatePrice(CHAIR, vnd(900_000)))
    shop.handle(CreatePromotion("100k off", FixedAmountOff(vnd(100_000))))
    return shop


def test_a_quote_goes_on_without_discounts_when_promotions_are_down() -> None:
    pricer = without_promotions(priced_shop())

    breakdown = pricer.quote(CART, CustomerContext("alice"))

    assert breakdown.totals.total == vnd(900_000)
    assert "promotion.unavailable" in [w.code for w in breakdown.warnings]


class _PromotionStoreDown:
    def live(self, at: datetime) -> list[Promotion]:
        raise ServiceUnavailable("the promotion store timed out")


class _PromotionsFailing:
    """A unit of work whose promotion repository times out while `down` is set."""

    down = False

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def promotions(self) -> Any:
        return _PromotionStoreDown() if self.down else self._inner.promotions

    def __enter__(self) -> _PromotionsFailing:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)


def test_a_checkout_fails_and_takes_nothing_when_promotions_are_down() -> None:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    inner = ports.uow
    commerce = make_commerce(attrs.evolve(ports, uow=lambda: _PromotionsFailing(inner())))
    stock_shop(commerce)
    cart_id = cart_with(commerce, (MUG, 1))

    _PromotionsFailing.down = True
    try:
        with pytest.raises(ServiceUnavailable):
            commerce.checkout.place_order(cart_id)
    finally:
        _PromotionsFailing.down = False

    assert commerce.orders.list() == []
    assert_nothing_leaked(commerce)


def test_the_pricer_prices_with_what_is_stored() -> None:
    shop = priced_shop()

    assert shop.pricing.quote(CART, CustomerContext("alice")).totals.total == vnd(800_000)


def test_exchange_rates_are_asked_for_only_when_a_line_needs_one() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(CHAIR, vnd(900_000)))
    shop.handle(CreatePrice("prod-desk", Money(4_500, "USD")))
    shop.rates.set(ExchangeRate("VND", "USD", Decimal("0.00004"), NOW - timedelta(minutes=5)))
    cart = PricingInput("USD", (CartLineInput("l1", CHAIR, 1), CartLineInput("l2", "prod-desk", 1)))

    breakdown = shop.pricing.quote(cart, CustomerContext("alice"))

    assert shop.rates.calls == [("VND", "USD")]
    assert breakdown.totals.subtotal == Money(3_600 + 4_500, "USD")
