"""What the catalog needs from storage."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from commerce_core.catalog.model import Category, Product, ProductStatus
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.shared.uow import UnitOfWork


class ProductRepository(Protocol):
    """Products with their variants. SKUs and slugs are unique across products: adding a product
    that reuses one raises `DuplicateSku` / `DuplicateSlug` at the latest on commit."""

    def add(self, product: Product) -> None: ...

    def get(self, product_id: str) -> Product:
        """The product, or `ProductNotFound`."""
        ...

    def by_skus(self, skus: Collection[str]) -> dict[str, Product]:
        """The products owning these SKUs, keyed by SKU; unknown SKUs are simply absent."""
        ...

    def by_slug(self, slug: str) -> Product | None: ...

    def list(
        self,
        *,
        status: ProductStatus | None = None,
        category_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Product]:
        """Products ordered by creation (oldest first), optionally filtered."""
        ...


class CategoryRepository(Protocol):
    def add(self, category: Category) -> None: ...

    def get(self, category_id: str) -> Category:
        """The category, or `CategoryNotFound`."""
        ...

    def list(self) -> list[Category]: ...


class ProductReadUnitOfWork(UnitOfWork, Protocol):
    """Reading products: what another context needs to call `catalog.services.sellable`."""

    @property
    def products(self) -> ProductRepository: ...


class CategoryReadUnitOfWork(UnitOfWork, Protocol):
    """Reading categories: what another context needs to call `catalog.services.category_views`."""

    @property
    def categories(self) -> CategoryRepository: ...


class CatalogUnitOfWork(ProductReadUnitOfWork, PricingUnitOfWork, Protocol):
    """The catalog's own: its list prices become pricing's SKU prices in the same transaction."""

    @property
    def categories(self) -> CategoryRepository: ...

