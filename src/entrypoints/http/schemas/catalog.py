"""Catalog bodies: products with their variants, and categories."""

from __future__ import annotations

from pydantic import BaseModel, Field

from commerce_core.catalog.commands import (
    CreateCategory,
    CreateProduct,
    UpdateProduct,
    VariantSpec,
)
from commerce_core.catalog.model import Category, Product, Variant
from commerce_core.review.queries import ProductRating
from entrypoints.http.schemas.common import (
    MoneyIn,
    MoneyOut,
    Name,
    RequestBody,
    Sku,
    Slug,
    StrictCount,
)


class NewVariant(RequestBody):
    sku: Sku
    price: MoneyIn
    name: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    weight_grams: StrictCount = 0

    def to_spec(self) -> VariantSpec:
        return VariantSpec(self.sku, self.price.to_money(), self.name, dict(self.attributes),
                           self.weight_grams)


class NewProduct(RequestBody):
    name: Name
    slug: Slug
    variants: list[NewVariant] = Field(min_length=1, max_length=100,
                                       description="At least one; SKUs unique, one currency")
    description: str = ""
    category_ids: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)
    publish: bool = False

    def to_command(self) -> CreateProduct:
        return CreateProduct(
            self.name, self.slug, tuple(v.to_spec() for v in self.variants), self.description,
            tuple(self.category_ids), dict(self.attributes), self.publish,
        )


class VariantOut(BaseModel):
    sku: str
    name: str
    price: MoneyOut
    attributes: dict[str, str]

    @classmethod
    def of(cls, variant: Variant) -> VariantOut:
        return cls(sku=variant.sku, name=variant.name, price=MoneyOut.of(variant.price),
                   attributes=dict(variant.attributes))


class RatingOut(BaseModel):
    """A product's rating from its approved reviews."""

    average: float = Field(description="Stars, two decimals (0 without reviews)")
    count: int
    distribution: dict[str, int] = Field(description="Approved reviews per star, '1' to '5'")
    verified_count: int

    @classmethod
    def of(cls, rating: ProductRating) -> RatingOut:
        return cls(average=rating.average / 100, count=rating.total,
                   distribution={str(i + 1): n for i, n in enumerate(rating.distribution)},
                   verified_count=rating.verified_count)


class ProductOut(BaseModel):
    id: str
    slug: str
    name: str
    description: str
    status: str
    category_ids: list[str]
    attributes: dict[str, str]
    variants: list[VariantOut]
    rating: RatingOut | None = Field(
        default=None, description="Shoppers' routes: the rating of its approved reviews")

    @classmethod
    def of(cls, product: Product, rating: ProductRating | None = None) -> ProductOut:
        return cls(
            id=product.id, slug=product.slug, name=product.name,
            description=product.description, status=product.status.value,
            category_ids=list(product.category_ids), attributes=dict(product.attributes),
            variants=[VariantOut.of(v) for v in product.variants],
            rating=RatingOut.of(rating) if rating is not None else None,
        )


class ProductPage(BaseModel):
    items: list[ProductOut]
    limit: int
    offset: int


class NewCategory(RequestBody):
    slug: Slug
    name: Name
    parent_id: str | None = None

    def to_command(self) -> CreateCategory:
        return CreateCategory(self.slug, self.name, self.parent_id)


class CategoryOut(BaseModel):
    id: str
    slug: str
    name: str
    parent_id: str | None

    @classmethod
    def of(cls, category: Category) -> CategoryOut:
        return cls(id=category.id, slug=category.slug, name=category.name,
                   parent_id=category.parent_id)


class ProductChanges(RequestBody):
    """The fields to change; a field left out (or null) stays as it is. Prices change through
    the pricing routes, visibility through publish, unpublish and archive."""

    name: Name | None = None
    slug: Slug | None = None
    description: str | None = None
    category_ids: list[str] | None = None
    attributes: dict[str, str] | None = None

    def to_command(self, product_id: str) -> UpdateProduct:
        return UpdateProduct(
            product_id, self.name, self.slug, self.description,
            None if self.category_ids is None else tuple(self.category_ids),
            None if self.attributes is None else dict(self.attributes),
        )
