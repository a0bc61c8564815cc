"""Facts about gift cards and store credit (never a card's code)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class GiftCardIssued(DomainEvent):
    type = "giftcard.issued"
    card_id: str
    last4: str
    value: Money
    customer_id: str | None
    expires_at: datetime | None
    occurred_at: datetime


@frozen
class GiftCardBound(DomainEvent):
    """The card now belongs to the customer: only they may pay with it."""

    type = "giftcard.bound"
    card_id: str
    customer_id: str
    occurred_at: datetime


@frozen
class GiftCardDisabled(DomainEvent):
    type = "giftcard.disabled"
    card_id: str
    reason: str
    occurred_at: datetime


@frozen
class StoreCreditGranted(DomainEvent):
    """Store credit added to a customer's account (a refund as store credit, a goodwill
    gesture), expiring at `expires_at`."""

    type = "giftcard.store_credit_granted"
    customer_id: str
    account_id: str
    amount: Money
    reason: str
    reference: str
    expires_at: datetime | None
    occurred_at: datetime
