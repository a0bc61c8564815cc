"""Shipping methods, issued quotes and the cache of carriers' rate answers, in memory."""

from __future__ import annotations

import threading
from datetime import timedelta

from adapters.memory.base import _Repository
from commerce_core.shared.clock import Clock
from commerce_core.shipping.methods import IssuedQuote, ShippingMethod
from commerce_core.shipping.ports import CarrierQuote
from commerce_core.shipping.rate_errors import (
    DuplicateShippingMethod,
    ShippingMethodNotFound,
    ShippingQuoteNotFound,
)


class InMemoryShippingMethodRepository(_Repository):
    kind = "shipping_method"
    not_found = ShippingMethodNotFound
    unique = (("shipping method code", lambda m: [m.code], DuplicateShippingMethod),)

    def by_code(self, code: str) -> ShippingMethod | None:
        ids = self._index("shipping method code").get(code, set())
        row = next((self._rows[i] for i in ids), None)
        return self._load(row) if row is not None else None

    def list(self) -> list[ShippingMethod]:
        rows = sorted(self._all(), key=lambda m: (m.spec.display_order, m.code))
        return [self._load(r) for r in rows]


class InMemoryShippingQuoteRepository(_Repository):
    kind = "shipping_quote"
    not_found = ShippingQuoteNotFound
    indexed = (("cart", lambda q: [q.cart_id]),)

    def for_cart(self, cart_id: str) -> list[IssuedQuote]:
        rows = sorted(self._by("cart", cart_id), key=lambda q: (q.issued_at, q.id),
                      reverse=True)
        return [self._load(r) for r in rows]


class InMemoryRateCache:
    """The `ShippingRateCache` of one process: answers fresh for `ttl`, kept as the last known
    answer for `keep`; `invalidate` forgets everything."""

    def __init__(self, clock: Clock, *, ttl: timedelta = timedelta(minutes=10),
                 keep: timedelta = timedelta(hours=24)) -> None:
        self._clock, self._ttl, self._keep = clock, ttl, keep
        self._entries: dict[str, tuple[float, tuple[CarrierQuote, ...]]] = {}
        self._lock = threading.Lock()

    def _aged(self, key: str, within: timedelta) -> tuple[CarrierQuote, ...] | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, quotes = entry
        return quotes if self._clock.now().timestamp() - stored_at < within.total_seconds() \
            else None

    def get(self, key: str) -> tuple[CarrierQuote, ...] | None:
        return self._aged(key, self._ttl)

    def last(self, key: str) -> tuple[CarrierQuote, ...] | None:
        return self._aged(key, self._keep)

    def put(self, key: str, quotes: tuple[CarrierQuote, ...]) -> None:
        with self._lock:
            self._entries[key] = (self._clock.now().timestamp(), quotes)

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
