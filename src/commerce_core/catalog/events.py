"""Facts the catalog publishes."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class ProductCreated(DomainEvent):
    type = "catalog.product_created"
    product_id: str
    slug: str
    name: str
    skus: tuple[str, ...]
    status: str
    occurred_at: datetime


@frozen
class ProductPublished(DomainEvent):
    type = "catalog.product_published"
    product_id: str
    occurred_at: datetime


@frozen
class ProductUnpublished(DomainEvent):
    type = "catalog.product_unpublished"
    product_id: str
    occurred_at: datetime


@frozen
class ProductUpdated(DomainEvent):
    """What a product says about itself changed; `changes` names the fields (search reindexes,
    pricing reads categories afresh at the next price)."""

    type = "catalog.product_updated"
    product_id: str
    slug: str
    name: str
    category_ids: tuple[str, ...]
    changes: tuple[str, ...]
    occurred_at: datetime


@frozen
class ProductArchived(DomainEvent):
    """The product is retired: its SKUs are no longer sold (carts refuse them, checkouts too)."""

    type = "catalog.product_archived"
    product_id: str
    skus: tuple[str, ...]
    occurred_at: datetime


@frozen
class PriceChanged(DomainEvent):
    """A variant's list price changed; carts show it at once and checkouts charge it."""

    type = "catalog.price_changed"
    product_id: str
    sku: str
    previous_price: Money
    price: Money
    occurred_at: datetime


@frozen
class CategoryCreated(DomainEvent):
    type = "catalog.category_created"
    category_id: str
    slug: str
    name: str
    parent_id: str | None
    occurred_at: datetime
