"""The catalog's published read language: a SKU as it is offered for sale now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import field, frozen

from commerce_core.shared.money import Money


@frozen
class SellableItem:
    """A SKU as the catalog offers it now: its product, display name, list price, and the facts
    price rules, promotions and tax look at. `attributes` are the product's overridden by the
    variant's own (`brand` and `tax_class` among them)."""

    sku: str
    product_id: str
    name: str
    unit_price: Money
    available: bool  # published and sellable
    category_ids: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(factory=dict)
    weight_grams: int = 0

    @property
    def brand_id(self) -> str | None:
        return self.attributes.get("brand")

    @property
    def tax_class(self) -> str | None:
        return self.attributes.get("tax_class")


@frozen
class VariantView:
    sku: str
    name: str
    list_price: Money
    attributes: Mapping[str, str] = field(factory=dict)


@frozen
class ProductView:
    """A product as read models (search) copy it: what it says about itself, its status and
    its variants with their list prices."""

    product_id: str
    slug: str
    name: str
    description: str
    status: str  # draft | active | archived
    category_ids: tuple[str, ...]
    attributes: Mapping[str, str]
    variants: tuple[VariantView, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def brand(self) -> str | None:
        return self.attributes.get("brand")


@frozen
class CategoryView:
    category_id: str
    slug: str
    name: str
    parent_id: str | None
