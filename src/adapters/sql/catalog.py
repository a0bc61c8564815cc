"""Catalog storage: products (with variants and category links) and categories."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, child_values, children, column, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.catalog import categories, product_categories, product_variants, products
from commerce_core.catalog.errors import CategoryNotFound, ProductNotFound
from commerce_core.catalog.model import Category, Product, ProductStatus, Variant

PRODUCTS = AggregateMap[Product](
    kind="product",
    not_found=ProductNotFound,
    codec=RowCodec(
        Product, products,
        status=by_value(ProductStatus),
        category_ids=child_values(product_categories, "category_id"),
        attributes=column(store=dict),
        variants=children(product_variants, Variant, price=money(), attributes=column(store=dict)),
        events=IGNORED,
    ),
)
_BY_SKUS = sa.select(products).where(
    products.c.id.in_(
        sa.select(product_variants.c.product_id).where(
            product_variants.c.sku.in_(sa.bindparam("skus", expanding=True))
        )
    )
)
_BY_SLUG = sa.select(products).where(products.c.slug == sa.bindparam("slug"))
_IN_CATEGORY = (
    sa.select(product_categories.c.product_id)
    .where(
        product_categories.c.product_id == products.c.id,
        product_categories.c.category_id == sa.bindparam("category_id"),
    )
    .exists()
)


def _product_list(by_status: bool, by_category: bool) -> sa.Select[tuple[object, ...]]:
    statement = sa.select(products)
    if by_status:
        statement = statement.where(products.c.status == sa.bindparam("status"))
    if by_category:
        statement = statement.where(_IN_CATEGORY)
    return (
        statement.order_by(products.c.created_at, CodePointOrder(products.c.id))
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


_PRODUCT_LISTS = {
    (by_status, by_category): _product_list(by_status, by_category)
    for by_status in (False, True)
    for by_category in (False, True)
}


class SqlProductRepository(AggregateRepository[Product]):
    def by_skus(self, skus: Collection[str]) -> dict[str, Product]:
        wanted = set(skus)
        if not wanted:
            return {}
        found: dict[str, Product] = {}
        for product in self._store.all(_BY_SKUS, {"skus": sorted(wanted)}):
            found.update(dict.fromkeys(wanted & {v.sku for v in product.variants}, product))
        return found

    def by_slug(self, slug: str) -> Product | None:
        return self._store.first(_BY_SLUG, {"slug": slug})

    def list(
        self,
        *,
        status: ProductStatus | None = None,
        category_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Product]:
        params: dict[str, object] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status.value
        if category_id is not None:
            params["category_id"] = category_id
        statement = _PRODUCT_LISTS[status is not None, category_id is not None]
        return self._store.all(statement, params)


CATEGORIES = AggregateMap[Category](
    kind="category",
    not_found=CategoryNotFound,
    codec=RowCodec(Category, categories, events=IGNORED),
)

_CATEGORIES_BY_SLUG = sa.select(categories).order_by(CodePointOrder(categories.c.slug))


class SqlCategoryRepository(AggregateRepository[Category]):
    def list(self) -> list[Category]:
        return self._store.all(_CATEGORIES_BY_SLUG)
