"""What the catalog offers other contexts inside their own transaction: the sellable view of
SKUs (the cart adds lines with it, checkout prices and names order lines with it)."""

from __future__ import annotations

from collections.abc import Collection

from commerce_core.catalog.ports import ProductReadUnitOfWork
from commerce_core.catalog.queries import SellableItem


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
