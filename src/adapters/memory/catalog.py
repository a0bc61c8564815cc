"""Products and categories in memory."""

from __future__ import annotations

from collections.abc import Collection

from adapters.memory.base import _Repository
from commerce_core.catalog.errors import (
    CategoryNotFound,
    DuplicateSku,
    DuplicateSlug,
    ProductNotFound,
)
from commerce_core.catalog.model import Category, Product, ProductStatus


class InMemoryProductRepository(_Repository):
    kind = "product"
    not_found = ProductNotFound
    unique = (
        ("SKU", lambda p: [v.sku for v in p.variants], DuplicateSku),
        ("slug", lambda p: [p.slug], DuplicateSlug),
    )

    def by_skus(self, skus: Collection[str]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        for sku in set(skus):
            for row in self._by("SKU", sku):
                found[sku] = self._load(row)
        return found

    def by_slug(self, slug: str) -> Product | None:
        rows = self._by("slug", slug)
        return self._load(rows[0]) if rows else None

    def list(
        self, *, status: ProductStatus | None = None, category_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> list[Product]:
        rows = [
            r for r in self._all()
            if (status is None or r.status is status)
            and (category_id is None or category_id in r.category_ids)
        ]
        rows.sort(key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows[offset:offset + limit]]


class InMemoryCategoryRepository(_Repository):
    kind = "category"
    not_found = CategoryNotFound
    unique = (("slug", lambda c: [c.slug], DuplicateSlug),)

    def list(self) -> list[Category]:
        return [self._load(r) for r in sorted(self._all(), key=lambda c: c.slug)]
