"""Products with their sellable variants (one SKU each), and categories."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

import attrs
from attrs import define, field, frozen

from commerce_core.catalog.commands import SLUG_FORMAT
from commerce_core.catalog.errors import InvalidProduct, ProductNotAvailable, SkuNotFound
from commerce_core.catalog.events import (
    CategoryCreated,
    PriceChanged,
    ProductArchived,
    ProductCreated,
    ProductPublished,
    ProductUnpublished,
    ProductUpdated,
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
        _check_name(name)
        _check_slug(slug)
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

    @property
    def is_archived(self) -> bool:
        return self.status is ProductStatus.ARCHIVED

    def update(
        self, *, now: datetime, name: str | None = None, slug: str | None = None,
        description: str | None = None, category_ids: list[str] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> tuple[str, ...]:
        """Change what the product says about itself; `None` leaves a field as it is. Returns
        the fields that changed (none: no event). An archived product is not edited."""
        self._refuse_if_archived("edited")
        if name is not None:
            _check_name(name)
            name = name.strip()
        if slug is not None:
            _check_slug(slug)
        wanted = {"name": name, "slug": slug, "description": description,
                  "category_ids": category_ids, "attributes": attributes}
        changes = tuple(field for field, value in wanted.items()
                        if value is not None and value != getattr(self, field))
        if not changes:
            return ()
        for field_name in changes:
            setattr(self, field_name, wanted[field_name])
        self.updated_at = now
        self.events.append(ProductUpdated(self.id, self.slug, self.name,
                                          tuple(self.category_ids), changes, now))
        return changes

    def archive(self, *, now: datetime) -> None:
        """Retire the product for good; archiving it again changes nothing."""
        if self.is_archived:
            return
        self.status = ProductStatus.ARCHIVED
        self.updated_at = now
        self.events.append(ProductArchived(self.id, tuple(v.sku for v in self.variants), now))

    def _refuse_if_archived(self, what: str) -> None:
        if self.is_archived:
            raise ProductNotAvailable(f"product {self.id} is archived and cannot be {what}",
                                      product_id=self.id)

    def publish(self, *, now: datetime) -> None:
        """Make the product visible and sellable; publishing an active product changes nothing.
        An archived product stays archived (a merchant re-lists it as a new product)."""
        self._refuse_if_archived("published")
        if self.status is ProductStatus.ACTIVE:
            return
        self.status = ProductStatus.ACTIVE
        self.updated_at = now
        self.events.append(ProductPublished(self.id, now))

    def change_price(self, sku: str, price: Money, *, now: datetime) -> None:
        """Set a variant's list price (same currency as the product's other variants)."""
        self._refuse_if_archived("repriced")
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


def _check_name(name: str) -> None:
    if not name.strip():
        raise InvalidProduct("a product needs a name")


def _check_slug(slug: str) -> None:
    if not SLUG_PATTERN.match(slug):
        raise InvalidProduct(f"invalid slug {slug!r}: lower-case words joined by '-'", slug=slug)


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
