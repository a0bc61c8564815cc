"""Catalog storage: products (with variants and category links) and categories."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import categories, product_categories, product_variants, products
from commerce_core.catalog.errors import CategoryNotFound, ProductNotFound
from commerce_core.catalog.model import Category, Product, ProductStatus, Variant
from commerce_core.shared.money import Money


def _product_row(product: Product) -> Values:
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "description": product.description,
        "status": product.status.value,
        "attributes": dict(product.attributes),
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def _product_children(product: Product) -> ChildRows:
    return {
        product_variants.name: [
            {
                "product_id": product.id,
                "position": position,
                "sku": variant.sku,
                "name": variant.name,
                "price_amount": variant.price.amount,
                "currency": variant.price.currency,
                "attributes": dict(variant.attributes),
                "weight_grams": variant.weight_grams,
            }
            for position, variant in enumerate(product.variants)
        ],
        product_categories.name: [
            {"product_id": product.id, "position": position, "category_id": category_id}
            for position, category_id in enumerate(product.category_ids)
        ],
    }


def _product_from(row: Row, children: LoadedChildren) -> Product:
    return Product(
        id=row.id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        status=ProductStatus(row.status),
        category_ids=[link.category_id for link in children[product_categories.name]],
        attributes=row.attributes,
        variants=[
            Variant(
                sku=variant.sku,
                name=variant.name,
                price=Money(variant.price_amount, variant.currency),
                attributes=variant.attributes,
                weight_grams=variant.weight_grams,
            )
            for variant in children[product_variants.name]
        ],
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


PRODUCTS = AggregateMap[Product](
    kind="product",
    table=products,
    children=(product_variants, product_categories),
    not_found=ProductNotFound,
    to_row=_product_row,
    to_children=_product_children,
    from_rows=_product_from,
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


def _category_row(category: Category) -> Values:
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "parent_id": category.parent_id,
        "created_at": category.created_at,
    }


def _category_from(row: Row, _: LoadedChildren) -> Category:
    return Category(
        id=row.id,
        slug=row.slug,
        name=row.name,
        parent_id=row.parent_id,
        created_at=row.created_at,
        version=row.version,
    )


CATEGORIES = AggregateMap[Category](
    kind="category",
    table=categories,
    not_found=CategoryNotFound,
    to_row=_category_row,
    from_rows=_category_from,
)

_CATEGORIES_BY_SLUG = sa.select(categories).order_by(CodePointOrder(categories.c.slug))


class SqlCategoryRepository(AggregateRepository[Category]):
    def list(self) -> list[Category]:
        return self._store.all(_CATEGORIES_BY_SLUG)
