"""Catalog: products, their variants (one SKU each), categories and attributes."""

from commerce_core.catalog.commands import (
    ChangePrice,
    CreateCategory,
    CreateProduct,
    PublishProduct,
    UnpublishProduct,
    VariantSpec,
)
from commerce_core.catalog.errors import ProductNotAvailable, ProductNotFound, SkuNotFound
from commerce_core.catalog.model import Category, Product, ProductStatus, Variant

__all__ = [
    "Category",
    "ChangePrice",
    "CreateCategory",
    "CreateProduct",
    "Product",
    "ProductNotAvailable",
    "ProductNotFound",
    "ProductStatus",
    "PublishProduct",
    "SkuNotFound",
    "UnpublishProduct",
    "Variant",
    "VariantSpec",
]
