"""Gift card errors."""

from __future__ import annotations

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound


class InvalidGiftCard(InvalidInput):
    """A malformed code, a non-positive value, an expiry in the past."""

    code = "giftcard.invalid"


class GiftCardNotFound(NotFound):
    """No card has this code (or id); the message never says which part was wrong."""

    code = "giftcard.not_found"


class GiftCardUnusable(Conflict):
    """The card is disabled, expired, or bound to another customer."""

    code = "giftcard.unusable"
