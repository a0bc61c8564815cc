"""List prices: one row per (product, SKU?, warehouse?, currency) and validity window.

A `PricePoint` is the frozen content of a price row (what the engine reads); the `Price`
aggregate wraps it with an optimistic `version` and records `price.updated` / `price.deleted`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import attrs
from attrs import define, field, frozen

from commerce_core.pricing.errors import InvalidPrice, PriceChangeRefused
from commerce_core.pricing.events import PriceDeleted, PriceUpdated
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class PriceLevel(StrEnum):
    """Where a base price was found, most specific first (spec pricing rule 1)."""

    SKU_WAREHOUSE = "SKU_WAREHOUSE"
    SKU = "SKU"
    PRODUCT_WAREHOUSE = "PRODUCT_WAREHOUSE"
    PRODUCT = "PRODUCT"


LOOKUP_ORDER = (
    PriceLevel.SKU_WAREHOUSE, PriceLevel.SKU, PriceLevel.PRODUCT_WAREHOUSE, PriceLevel.PRODUCT,
)


def level_of(sku: str | None, warehouse_id: str | None) -> PriceLevel:
    if sku is not None:
        return PriceLevel.SKU_WAREHOUSE if warehouse_id is not None else PriceLevel.SKU
    return PriceLevel.PRODUCT_WAREHOUSE if warehouse_id is not None else PriceLevel.PRODUCT


def in_window(at: datetime, starts_at: datetime | None, ends_at: datetime | None) -> bool:
    """Windows include their start and exclude their end, so back-to-back windows never overlap."""
    return (starts_at is None or starts_at <= at) and (ends_at is None or at < ends_at)


def windows_overlap(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    return (a_end is None or b_start < a_end) and (b_end is None or a_start < b_end)


@frozen
class PricePoint:
    """One price row as it stands. Prices are net of tax (spec §0)."""

    price_id: str
    product_id: str
    currency: str
    base_price: Money
    effective_from: datetime
    created_at: datetime
    sku: str | None = None
    warehouse_id: str | None = None
    sale_price: Money | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    cost_price: Money | None = None
    effective_to: datetime | None = None
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        check_price(self)

    @property
    def level(self) -> PriceLevel:
        return level_of(self.sku, self.warehouse_id)

    @property
    def key(self) -> tuple[str, str | None, str | None, str]:
        return (self.product_id, self.sku, self.warehouse_id, self.currency)

    def effective_at(self, at: datetime) -> bool:
        return self.is_active and in_window(at, self.effective_from, self.effective_to)

    def sale_active_at(self, at: datetime) -> bool:
        """A sale price, when present and inside its window, wins over the base price."""
        return self.sale_price is not None and in_window(
            at, self.sale_starts_at, self.sale_ends_at
        )

    def unit_price_at(self, at: datetime) -> Money:
        if self.sale_price is not None and self.sale_active_at(at):
            return self.sale_price
        return self.base_price

    @property
    def margin_percent(self) -> Decimal | None:
        """Margin of the base price over cost, in percent (informational)."""
        if self.cost_price is None:
            return None
        margin = Decimal(self.base_price.amount - self.cost_price.amount) * 100
        return (margin / Decimal(self.base_price.amount)).quantize(Decimal("0.01"))

    def clashes_with(self, other: PricePoint) -> bool:
        """Two active rows for one key whose windows overlap: the lookup would be ambiguous."""
        return (
            self.price_id != other.price_id and self.key == other.key
            and self.is_active and other.is_active
            and windows_overlap(self.effective_from, self.effective_to,
                                other.effective_from, other.effective_to)
        )


def check_price(point: PricePoint) -> None:
    """The invariants of a price row (spec pricing model): base > 0, 0 <= sale < base, every
    amount in the row's currency, windows that end after they start."""
    details = {"product_id": point.product_id, "sku": point.sku}
    amounts = [point.base_price, point.sale_price, point.cost_price]
    if any(m is not None and m.currency != point.currency for m in amounts):
        raise InvalidPrice(f"every amount of this price must be in {point.currency}", **details)
    if point.base_price.amount <= 0:
        raise InvalidPrice("a base price must be greater than zero", **details)
    if point.sale_price is not None:
        if point.sale_price.amount < 0:
            raise InvalidPrice("a sale price cannot be negative", **details)
        if point.sale_price >= point.base_price:
            raise InvalidPrice(
                f"the sale price {point.sale_price} must be below the base price "
                f"{point.base_price}", **details,
            )
    elif point.sale_starts_at is not None or point.sale_ends_at is not None:
        raise InvalidPrice("a sale window needs a sale price", **details)
    if point.cost_price is not None and point.cost_price.amount < 0:
        raise InvalidPrice("a cost price cannot be negative", **details)
    for start, end in ((point.effective_from, point.effective_to),
                       (point.sale_starts_at, point.sale_ends_at)):
        if start is not None and end is not None and end <= start:
            raise InvalidPrice("a window must end after it starts", **details)


