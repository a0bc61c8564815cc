"""`commerce.catalog`: products and categories as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.catalog.commands import (
    ArchiveProduct,
    ChangePrice,
    CreateCategory,
    CreateProduct,
    PublishProduct,
    UnpublishProduct,
    UpdateProduct,
    VariantSpec,
)
from commerce_core.catalog.model import Category, Product, ProductStatus
from commerce_core.catalog.ports import CatalogUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.ids import normalise_sku
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory


class CatalogApi:
    """Products with their variants (a SKU each), categories, list prices."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[CatalogUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def create_product(
        self, name: str, slug: str, variants: builtins.list[VariantSpec], *,
        description: str = "", category_ids: tuple[str, ...] = (),
        attributes: dict[str, str] | None = None, publish: bool = False,
    ) -> str:
        return str(self._handle(CreateProduct(
            name, slug, tuple(variants), description, category_ids, attributes or {}, publish,
        )))

    def publish(self, product_id: str) -> None:
        self._handle(PublishProduct(product_id))

    def unpublish(self, product_id: str) -> None:
        self._handle(UnpublishProduct(product_id))

    def update(
        self, product_id: str, *, name: str | None = None, slug: str | None = None,
        description: str | None = None, category_ids: tuple[str, ...] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> tuple[str, ...]:
        """Change the fields given; returns the names of those that changed."""
        changes = self._handle(UpdateProduct(product_id, name, slug, description, category_ids,
                                             attributes))
        assert isinstance(changes, tuple)
        return changes

    def archive(self, product_id: str) -> None:
        self._handle(ArchiveProduct(product_id))

    def change_price(self, sku: str, price: Money) -> None:
        self._handle(ChangePrice(sku, price))

    def create_category(self, slug: str, name: str, parent_id: str | None = None) -> str:
        return str(self._handle(CreateCategory(slug, name, parent_id)))

    def get(self, product_id: str) -> Product:
        with self._read() as uow:
            return uow.products.get(product_id)

    def by_slug(self, slug: str) -> Product | None:
        with self._read() as uow:
            return uow.products.by_slug(slug)

    def by_sku(self, sku: str) -> Product | None:
        sku = normalise_sku(sku)
        with self._read() as uow:
            return uow.products.by_skus([sku]).get(sku)

    def list(
        self, *, published_only: bool = True, category_id: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> builtins.list[Product]:
        with self._read() as uow:
            return uow.products.list(
                status=ProductStatus.ACTIVE if published_only else None,
                category_id=category_id, limit=limit, offset=offset,
            )

    def categories(self) -> builtins.list[Category]:
        with self._read() as uow:
            return uow.categories.list()

    def category(self, category_id: str) -> Category:
        with self._read() as uow:
            return uow.categories.get(category_id)
