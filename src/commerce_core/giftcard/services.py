"""What other contexts call inside their own transaction: a card's ledger account from its code
(checkout), a customer's store credit account and credit (returns), where a refunded card's
value goes back to."""

from __future__ import annotations

from datetime import datetime, timedelta

from commerce_core.giftcard.errors import GiftCardNotFound
from commerce_core.giftcard.events import StoreCreditGranted
from commerce_core.giftcard.model import GiftCardStatus
from commerce_core.giftcard.ports import GiftCardSettings, GiftCardUnitOfWork
from commerce_core.ledger import services as ledger
from commerce_core.ledger.ports import Account, AccountKind, Posting
from commerce_core.shared.money import Money

__all__ = ["card_account", "grant_store_credit", "restore_account", "store_credit_account"]


def card_account(uow: GiftCardUnitOfWork, settings: GiftCardSettings, code: str,
                 customer_id: str | None, *, now: datetime) -> Account:
    """The ledger account of the card with this code, if this customer (None: a guest) may
    pay with it; `GiftCardNotFound` or `GiftCardUnusable` otherwise."""
    card = uow.gift_cards.by_digest(settings.digest(code))
    if card is None:
        raise GiftCardNotFound("no gift card has this code")
    card.usable_by(customer_id, now=now)
    return ledger.get_account(uow, card.account_id)


def store_credit_account(uow: GiftCardUnitOfWork, customer_id: str, currency: str) -> Account:
    """The customer's store credit account in this currency, opened empty on first use."""
    return ledger.open_account(uow, AccountKind.STORE_CREDIT, customer_id, currency)


def grant_store_credit(uow: GiftCardUnitOfWork, settings: GiftCardSettings, customer_id: str,
                       amount: Money, *, reason: str, reference: str,
                       now: datetime) -> Posting:
    """Credit store credit expiring after the shop's days; once per (reason, reference)."""
    account = store_credit_account(uow, customer_id, amount.currency)
    expires_at = now + timedelta(days=settings.store_credit_days)
    posting = ledger.credit(uow, account.id, amount.amount, source=reason,
                            source_id=reference, expires_at=expires_at, counter="issued",
                            memo=reason)
    if not posting.replayed:
        uow.record(StoreCreditGranted(customer_id, account.id, amount, reason, reference,
                                      expires_at, now))
    return posting


def restore_account(uow: GiftCardUnitOfWork, settings: GiftCardSettings, account_id: str,
                    customer_id: str | None, *,
                    now: datetime) -> tuple[str, datetime | None]:
    """Where value refunded to a gift card or store credit account goes back, with its expiry:
    a card that can still pay gets it back on the card; a disabled or expired card's value
    becomes the customer's store credit (a guest's goes back on the card, lasting the store
    credit's days); store credit comes back as store credit, lasting the store credit's days."""
    account = ledger.get_account(uow, account_id)
    credit_expiry = now + timedelta(days=settings.store_credit_days)
    if account.kind is AccountKind.GIFT_CARD:
        card = uow.gift_cards.get(account.owner)
        if card.status is GiftCardStatus.ACTIVE and not card.expired(now):
            return account.id, card.expires_at
        if customer_id is None:
            return account.id, credit_expiry
        return store_credit_account(uow, customer_id, account.unit).id, credit_expiry
    return account.id, credit_expiry

