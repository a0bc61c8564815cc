"""What the catalog offers other contexts inside their own transaction: the sellable view of
SKUs (the cart adds lines with it, checkout prices and names order lines with it), and the
product and category views read models are built from (search)."""

from __future__ import annotations

from collections.abc import Collection

from commerce_core.catalog.errors import ProductNotFound
from commerce_core.catalog.model import Product, ProductStatus
from commerce_core.catalog.ports import CategoryReadUnitOfWork, ProductReadUnitOfWork
from commerce_core.catalog.queries import CategoryView, ProductView, SellableItem, VariantView


def sellable(uow: ProductReadUnitOfWork, skus: Collection[str]) -> dict[str, SellableItem]:
    """The SKUs the catalog knows, keyed by SKU, read in one query; unknown SKUs are absent. It
    never invents a price: a SKU without one is absent, so no line is priced at 0 by mistake."""
    items: dict[str, SellableItem] = {}
    for sku, product in uow.products.by_skus(skus).items():
        variant = product.variant(sku)
        items[sku] = SellableItem(
            sku=sku, product_id=product.id, name=product.item_name(sku),
            unit_price=variant.price, available=product.is_available,
            category_ids=tuple(product.category_ids),
            attributes={**product.attributes, **variant.attributes},
            weight_grams=variant.weight_grams,
        )
    return items


def _view(product: Product) -> ProductView:
    return ProductView(
        product_id=product.id, slug=product.slug, name=product.name,
        description=product.description, status=str(product.status),
        category_ids=tuple(product.category_ids), attributes=dict(product.attributes),
        variants=tuple(VariantView(v.sku, v.name, v.price, dict(v.attributes))
                       for v in product.variants),
        created_at=product.created_at, updated_at=product.updated_at,
    )


def product_view(uow: ProductReadUnitOfWork, product_id: str) -> ProductView | None:
    """The product as it stands now, or None when the catalog has no such product."""
    try:
        return _view(uow.products.get(product_id))
    except ProductNotFound:
        return None


def product_views(uow: ProductReadUnitOfWork, *, active_only: bool = True, limit: int = 100,
                  offset: int = 0) -> list[ProductView]:
    """One page of products in creation order (a full reindex walks them page by page)."""
    status = ProductStatus.ACTIVE if active_only else None
    return [_view(p) for p in uow.products.list(status=status, limit=limit, offset=offset)]


def category_views(uow: CategoryReadUnitOfWork) -> list[CategoryView]:
    """Every category, with its parent (the tree read models build category paths from)."""
    return [CategoryView(c.id, c.slug, c.name, c.parent_id) for c in uow.categories.list()]
