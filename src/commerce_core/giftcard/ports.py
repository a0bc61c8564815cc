"""What gift cards consume: storage of cards (their value is in the ledger) and the shop's
settings for codes and store credit."""

from __future__ import annotations

import random
from typing import Protocol

from attrs import field, frozen

from commerce_core.giftcard.model import GiftCard, GiftCardStatus, digest
from commerce_core.ledger.ports import LedgerUnitOfWork
from commerce_core.shared.uow import UnitOfWork

__all__ = [
    "GiftCard",
    "GiftCardRepository",
    "GiftCardSettings",
    "GiftCardStatus",
    "GiftCardUnitOfWork",
]


@frozen
class GiftCardSettings:
    """`pepper`: the secret key codes are digested under (HMAC-SHA256); changing it makes
    every issued code unknown. `store_credit_days`: how long store credit lasts (returns spec:
    365 days). `rng` only in tests: codes otherwise come from the system's cryptographic
    source."""

    pepper: bytes = field(default=b"", repr=False)
    store_credit_days: int = 365
    rng: random.Random | None = None

    def digest(self, code: str) -> str:
        return digest(code, self.pepper)


class GiftCardRepository(Protocol):
    def add(self, card: GiftCard) -> None:
        """A second card with the same code digest raises `ConcurrencyConflict` on commit."""
        ...

    def get(self, card_id: str) -> GiftCard:
        """The card, or `GiftCardNotFound`."""
        ...

    def by_digest(self, code_digest: str) -> GiftCard | None: ...

    def of_customer(self, customer_id: str) -> list[GiftCard]:
        """The customer's bound cards, oldest first."""
        ...

    def by_last4(self, last4: str, limit: int = 50) -> list[GiftCard]:
        """Cards whose code ends so (staff looking one up), newest first."""
        ...


class GiftCardUnitOfWork(LedgerUnitOfWork, UnitOfWork, Protocol):
    @property
    def gift_cards(self) -> GiftCardRepository: ...
