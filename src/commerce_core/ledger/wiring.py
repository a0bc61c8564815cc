"""The ledger's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.ledger.commands import AdjustValue, ExpireDueValue
from commerce_core.ledger.handlers import AdjustValueHandler, ExpireDueValueHandler
from commerce_core.ledger.ports import LedgerUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.uow import UnitOfWorkFactory


class LedgerWiring:
    def __init__(self, uow: UnitOfWorkFactory[LedgerUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def handlers(self) -> Handlers:
        return {
            ExpireDueValue: ExpireDueValueHandler(self._uow, self._clock),
            AdjustValue: AdjustValueHandler(self._uow, self._clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
