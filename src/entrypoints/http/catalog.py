"""Catalog routes: published products and categories for shoppers; product admin for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from commerce_core.catalog.commands import ArchiveProduct, PublishProduct, UnpublishProduct
from commerce_core.catalog.errors import ProductNotFound
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import (
    CategoryOut,
    NewCategory,
    NewProduct,
    ProductChanges,
    ProductOut,
    ProductPage,
)
from entrypoints.http.schemas.common import MAX_OFFSET

router = APIRouter(tags=["catalog"])
admin = APIRouter(tags=["catalog admin"])

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@router.get("/products", summary="Published products, oldest first", dependencies=[PUBLIC])
def list_products(
    commerce: CommerceDep, limit: Limit = 50, offset: Offset = 0, category_id: str | None = None
) -> ProductPage:
    products = commerce.catalog.list(
        published_only=True, category_id=category_id, limit=limit, offset=offset
    )
    # The catalog knows no reviews: the route puts each product beside its rating.
    ratings = commerce.reviews.ratings([p.id for p in products])
    return ProductPage(items=[ProductOut.of(p, ratings[p.id]) for p in products], limit=limit,
                       offset=offset)


@router.get("/products/{id_or_slug}", summary="A published product, by id or slug",
            dependencies=[PUBLIC])
def get_product(id_or_slug: str, commerce: CommerceDep) -> ProductOut:
    product = commerce.catalog.by_slug(id_or_slug)
    if product is None:
        try:
            product = commerce.catalog.get(id_or_slug)
        except ProductNotFound:
            product = None
    # Drafts and archived products do not exist for shoppers.
    if product is None or not product.is_available:
        raise ProductNotFound(f"product {id_or_slug} not found", id=id_or_slug)
    return ProductOut.of(product, commerce.reviews.rating(product.id))


@router.get("/categories", dependencies=[PUBLIC])
def list_categories(commerce: CommerceDep) -> list[CategoryOut]:
    return [CategoryOut.of(c) for c in commerce.catalog.categories()]


@admin.get("/products", summary="Products in every status, oldest first",
           dependencies=[permit(Permission.CATALOG_READ)])
def admin_list_products(
    commerce: CommerceDep, limit: Limit = 50, offset: Offset = 0, category_id: str | None = None
) -> ProductPage:
    products = commerce.catalog.list(
        published_only=False, category_id=category_id, limit=limit, offset=offset
    )
    return ProductPage(items=[ProductOut.of(p) for p in products], limit=limit, offset=offset)


@admin.get("/products/{product_id}", dependencies=[permit(Permission.CATALOG_READ)])
def admin_get_product(product_id: str, commerce: CommerceDep) -> ProductOut:
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.post("/products", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.CATALOG_WRITE)])
def create_product(
    body: NewProduct, commerce: CommerceDep, request_id: RequestIdDep, response: Response
) -> ProductOut:
    product_id = str(commerce.handle(body.to_command(), correlation_id=request_id))
    response.headers["Location"] = f"/admin/products/{product_id}"
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.post("/products/{product_id}/publish", dependencies=[permit(Permission.CATALOG_WRITE)])
def publish_product(product_id: str, commerce: CommerceDep, request_id: RequestIdDep) -> ProductOut:
    commerce.handle(PublishProduct(product_id), correlation_id=request_id)
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.post("/products/{product_id}/unpublish", dependencies=[permit(Permission.CATALOG_WRITE)])
def unpublish_product(
    product_id: str, commerce: CommerceDep, request_id: RequestIdDep
) -> ProductOut:
    commerce.handle(UnpublishProduct(product_id), correlation_id=request_id)
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.patch("/products/{product_id}", summary="Change a product's name, slug, description, "
             "categories or attributes", dependencies=[permit(Permission.CATALOG_WRITE)])
def update_product(
    product_id: str, body: ProductChanges, commerce: CommerceDep, request_id: RequestIdDep
) -> ProductOut:
    commerce.handle(body.to_command(product_id), correlation_id=request_id)
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.post("/products/{product_id}/archive", summary="Retire a product for good",
            dependencies=[permit(Permission.CATALOG_WRITE)])
def archive_product(product_id: str, commerce: CommerceDep, request_id: RequestIdDep) -> ProductOut:
    commerce.handle(ArchiveProduct(product_id), correlation_id=request_id)
    return ProductOut.of(commerce.catalog.get(product_id))


@admin.post("/categories", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.CATALOG_WRITE)])
def create_category(
    body: NewCategory, commerce: CommerceDep, request_id: RequestIdDep
) -> CategoryOut:
    category_id = str(commerce.handle(body.to_command(), correlation_id=request_id))
    # The facade reads categories only as a list; a shop has few.
    return CategoryOut.of(next(c for c in commerce.catalog.categories() if c.id == category_id))
