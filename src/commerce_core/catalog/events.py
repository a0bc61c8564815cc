"""Facts the catalog publishes."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


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
class CategoryCreated(DomainEvent):
    type = "catalog.category_created"
    category_id: str
    slug: str
    name: str
    parent_id: str | None
    occurred_at: datetime
