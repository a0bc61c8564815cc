"""Gift cards in memory."""

from __future__ import annotations

from adapters.memory.base import _Repository
from commerce_core.giftcard.errors import GiftCardNotFound
from commerce_core.giftcard.model import GiftCard
from commerce_core.shared.errors import ConcurrencyConflict


class InMemoryGiftCardRepository(_Repository):
    kind = "gift_card"
    not_found = GiftCardNotFound
    unique = (("code", lambda c: [c.code_digest], ConcurrencyConflict),)
    indexed = (("customer", lambda c: [c.customer_id] if c.customer_id else []),
               ("last4", lambda c: [c.last4]))

    def by_digest(self, code_digest: str) -> GiftCard | None:
        rows = self._by("code", code_digest)
        found: GiftCard | None = self._load(rows[0]) if rows else None
        return found

    def of_customer(self, customer_id: str) -> list[GiftCard]:
        rows = sorted(self._by("customer", customer_id), key=lambda c: (c.issued_at, c.id))
        return [self._load(c) for c in rows]

    def by_last4(self, last4: str, limit: int = 50) -> list[GiftCard]:
        rows = sorted(self._by("last4", last4), key=lambda c: (c.issued_at, c.id),
                      reverse=True)
        return [self._load(c) for c in rows[:limit]]
