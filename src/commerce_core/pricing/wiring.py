"""Pricing's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.pricing import commands as pc
from commerce_core.pricing import handlers as ph
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class PricingWiring:
    def __init__(self, uow: UnitOfWorkFactory[PricingUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def handlers(self) -> Handlers:
        uow, clock, ids = self._uow, self._clock, self._ids
        return {
            pc.CreatePrice: ph.CreatePriceHandler(uow, clock, ids),
            pc.UpdatePrice: ph.UpdatePriceHandler(uow, clock),
            pc.DeactivatePrice: ph.DeactivatePriceHandler(uow, clock),
            pc.BulkUpdatePrices: ph.BulkUpdatePricesHandler(uow, clock, ids),
            pc.CreatePriceRule: ph.CreatePriceRuleHandler(uow, clock, ids),
            pc.DeactivatePriceRule: ph.DeactivatePriceRuleHandler(uow, clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
