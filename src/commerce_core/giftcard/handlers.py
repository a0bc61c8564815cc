"""Gift card use cases: issue, bind, disable, grant store credit."""

from __future__ import annotations

from commerce_core.giftcard import services
from commerce_core.giftcard.commands import (
    BindGiftCard,
    DisableGiftCard,
    GrantStoreCredit,
    IssueGiftCard,
)
from commerce_core.giftcard.errors import GiftCardNotFound, InvalidGiftCard
from commerce_core.giftcard.model import GiftCard, display, new_code
from commerce_core.giftcard.ports import GiftCardSettings, GiftCardUnitOfWork
from commerce_core.giftcard.queries import GiftCardView, IssuedGiftCard
from commerce_core.ledger import services as ledger
from commerce_core.ledger.ports import AccountKind
from commerce_core.ledger.services import check_unit
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory


def view(uow: GiftCardUnitOfWork, card: GiftCard) -> GiftCardView:
    account = ledger.get_account(uow, card.account_id)
    return GiftCardView(card.id, card.last4, card.status.value,
                        Money(account.balance, card.currency),
                        Money(account.available, card.currency),
                        Money(card.initial_value, card.currency), card.customer_id,
                        card.expires_at, card.issued_at, card.account_id)


class _Handler:
    def __init__(self, uow: UnitOfWorkFactory[GiftCardUnitOfWork], settings: GiftCardSettings,
                 clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._settings, self._clock, self._ids = uow, settings, clock, ids


class IssueGiftCardHandler(_Handler):
    def __call__(self, cmd: IssueGiftCard) -> IssuedGiftCard:
        check_unit(cmd.value.currency)
        now = self._clock.now()
        code = new_code(self._settings.rng)
        card_id = self._ids.new_id()
        with self._uow() as uow:
            account = ledger.open_account(uow, AccountKind.GIFT_CARD, card_id,
                                          cmd.value.currency)
            card = GiftCard.issue(card_id=card_id, code=code, pepper=self._settings.pepper,
                                  value=cmd.value, account_id=account.id,
                                  customer_id=cmd.customer_id, expires_at=cmd.expires_at,
                                  issued_by=cmd.issued_by, note=cmd.note, now=now)
            ledger.credit(uow, account.id, cmd.value.amount, source="gift_card_issue",
                          source_id=card_id, expires_at=cmd.expires_at, memo=cmd.note)
            uow.gift_cards.add(card)
            uow.commit()
            return IssuedGiftCard(view(uow, card), display(code))


class BindGiftCardHandler(_Handler):
    def __call__(self, cmd: BindGiftCard) -> GiftCardView:
        with self._uow() as uow:
            card = uow.gift_cards.by_digest(self._settings.digest(cmd.gift_card_code))
            if card is None:
                raise GiftCardNotFound("no gift card has this code")
            card.bind(cmd.customer_id, now=self._clock.now())
            uow.commit()
            return view(uow, card)


class DisableGiftCardHandler(_Handler):
    def __call__(self, cmd: DisableGiftCard) -> GiftCardView:
        with self._uow() as uow:
            card = uow.gift_cards.get(cmd.card_id)
            card.disable(cmd.reason, now=self._clock.now())
            uow.commit()
            return view(uow, card)


class GrantStoreCreditHandler(_Handler):
    def __call__(self, cmd: GrantStoreCredit) -> str:
        if cmd.amount.amount <= 0:
            raise InvalidGiftCard("store credit is granted in a positive amount")
        with self._uow() as uow:
            services.grant_store_credit(uow, self._settings, cmd.customer_id, cmd.amount,
                                        reason=cmd.reason, reference=cmd.reference,
                                        now=self._clock.now())
            account = services.store_credit_account(uow, cmd.customer_id, cmd.amount.currency)
            uow.commit()
        return account.id