@frozen
class PriceChange:
    """The editable part of a price row; `None` for the sale price removes the sale."""

    base_price: Money
    sale_price: Money | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    cost_price: Money | None = None
    effective_to: datetime | None = None


@define(eq=False)
class Price:
    point: PricePoint
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.point.price_id

    @classmethod
    def create(
        cls,
        *,
        price_id: str,
        product_id: str,
        currency: str,
        change: PriceChange,
        sku: str | None,
        warehouse_id: str | None,
        effective_from: datetime,
        sequence: int,
        now: datetime,
    ) -> Price:
        """A new price row; `sequence` is the product's next price-event sequence number."""
        point = PricePoint(
            price_id=price_id, product_id=product_id, currency=currency, sku=sku,
            warehouse_id=warehouse_id, effective_from=effective_from, created_at=now,
            **attrs.asdict(change, recurse=False),
        )
        price = cls(point, now)
        price._record_update(None, None, sequence, now)
        return price

    def would_change(self, change: PriceChange) -> bool:
        """Whether `change` alters this row; raises `InvalidPrice` if the result is invalid."""
        return self._changed(change) != self.point

    def _changed(self, change: PriceChange) -> PricePoint:
        # What the change meets in the row as it stands (a 409 over HTTP); the rest of
        # `check_price` is about the change alone.
        if not self.point.is_active:
            raise PriceChangeRefused(f"price {self.id} is no longer active", price_id=self.id)
        if change.base_price.currency != self.point.currency:
            raise PriceChangeRefused(f"price {self.id} is in {self.point.currency}",
                                     price_id=self.id, currency=self.point.currency)
        if change.effective_to is not None and change.effective_to <= self.point.effective_from:
            raise PriceChangeRefused(
                f"price {self.id} takes effect at {self.point.effective_from.isoformat()}; "
                "it must end after that", price_id=self.id)
        return attrs.evolve(self.point, **attrs.asdict(change, recurse=False))

    def change(self, change: PriceChange, *, sequence: int, now: datetime) -> bool:
        """Apply new amounts; returns False (and records nothing) when nothing changes."""
        updated = self._changed(change)
        if updated == self.point:
            return False
        previous = self.point
        self.point = updated
        self.updated_at = now
        self._record_update(previous.base_price, previous.sale_price, sequence, now)
        return True

    def deactivate(self, *, sequence: int, now: datetime) -> None:
        """Stop using this row; lookups fall back to the next level. Idempotent."""
        if not self.point.is_active:
            return
        self.point = attrs.evolve(self.point, is_active=False)
        self.updated_at = now
        p = self.point
        self.events.append(
            PriceDeleted(p.product_id, p.price_id, p.sku, p.warehouse_id, p.currency,
                         sequence, now)
        )

    def _record_update(
        self, previous: Money | None, previous_sale: Money | None, sequence: int, now: datetime
    ) -> None:
        p = self.point
        self.events.append(
            PriceUpdated(
                product_id=p.product_id, price_id=p.price_id, sku=p.sku,
                warehouse_id=p.warehouse_id, currency=p.currency, price_type=p.level.value,
                price=p.base_price, previous_price=previous, sale_price=p.sale_price,
                previous_sale_price=previous_sale, effective_from=p.effective_from,
                sequence=sequence, occurred_at=now,
            )
        )


@frozen
class ResolvedPrice:
    """The base price a line starts from, and where it came from."""

    point: PricePoint
    level: PriceLevel
    list_price: Money  # the regular (base) unit price
    unit_price: Money  # the sale price when a sale is active, else the base price
    on_sale: bool


def points_by_product(points: Iterable[PricePoint]) -> dict[str, list[PricePoint]]:
    """Price rows grouped by product, in their order: what `resolve_price` looks through for
    one line is its product's rows, not every row of the cart."""
    found: dict[str, list[PricePoint]] = {}
    for point in points:
        found.setdefault(point.product_id, []).append(point)
    return found


def resolve_price(
    points: Iterable[PricePoint],
    *,
    product_id: str,
    sku: str | None,
    warehouse_id: str | None,
    currency: str,
    at: datetime,
) -> ResolvedPrice | None:
    """The 4-level lookup: SKU+warehouse, SKU, product+warehouse, product; most specific wins.

    Only rows active and effective at `at` in `currency` take part. None when no level has one.
    """
    by_level: dict[PriceLevel, PricePoint] = {}
    for point in points:
        if point.product_id != product_id or point.currency != currency:
            continue
        if not point.effective_at(at):
            continue
        if point.sku is not None and point.sku != sku:
            continue
        if point.warehouse_id is not None and point.warehouse_id != warehouse_id:
            continue
        current = by_level.get(point.level)
        # Overlaps are refused on write; if storage still holds two, the newest row wins so the
        # choice is deterministic.
        if current is None or (point.effective_from, point.price_id) > (
            current.effective_from, current.price_id
        ):
            by_level[point.level] = point
    for level in LOOKUP_ORDER:
        found = by_level.get(level)
        if found is not None:
            return ResolvedPrice(found, level, found.base_price, found.unit_price_at(at),
                                 found.sale_active_at(at))
    return None
