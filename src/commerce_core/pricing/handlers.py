"""Pricing use cases: price rows, bulk updates, price rules, and cache invalidation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from attrs import frozen

from commerce_core.pricing.commands import (
    BulkUpdatePrices,
    CreatePrice,
    CreatePriceRule,
    DeactivatePrice,
    DeactivatePriceRule,
    PriceUpdate,
    UpdatePrice,
)
from commerce_core.pricing.errors import BulkLimitExceeded, DuplicatePrice
from commerce_core.pricing.model import Price, PriceChange, PricePoint
from commerce_core.pricing.ports import PriceCache, PricingUnitOfWork
from commerce_core.pricing.rules import PriceRule, PriceRuleDefinition
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict, InvalidInput
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

Uow = UnitOfWorkFactory[PricingUnitOfWork]
MAX_BULK_ITEMS = 10_000
BULK_CHUNK = 500


def _sku(raw: str | None) -> str | None:
    return None if raw is None else normalise_sku(raw)


def _refuse_overlap(uow: PricingUnitOfWork, point: PricePoint) -> None:
    """One active row per key at any moment (spec pricing model)."""
    for other in uow.prices.for_key(point.product_id, point.sku, point.warehouse_id,
                                    point.currency):
        if point.clashes_with(other.point):
            raise DuplicatePrice(
                f"price {other.id} already covers this product, SKU, warehouse and currency "
                "at that time", price_id=other.id, product_id=point.product_id, sku=point.sku,
            )


class CreatePriceHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreatePrice) -> str:
        now = self._clock.now()
        change = PriceChange(cmd.base_price, cmd.sale_price, cmd.sale_starts_at,
                             cmd.sale_ends_at, cmd.cost_price, cmd.effective_to)
        with self._uow() as uow:
            price = Price.create(
                price_id=self._ids.new_id(), product_id=cmd.product_id,
                currency=cmd.base_price.currency, change=change, sku=_sku(cmd.sku),
                warehouse_id=cmd.warehouse_id, effective_from=cmd.effective_from or now,
                sequence=uow.prices.next_sequence(cmd.product_id), now=now,
            )
            _refuse_overlap(uow, price.point)
            uow.prices.add(price)
            uow.commit()
        return price.id


class UpdatePriceHandler:
    """Optimistic locking twice over: the editor's `expected_version` must be current, and the
    repository refuses to save over a version someone else committed meanwhile (scenario 5)."""

    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: UpdatePrice) -> int:
        now = self._clock.now()
        change = PriceChange(cmd.base_price, cmd.sale_price, cmd.sale_starts_at,
                             cmd.sale_ends_at, cmd.cost_price, cmd.effective_to)
        with self._uow() as uow:
            price = uow.prices.get(cmd.price_id)
            if price.version != cmd.expected_version:
                raise ConcurrencyConflict(
                    f"price {price.id} changed since version {cmd.expected_version}",
                    price_id=price.id, expected_version=cmd.expected_version,
                    current_version=price.version,
                )
            if price.would_change(change):
                price.change(change, sequence=uow.prices.next_sequence(price.point.product_id),
                             now=now)
                _refuse_overlap(uow, price.point)
                uow.commit()
            return price.version


class DeactivatePriceHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DeactivatePrice) -> None:
        with self._uow() as uow:
            price = uow.prices.get(cmd.price_id)
            if price.point.is_active:
                price.deactivate(sequence=uow.prices.next_sequence(price.point.product_id),
                                 now=self._clock.now())
                uow.commit()


@frozen
class BulkItemError:
    index: int
    code: str
    message: str


@frozen
class BulkUpdateResult:
    """Partial failure is explicit: every refused item is listed with its index and reason."""

    created: int
    updated: int
    unchanged: int
    errors: tuple[BulkItemError, ...]


class BulkUpdatePricesHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: BulkUpdatePrices) -> BulkUpdateResult:
        if len(cmd.items) > MAX_BULK_ITEMS:
            raise BulkLimitExceeded(
                f"a bulk update takes at most {MAX_BULK_ITEMS} items, not {len(cmd.items)}",
                items=len(cmd.items), maximum=MAX_BULK_ITEMS,
            )
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        errors: list[BulkItemError] = []
        seen: set[tuple[str, str | None, str | None, str]] = set()
        indexed: list[tuple[int, PriceUpdate]] = []
        for index, item in enumerate(cmd.items):
            try:
                key = (item.product_id, _sku(item.sku), item.warehouse_id,
                       item.base_price.currency)
            except InvalidInput as error:
                errors.append(BulkItemError(index, error.code, error.message))
                continue
            if key in seen:
                errors.append(BulkItemError(index, DuplicatePrice.code,
                                            "the same key appears earlier in this request"))
                continue
            seen.add(key)
            indexed.append((index, item))
        for start in range(0, len(indexed), BULK_CHUNK):
            chunk = indexed[start:start + BULK_CHUNK]
            done, refused = retrying(partial(self._chunk, chunk), retry_on=ConcurrencyConflict,
                                     attempts=3)
            for name, value in done.items():
                counts[name] += value
            errors += refused
        return BulkUpdateResult(counts["created"], counts["updated"], counts["unchanged"],
                                tuple(sorted(errors, key=lambda e: e.index)))

    def _chunk(
        self, chunk: Sequence[tuple[int, PriceUpdate]]
    ) -> tuple[dict[str, int], list[BulkItemError]]:
        now = self._clock.now()
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        errors: list[BulkItemError] = []
        with self._uow() as uow:
            for index, item in chunk:
                try:
                    counts[self._upsert(uow, item, now)] += 1
                except (InvalidInput, DuplicatePrice) as error:
                    errors.append(BulkItemError(index, error.code, error.message))
            uow.commit()
        return counts, errors

    def _upsert(self, uow: PricingUnitOfWork, item: PriceUpdate, now: datetime) -> str:
        sku, currency = _sku(item.sku), item.base_price.currency
        current = [p for p in uow.prices.for_key(item.product_id, sku, item.warehouse_id,
                                                 currency) if p.point.effective_at(now)]
        if current:
            price = current[-1]
            # A bulk update changes amounts, not schedules: the row keeps its end date.
            change = PriceChange(item.base_price, item.sale_price, item.sale_starts_at,
                                 item.sale_ends_at, item.cost_price, price.point.effective_to)
            if not price.would_change(change):
                return "unchanged"
            price.change(change, sequence=uow.prices.next_sequence(item.product_id), now=now)
            return "updated"
        change = PriceChange(item.base_price, item.sale_price, item.sale_starts_at,
                             item.sale_ends_at, item.cost_price)
        price = Price.create(
            price_id=self._ids.new_id(), product_id=item.product_id, currency=currency,
            change=change, sku=sku, warehouse_id=item.warehouse_id, effective_from=now,
            sequence=uow.prices.next_sequence(item.product_id), now=now,
        )
        _refuse_overlap(uow, price.point)
        uow.prices.add(price)
        return "created"


class CreatePriceRuleHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreatePriceRule) -> str:
        now = self._clock.now()
        definition = PriceRuleDefinition(
            rule_id=self._ids.new_id(), name=cmd.name.strip(), rule_type=cmd.rule_type,
            condition=cmd.condition, action=cmd.action, created_at=now, priority=cmd.priority,
            starts_at=cmd.starts_at, ends_at=cmd.ends_at,
            stop_further_rules=cmd.stop_further_rules,
        )
        with self._uow() as uow:
            uow.price_rules.add(PriceRule.create(definition, now=now))
            uow.commit()
        return definition.rule_id


class DeactivatePriceRuleHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DeactivatePriceRule) -> None:
        with self._uow() as uow:
            uow.price_rules.get(cmd.rule_id).deactivate(now=self._clock.now())
            uow.commit()


class InvalidatePriceCache:
    """Drops cached calculations after a committed change (subscribers run after the commit).

    `price.updated` / `price.deleted` drop one product; anything else the shop subscribes it to
    (`promotion.deactivated`, `price.rule_created`, ...) drops everything.
    """

    PER_PRODUCT = frozenset({"price.updated", "price.deleted"})

    def __init__(self, cache: PriceCache, event_type: str) -> None:
        self._cache = cache
        self.event_type = event_type
        self.name = f"pricing.invalidate_cache_on_{event_type.replace('.', '_')}"

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        if envelope.type in self.PER_PRODUCT:
            self._cache.invalidate_product(str(envelope.payload["product_id"]))
        else:
            self._cache.clear()
