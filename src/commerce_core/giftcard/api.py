"""`commerce.giftcards`: issue, look up, bind and disable gift cards; customers' store credit."""

from __future__ import annotations

import builtins
from datetime import datetime

from commerce_core.giftcard.commands import (
    BindGiftCard,
    DisableGiftCard,
    GrantStoreCredit,
    IssueGiftCard,
)
from commerce_core.giftcard.errors import GiftCardNotFound
from commerce_core.giftcard.handlers import view
from commerce_core.giftcard.model import normalise_code
from commerce_core.giftcard.ports import GiftCardSettings, GiftCardUnitOfWork
from commerce_core.giftcard.queries import GiftCardView, IssuedGiftCard, StoreCreditView
from commerce_core.ledger.ports import AccountKind
from commerce_core.shared.bus import Handle
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory


class GiftCardsApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[GiftCardUnitOfWork],
                 settings: GiftCardSettings) -> None:
        self._handle, self._read, self._settings = handle, read, settings

    def issue(self, value: Money, *, customer_id: str | None = None,
              expires_at: datetime | None = None, note: str = "",
              issued_by: str = "staff") -> IssuedGiftCard:
        """A new card; the result carries its code, shown this once and stored nowhere."""
        result: IssuedGiftCard = self._handle(IssueGiftCard(value, customer_id, expires_at,
                                                            note, issued_by))
        return result

    def bind(self, customer_id: str, code: str) -> GiftCardView:
        result: GiftCardView = self._handle(BindGiftCard(customer_id, code))
        return result

    def disable(self, card_id: str, reason: str = "disabled by staff") -> GiftCardView:
        result: GiftCardView = self._handle(DisableGiftCard(card_id, reason))
        return result

    def grant_store_credit(self, customer_id: str, amount: Money, reference: str,
                           reason: str = "goodwill") -> str:
        """Credit the customer's store credit; returns its account id."""
        result: str = self._handle(GrantStoreCredit(customer_id, amount, reference, reason))
        return result

    def get(self, card_id: str) -> GiftCardView:
        with self._read() as uow:
            return view(uow, uow.gift_cards.get(card_id))

    def balance(self, code: str) -> GiftCardView:
        """The card with this code (the balance lookup; rate limited at the edges)."""
        normalise_code(code)
        with self._read() as uow:
            card = uow.gift_cards.by_digest(self._settings.digest(code))
            if card is None:
                raise GiftCardNotFound("no gift card has this code")
            return view(uow, card)

    def by_last4(self, last4: str) -> builtins.list[GiftCardView]:
        with self._read() as uow:
            return [view(uow, card) for card in uow.gift_cards.by_last4(last4.upper())]

    def of_customer(self, customer_id: str) -> builtins.list[GiftCardView]:
        with self._read() as uow:
            return [view(uow, card) for card in uow.gift_cards.of_customer(customer_id)]

    def store_credit(self, customer_id: str, currency: str) -> StoreCreditView:
        with self._read() as uow:
            found = uow.value_ledger.find(AccountKind.STORE_CREDIT, customer_id, currency)
            if not found:
                zero = Money(0, currency)
                return StoreCreditView(customer_id, None, zero, zero)
            account = found[0]
            return StoreCreditView(customer_id, account.id, Money(account.balance, currency),
                                   Money(account.available, currency))

