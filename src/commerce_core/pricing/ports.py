"""What pricing needs: price and rule storage, exchange rates, and a price cache to invalidate."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from commerce_core.pricing.currency import ExchangeRate
from commerce_core.pricing.model import Price, PricePoint
from commerce_core.pricing.rules import PriceRule
from commerce_core.shared.uow import UnitOfWork


class PriceRepository(Protocol):
    """Price rows. At most one active row per (product, SKU, warehouse, currency) covers any
    moment: adding or changing a row whose window overlaps another active row of the same key
    raises `DuplicatePrice` at the latest on commit. Saving a changed row checks its `version`
    (a stale one raises `ConcurrencyConflict`)."""

    def add(self, price: Price) -> None: ...

    def get(self, price_id: str) -> Price:
        """The price, or `PriceNotFound`."""
        ...

    def for_key(
        self, product_id: str, sku: str | None, warehouse_id: str | None, currency: str
    ) -> list[Price]:
        """Active rows of exactly this key, by `effective_from`."""
        ...

    def points_for(self, product_ids: Collection[str]) -> list[PricePoint]:
        """The read side used by price calculation: active rows of these products at every
        level and in every currency, without loading aggregates."""
        ...

    def next_sequence(self, product_id: str) -> int:
        """The product's next price-event sequence number: ONE atomic increment in the caller's
        transaction (`UPDATE price_sequences SET last = last + 1 ... RETURNING last`, inserting
        1 when absent), so concurrent writers of one product never share a number. Numbers only
        grow; a rolled-back transaction may leave a gap, which consumers tolerate."""
        ...


class PriceRuleRepository(Protocol):
    def add(self, rule: PriceRule) -> None: ...

    def get(self, rule_id: str) -> PriceRule:
        """The rule, or `PriceRuleNotFound`."""
        ...

    def live(self, at: datetime) -> list[PriceRule]:
        """Active rules whose window contains `at`, in application order (higher priority
        first, then creation order)."""
        ...

    def list(self) -> list[PriceRule]: ...


class PricingUnitOfWork(UnitOfWork, Protocol):
    prices: PriceRepository
    price_rules: PriceRuleRepository


class ExchangeRates(Protocol):
    """Current exchange rates (an adapter caches them 1 h, single-flights misses and breaks the
    circuit on a failing provider). `rate` returns the freshest known rate with the time it was
    fetched, or raises `ExchangeRateUnavailable`; it never invents a rate of 1."""

    def rate(self, source: str, target: str) -> ExchangeRate: ...


class PriceCache(Protocol):
    """Cached price calculations. Invalidated by event subscribers, which run only after the
    price write committed, so a reader can never re-cache the old price after invalidation
    (spec pricing rule 6, scenario 9). Keys are built by the adapter from the full request
    context with a collision-resistant hash."""

    def invalidate_product(self, product_id: str) -> None: ...

    def clear(self) -> None:
        """Drop everything (a promotion or rule change can touch any product)."""
        ...
