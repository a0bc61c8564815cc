"""Shipping rates' handlers, built from what the composition root gives them."""

from __future__ import annotations

from commerce_core.payment.ports import BreakerStore
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shipping import rate_commands as rc
from commerce_core.shipping.ports import Carriers, CartGoods, ShippingRateCache
from commerce_core.shipping.rate_handlers import MethodHandlers, QuoteHandlers, Uow
from commerce_core.shipping.rates import RateEngine, RatesPolicy


class RatesWiring:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator, *, carriers: Carriers | None,
                 cache: ShippingRateCache | None, breakers: BreakerStore | None,
                 goods: CartGoods, policy: RatesPolicy | None = None) -> None:
        self.engine = RateEngine(carriers, cache, breakers, clock, policy)
        self._methods = MethodHandlers(uow, clock, ids, cache)
        self._quotes = QuoteHandlers(uow, clock, ids, self.engine, goods)

    def handlers(self) -> Handlers:
        m, q = self._methods, self._quotes
        return {
            rc.CreateShippingMethod: m.create,
            rc.ChangeShippingMethod: m.change,
            rc.EnableShippingMethod: m.enable,
            rc.DisableShippingMethod: m.disable,
            rc.QuoteShipping: q.quote,
            rc.SelectShippingQuote: q.select,
        }

    def subscribers(self) -> list[Subscriber]:
        return []
