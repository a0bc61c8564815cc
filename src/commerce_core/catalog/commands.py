"""Catalog commands."""

from __future__ import annotations

from typing import Final

from attrs import field, frozen

from commerce_core.shared.money import Money

# Formats of catalog input, stated by entry points in their schemas from these constants.
SLUG_FORMAT: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@frozen
class VariantSpec:
    sku: str
    price: Money
    name: str = ""
    attributes: dict[str, str] = field(factory=dict)
    weight_grams: int = 0


@frozen
class CreateProduct:
    name: str
    slug: str
    variants: tuple[VariantSpec, ...]
    description: str = ""
    category_ids: tuple[str, ...] = ()
    attributes: dict[str, str] = field(factory=dict)
    publish: bool = False


@frozen
class PublishProduct:
    product_id: str


@frozen
class UnpublishProduct:
    product_id: str


@frozen
class UpdateProduct:
    """Change what a product says about itself; a field left `None` stays as it is. Prices
    change with `ChangePrice`, visibility with publish, unpublish and archive."""

    product_id: str
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    category_ids: tuple[str, ...] | None = None
    attributes: dict[str, str] | None = None


@frozen
class ArchiveProduct:
    """Retire a product for good: never sold or shown again, kept for the orders that name it."""

    product_id: str


@frozen
class ChangePrice:
    sku: str
    price: Money


@frozen
class CreateCategory:
    slug: str
    name: str
    parent_id: str | None = None
