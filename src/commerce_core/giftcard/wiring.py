"""Gift cards' handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.giftcard.commands import (
    BindGiftCard,
    DisableGiftCard,
    GrantStoreCredit,
    IssueGiftCard,
)
from commerce_core.giftcard.handlers import (
    BindGiftCardHandler,
    DisableGiftCardHandler,
    GrantStoreCreditHandler,
    IssueGiftCardHandler,
)
from commerce_core.giftcard.ports import GiftCardSettings, GiftCardUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class GiftCardWiring:
    def __init__(self, uow: UnitOfWorkFactory[GiftCardUnitOfWork], settings: GiftCardSettings,
                 clock: Clock, ids: IdGenerator) -> None:
        self._args = (uow, settings, clock, ids)

    def handlers(self) -> Handlers:
        return {
            IssueGiftCard: IssueGiftCardHandler(*self._args),
            BindGiftCard: BindGiftCardHandler(*self._args),
            DisableGiftCard: DisableGiftCardHandler(*self._args),
            GrantStoreCredit: GrantStoreCreditHandler(*self._args),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
