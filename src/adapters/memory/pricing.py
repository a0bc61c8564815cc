"""In-memory pricing adapters: price and price-rule repositories, exchange rates, a price cache.

The repositories follow the copy-in/copy-out `_Repository` of `store.py`; the per-product event
sequence is a counter in the shared database written through the unit of work's undo journal,
so a rollback takes it back like any other write.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from adapters.memory.base import _Repository
from commerce_core.pricing.currency import ExchangeRate
from commerce_core.pricing.errors import (
    DuplicatePrice,
    ExchangeRateUnavailable,
    PriceNotFound,
    PriceRuleNotFound,
)
from commerce_core.pricing.model import Price, PricePoint
from commerce_core.pricing.rules import PriceRule


class InMemoryPriceRepository(_Repository):
    kind = "price"
    not_found = PriceNotFound

    def for_key(
        self, product_id: str, sku: str | None, warehouse_id: str | None, currency: str
    ) -> list[Price]:
        key = (product_id, sku, warehouse_id, currency)
        rows = sorted((r for r in self._all() if r.point.key == key and r.point.is_active),
                      key=lambda r: (r.point.effective_from, r.id))
        return [self._load(r) for r in rows]

    def points_for(self, product_ids: Collection[str]) -> list[PricePoint]:
        wanted = set(product_ids)
        points = [r.point for r in self._all()
                  if r.point.product_id in wanted and r.point.is_active]
        return sorted(points, key=lambda p: (p.product_id, p.price_id))

    def next_sequence(self, product_id: str) -> int:
        counters = self._db.table("price_sequence")
        number = int(counters.get(product_id, 0)) + 1
        self._journal.put(counters, product_id, number)
        return number

    def flush(self) -> None:
        # The SQL adapter enforces this with an exclusion constraint (or a locked check).
        pending = [*self._tracker.new(self.kind), *self._tracker.changed(self.kind)]
        if pending:
            stored = {r.id: r.point for r in self._all()}
            stored.update({p.id: p.point for p in pending})
            for price in pending:
                clash = next((other for other in stored.values()
                              if price.point.clashes_with(other)), None)
                if clash is not None:
                    raise DuplicatePrice(
                        f"price {clash.price_id} already covers this key at that time",
                        price_id=clash.price_id, product_id=price.point.product_id,
                    )
        super().flush()


class InMemoryPriceRuleRepository(_Repository):
    kind = "price_rule"
    not_found = PriceRuleNotFound

    def live(self, at: datetime) -> list[PriceRule]:
        rows = sorted((r for r in self._all() if r.definition.live_at(at)),
                      key=lambda r: r.definition.order_key)
        return [self._load(r) for r in rows]

    def list(self) -> list[PriceRule]:
        rows = sorted(self._all(), key=lambda r: r.definition.order_key)
        return [self._load(r) for r in rows]


class FixedExchangeRates:
    """Rates set by hand; `down = True` makes every call fail like an unreachable provider."""

    def __init__(self, rates: Iterable[ExchangeRate] = ()) -> None:
        self._rates: dict[tuple[str, str], ExchangeRate] = {}
        self.down = False
        self.calls: list[tuple[str, str]] = []
        for rate in rates:
            self.set(rate)

    def set(self, rate: ExchangeRate) -> None:
        self._rates[(rate.source, rate.target)] = rate

    def rate(self, source: str, target: str) -> ExchangeRate:
        self.calls.append((source, target))
        if self.down:
            raise ExchangeRateUnavailable("the exchange-rate provider is unreachable")
        found = self._rates.get((source, target))
        if found is None:
            raise ExchangeRateUnavailable(f"no {source}->{target} rate", source=source,
                                          target=target)
        return found


class InMemoryPriceCache:
    """A dict cache that logs invalidations, so tests can see when they happened."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.invalidated: list[str] = []  # product ids, or "*" for a full clear

    def put(self, product_id: str, value: Any) -> None:
        self.entries[product_id] = value

    def get(self, product_id: str) -> Any | None:
        return self.entries.get(product_id)

    def invalidate_product(self, product_id: str) -> None:
        self.entries.pop(product_id, None)
        self.invalidated.append(product_id)

    def clear(self) -> None:
        self.entries.clear()
        self.invalidated.append("*")
