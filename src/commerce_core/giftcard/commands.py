"""Gift card commands."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class IssueGiftCard:
    """Issue a card worth `value`; its code is in the result, this once. Bound to
    `customer_id` when given."""

    value: Money
    customer_id: str | None = None
    expires_at: datetime | None = None
    note: str = ""
    issued_by: str = "staff"


@frozen
class BindGiftCard:
    """The customer adds a card to their account by its code (named so the audit trail
    redacts it)."""

    customer_id: str
    gift_card_code: str


@frozen
class DisableGiftCard:
    card_id: str
    reason: str = "disabled by staff"


@frozen
class GrantStoreCredit:
    """Credit the customer's store credit account (expiring after the shop's days); once per
    `reference`."""

    customer_id: str
    amount: Money
    reference: str
    reason: str = "goodwill"
