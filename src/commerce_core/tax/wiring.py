"""Tax's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax import commands as tc
from commerce_core.tax import handlers as th
from commerce_core.tax.ports import TaxUnitOfWork


class TaxWiring:
    def __init__(self, uow: UnitOfWorkFactory[TaxUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def handlers(self) -> Handlers:
        uow, clock, ids = self._uow, self._clock, self._ids
        return {
            tc.CreateTaxRule: th.CreateTaxRuleHandler(uow, clock, ids),
            tc.ChangeTaxRate: th.ChangeTaxRateHandler(uow, clock),
            tc.DeactivateTaxRule: th.DeactivateTaxRuleHandler(uow, clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
