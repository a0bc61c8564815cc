"""How a product document is assembled from what the catalog, pricing and inventory say now.

A document exists only for an active product with a price in the shop currency ("no sellable
view, no search result"); out-of-stock products are indexed, marked as such and ranked after
those in stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from attrs import frozen

from commerce_core.catalog.queries import CategoryView, ProductView
from commerce_core.search.queries import SearchDocument
from commerce_core.shared.money import Money


class PriceRow(Protocol):
    """What the document reads of a pricing row (`pricing.ports.PriceRepository.points_for`)."""

    @property
    def sku(self) -> str | None: ...

    @property
    def warehouse_id(self) -> str | None: ...

    @property
    def currency(self) -> str: ...

    @property
    def base_price(self) -> Money: ...

    @property
    def sale_price(self) -> Money | None: ...

    @property
    def sale_starts_at(self) -> datetime | None: ...

    @property
    def sale_ends_at(self) -> datetime | None: ...

    def effective_at(self, at: datetime) -> bool: ...


class StockRow(Protocol):
    """What the document reads of a stock row (`inventory.ports.StockLevels.items`)."""

    @property
    def sku(self) -> str: ...

    @property
    def warehouse_id(self) -> str: ...

    @property
    def available(self) -> int: ...


@frozen
class SearchSettings:
    """`currency`: the shop currency documents are priced in; `record_searches`: whether each
    query is logged for analytics."""

    currency: str = "VND"
    record_searches: bool = True


class CategoryTree:
    """Categories by id, to give a product its category path (its categories and ancestors)."""

    def __init__(self, categories: Iterable[CategoryView]) -> None:
        self._by_id = {c.category_id: c for c in categories}

    def path(self, category_ids: Sequence[str]) -> list[CategoryView]:
        found: dict[str, CategoryView] = {}
        for category_id in category_ids:
            seen: set[str] = set()
            current = self._by_id.get(category_id)
            while current is not None and current.category_id not in seen:
                seen.add(current.category_id)
                found.setdefault(current.category_id, current)
                current = self._by_id.get(current.parent_id) if current.parent_id else None
        return list(found.values())


def _sale_running(row: PriceRow, now: datetime) -> bool:
    return (row.sale_starts_at is None or row.sale_starts_at <= now) and (
        row.sale_ends_at is None or now < row.sale_ends_at)


def shop_price(view: ProductView, rows: Sequence[PriceRow], currency: str,
               now: datetime) -> Money | None:
    """The lowest price of the product's variants in the shop currency, without warehouse
    prices: a SKU's own row, else the product's row, else the variant's list price; a sale
    price while its sale runs. None when no variant has one (the product is not indexed)."""
    live = [r for r in rows if r.currency == currency and r.warehouse_id is None
            and r.effective_at(now)]
    by_sku = {r.sku: r for r in live}
    found: list[Money] = []
    for variant in view.variants:
        row = by_sku.get(variant.sku) or by_sku.get(None)
        if row is not None:
            sale = row.sale_price if _sale_running(row, now) else None
            found.append(sale if sale is not None else row.base_price)
        elif variant.list_price.currency == currency:
            found.append(variant.list_price)
    return min(found, key=lambda m: m.amount) if found else None


def assemble(
    view: ProductView | None, *, prices: Sequence[PriceRow], stock: Iterable[StockRow],
    categories: CategoryTree, settings: SearchSettings, now: datetime,
    watermarks: Mapping[str, str] | None = None, rating: tuple[int, int] = (0, 0),
) -> SearchDocument | None:
    """The product's document, or None when it must not be found (absent, not active, or
    without a price in the shop currency)."""
    if view is None or view.status != "active":
        return None
    price = shop_price(view, prices, settings.currency, now)
    if price is None:
        return None
    skus = tuple(v.sku for v in view.variants)
    units: dict[str, int] = {}
    for row in stock:
        if row.sku in skus:
            units[row.warehouse_id] = units.get(row.warehouse_id, 0) + max(row.available, 0)
    attributes: dict[str, list[str]] = {}
    for key, value in view.attributes.items():
        if key != "brand":
            attributes.setdefault(key, []).append(value)
    for variant in view.variants:
        for key, value in variant.attributes.items():
            if key != "brand" and value not in attributes.setdefault(key, []):
                attributes[key].append(value)
    path = categories.path(view.category_ids)
    return SearchDocument(
        product_id=view.product_id, slug=view.slug, name=view.name,
        description=view.description, brand=view.brand, category_ids=view.category_ids,
        category_path=tuple(c.category_id for c in path),
        category_names=tuple(c.name for c in path),
        attributes={k: tuple(v) for k, v in sorted(attributes.items())},
        skus=skus, price=price, stock=dict(sorted(units.items())), status=view.status,
        created_at=view.created_at, updated_at=view.updated_at,
        watermarks=dict(watermarks or {}), rating=rating[0], review_count=rating[1],
    )


def mark(at: datetime) -> str:
    """A watermark from an event time: sortable as text, in UTC."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def sequence_mark(sequence: int) -> str:
    return f"{sequence:020d}"
