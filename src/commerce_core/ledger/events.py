"""Facts about stored value the ledger itself publishes (postings made for other contexts are
announced by them: gift cards, checkout, returns, loyalty)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class ValueExpired(DomainEvent):
    """What was left of a lot of `amount` units expired from the account (`kind`: points,
    gift_card, store_credit) of `owner`."""

    type = "ledger.value_expired"
    account_id: str
    kind: str
    owner: str
    amount: int
    unit: str
    occurred_at: datetime


@frozen
class ValueAdjusted(DomainEvent):
    """Staff credited (positive `amount`) or debited (negative) the account."""

    type = "ledger.value_adjusted"
    account_id: str
    kind: str
    owner: str
    amount: int
    unit: str
    reference: str
    occurred_at: datetime
