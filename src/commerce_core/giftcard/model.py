"""A gift card: a code (kept as a digest), the ledger account holding its value, the customer
it may be bound to, and whether it can still pay."""

from __future__ import annotations

import enum
import hashlib
import hmac
import random
import secrets
from datetime import datetime

from attrs import define, field

from commerce_core.giftcard.errors import GiftCardUnusable, InvalidGiftCard
from commerce_core.giftcard.events import GiftCardBound, GiftCardDisabled, GiftCardIssued
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money

# No 0/O, 1/I/L: read aloud or typed from a printed card without ambiguity.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 16 characters of 31: about 79 bits


class GiftCardStatus(enum.StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


def normalise_code(raw: str) -> str:
    """What the shopper typed, as the code: case, spaces and dashes do not matter."""
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise InvalidGiftCard("a gift card code is 16 letters and digits")
    return code


def new_code(rng: random.Random | None = None) -> str:
    """A fresh code; `rng` only in tests (the default is the system's cryptographic source)."""
    pick = rng.choice if rng is not None else secrets.choice
    return "".join(pick(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """The code in groups of four, as printed: `ABCD-EFGH-JKMN-PQRS`."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def digest(code: str, pepper: bytes) -> str:
    """What is stored of a code: HMAC-SHA256 under the shop's pepper (a secret kept out of the
    database), so a copy of the database alone cannot be searched for codes."""
    return hmac.new(pepper, normalise_code(code).encode(), hashlib.sha256).hexdigest()


@define(eq=False)
class GiftCard:
    id: str
    code_digest: str
    last4: str
    currency: str
    initial_value: int
    account_id: str
    customer_id: str | None
    status: GiftCardStatus
    issued_at: datetime
    expires_at: datetime | None
    issued_by: str
    note: str = ""
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def issue(cls, *, card_id: str, code: str, pepper: bytes, value: Money, account_id: str,
              customer_id: str | None, expires_at: datetime | None, issued_by: str,
              note: str, now: datetime) -> GiftCard:
        if value.amount <= 0:
            raise InvalidGiftCard("a gift card is issued with a positive value")
        if expires_at is not None and expires_at <= now:
            raise InvalidGiftCard("a gift card cannot expire before it is issued")
        card = cls(card_id, digest(code, pepper), code[-4:], value.currency, value.amount,
                   account_id, customer_id, GiftCardStatus.ACTIVE, now, expires_at, issued_by,
                   note)
        card.events.append(GiftCardIssued(card_id, card.last4, value, customer_id, expires_at,
                                          now))
        return card

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def usable_by(self, customer_id: str | None, *, now: datetime) -> None:
        """Refuses a disabled or expired card, and a card bound to someone else."""
        if self.status is GiftCardStatus.DISABLED:
            raise GiftCardUnusable("this gift card is disabled", card_id=self.id)
        if self.expired(now):
            raise GiftCardUnusable("this gift card has expired", card_id=self.id)
        if self.customer_id is not None and self.customer_id != customer_id:
            raise GiftCardUnusable("this gift card belongs to another customer",
                                   card_id=self.id)

    def bind(self, customer_id: str, *, now: datetime) -> None:
        """The customer keeps the card in their account; idempotent for them."""
        self.usable_by(customer_id, now=now)
        if self.customer_id == customer_id:
            return
        self.customer_id = customer_id
        self.events.append(GiftCardBound(self.id, customer_id, now))

    def disable(self, reason: str, *, now: datetime) -> None:
        if self.status is GiftCardStatus.DISABLED:
            return
        self.status = GiftCardStatus.DISABLED
        self.events.append(GiftCardDisabled(self.id, reason, now))
