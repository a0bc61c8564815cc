"""What gift card reads return."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class GiftCardView:
    """A card as its holder or staff see it: never its code, only the last four characters."""

    id: str
    last4: str
    status: str
    balance: Money
    available: Money
    initial_value: Money
    customer_id: str | None
    expires_at: datetime | None
    issued_at: datetime
    account_id: str


@frozen
class IssuedGiftCard:
    """A new card and its code in clear: shown this once, stored nowhere."""

    card: GiftCardView
    code: str


@frozen
class StoreCreditView:
    customer_id: str
    account_id: str | None
    balance: Money
    available: Money
