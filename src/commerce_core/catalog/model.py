"""Products with their sellable variants (one SKU each), and categories."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

import attrs
from attrs import define, field, frozen

from commerce_core.catalog.commands import SLUG_FORMAT
from commerce_core.catalog.errors import InvalidProduct, SkuNotFound
from commerce_core.catalog.events import (
    CategoryCreated,
    PriceChanged,
    ProductCreated,
    ProductPublished,
    ProductUnpublished,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money

SLUG_PATTERN = re.compile(SLUG_FORMAT)


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


@frozen
class Variant:
    """One sellable item of a product. `price` is the list price, net of tax."""

    sku: str
    name: str
    price: Money
    attributes: dict[str, str] = field(factory=dict)
    weight_grams: int = 0

    def __attrs_post_init__(self) -> None:
        if self.price.amount < 0:
            raise InvalidProduct("a price cannot be negative", sku=self.sku)
        if self.weight_grams < 0:
            raise InvalidProduct("a weight cannot be negative", sku=self.sku)


@define(eq=False)
class Product:
    id: str
    slug: str
    name: str
    description: str
    status: ProductStatus
    category_ids: list[str]
    attributes: dict[str, str]
    variants: list[Variant]
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        product_id: str,
        slug: str,
        name: str,
        variants: list[Variant],
        now: datetime,
        description: str = "",
        category_ids: list[str] | None = None,
        attributes: dict[str, str] | None = None,
        publish: bool = False,
    ) -> Product:
        """A new product. It needs a name, a URL slug and at least one variant of unique SKU."""
        if not name.strip():
            raise InvalidProduct("a product needs a name")
        if not SLUG_PATTERN.match(slug):
            raise InvalidProduct(
                f"invalid slug {slug!r}: lower-case words joined by '-'", slug=slug
            )
        if not variants:
            raise InvalidProduct("a product needs at least one variant")
        skus = [v.sku for v in variants]
        if len(set(skus)) != len(skus):
            raise InvalidProduct("variant SKUs must be unique", skus=skus)
        if len({v.price.currency for v in variants}) != 1:
            raise InvalidProduct("all variants of a product are priced in one currency")
        product = cls(
            id=product_id,
            slug=slug,
            name=name.strip(),
            description=description,
            status=ProductStatus.DRAFT,
            category_ids=list(category_ids or []),
            attributes=dict(attributes or {}),
            variants=list(variants),
            created_at=now,
            updated_at=now,
        )
        product.events.append(
            ProductCreated(product_id, slug, product.name, tuple(skus), product.status, now)
        )
        if publish:
            product.publish(now=now)
        return product

    @property
    def is_available(self) -> bool:
        return self.status is ProductStatus.ACTIVE

    def variant(self, sku: str) -> Variant:
        for variant in self.variants:
            if variant.sku == sku:
                return variant
        raise SkuNotFound(f"product {self.id} has no SKU {sku}", sku=sku, product_id=self.id)

    def item_name(self, sku: str) -> str:
        """How a line of this SKU reads on a cart or an order: "Linen shirt (M)"."""
        variant = self.variant(sku)
        return self.name if variant.name in ("", sku) else f"{self.name} ({variant.name})"

    def publish(self, *, now: datetime) -> None:
        """Make the product visible and sellable; publishing an active product changes nothing."""
        if self.status is ProductStatus.ACTIVE:
            return
        self.status = ProductStatus.ACTIVE
        self.updated_at = now
        self.events.append(ProductPublished(self.id, now))

    def change_price(self, sku: str, price: Money, *, now: datetime) -> None:
        """Set a variant's list price (same currency as the product's other variants)."""
        variant = self.variant(sku)
        if price.currency != variant.price.currency:
            raise InvalidProduct(
                f"{sku} is priced in {variant.price.currency}, not {price.currency}", sku=sku
            )
        if price == variant.price:
            return
        updated = attrs.evolve(variant, price=price)
        self.variants = [updated if v.sku == sku else v for v in self.variants]
        self.updated_at = now
        self.events.append(PriceChanged(self.id, sku, variant.price, price, now))

    def unpublish(self, *, now: datetime) -> None:
        """Hide the product; carts keep their lines but cannot check them out."""
        if self.status is not ProductStatus.ACTIVE:
            return
        self.status = ProductStatus.DRAFT
        self.updated_at = now
        self.events.append(ProductUnpublished(self.id, now))


@define(eq=False)
class Category:
    id: str
    slug: str
    name: str
    parent_id: str | None
    created_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(
        cls, *, category_id: str, slug: str, name: str, parent_id: str | None, now: datetime
    ) -> Category:
        if not SLUG_PATTERN.match(slug):
            raise InvalidProduct(f"invalid slug {slug!r}", slug=slug)
        category = cls(category_id, slug, name, parent_id, now)
        category.events.append(CategoryCreated(category_id, slug, name, parent_id, now))
        return category
