"""Catalog list prices become pricing's SKU-level prices.

The catalog keeps a price per variant for display; pricing is the source of truth for what is
charged. Each variant's price is copied into its SKU-level price row (created if absent, changed
in place otherwise) in the transaction that creates the product or changes the price; every
copy that changes a row records `price.updated` with the product's next sequence number.
"""

from __future__ import annotations

from datetime import datetime

from commerce_core.catalog.model import Product
from commerce_core.pricing.model import Price, PriceChange
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money


def set_sku_price(uow: PricingUnitOfWork, *, product_id: str, sku: str, price: Money,
                  now: datetime, ids: IdGenerator) -> bool:
    """Make `price` the SKU's regular price from now on; False when it already is.

    A sale price the row had stays only while it is still below the new base price."""
    current = [p for p in uow.prices.for_key(product_id, sku, None, price.currency)
               if p.point.effective_at(now)]
    if current:
        row = current[-1]
        sale = row.point.sale_price if row.point.sale_price and row.point.sale_price < price \
            else None
        change = PriceChange(price, sale, row.point.sale_starts_at if sale else None,
                             row.point.sale_ends_at if sale else None, row.point.cost_price,
                             row.point.effective_to)
        if not row.would_change(change):
            return False
        row.change(change, sequence=uow.prices.next_sequence(product_id), now=now)
        return True
    uow.prices.add(Price.create(
        price_id=ids.new_id(), product_id=product_id, currency=price.currency,
        change=PriceChange(price), sku=sku, warehouse_id=None, effective_from=now,
        sequence=uow.prices.next_sequence(product_id), now=now,
    ))
    return True


class CatalogPriceBridge:
    """Called by the catalog's handlers inside their transaction, right after a product was
    created or a variant's price changed, so the price rows commit with the catalog change and
    a cart can be priced at once, whether events are relayed in-process or by a worker."""

    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self._clock, self._ids = clock, ids

    def __call__(self, uow: PricingUnitOfWork, product: Product) -> None:
        now = self._clock.now()
        for variant in product.variants:
            if variant.price.amount > 0:  # pricing refuses a 0 base price: never sold at 0
                set_sku_price(uow, product_id=product.id, sku=variant.sku, price=variant.price,
                              now=now, ids=self._ids)
