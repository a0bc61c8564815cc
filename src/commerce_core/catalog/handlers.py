"""Catalog use cases."""

from __future__ import annotations

from commerce_core.catalog.commands import (
    ArchiveProduct,
    ChangePrice,
    CreateCategory,
    CreateProduct,
    PublishProduct,
    UnpublishProduct,
    UpdateProduct,
)
from commerce_core.catalog.errors import DuplicateSku, DuplicateSlug, SkuNotFound
from commerce_core.catalog.model import Category, Product, Variant
from commerce_core.catalog.ports import CatalogUnitOfWork
from commerce_core.pricing import services as pricing
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory


def _set_list_prices(uow: CatalogUnitOfWork, product: Product, ids: IdGenerator,
                     clock: Clock) -> None:
    """Each variant's list price becomes its SKU price in pricing, in this transaction (the
    catalog keeps a price per variant for display; pricing is the source of what is charged)."""
    now = clock.now()
    for variant in product.variants:
        pricing.set_list_price(uow, product_id=product.id, sku=variant.sku,
                               price=variant.price, now=now, ids=ids)


class CreateProductHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock, ids: IdGenerator,
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateProduct) -> str:
        variants = [
            Variant(
                sku=normalise_sku(spec.sku),
                name=spec.name or spec.sku,
                price=spec.price,
                attributes=dict(spec.attributes),
                weight_grams=spec.weight_grams,
            )
            for spec in cmd.variants
        ]
        with self._uow() as uow:
            for category_id in cmd.category_ids:
                uow.categories.get(category_id)
            taken = uow.products.by_skus([v.sku for v in variants])
            if taken:
                raise DuplicateSku(f"SKU already in the catalog: {', '.join(sorted(taken))}",
                                   skus=sorted(taken))
            if uow.products.by_slug(cmd.slug) is not None:
                raise DuplicateSlug(f"slug already in use: {cmd.slug}", slug=cmd.slug)
            product = Product.create(
                product_id=self._ids.new_id(),
                slug=cmd.slug,
                name=cmd.name,
                variants=variants,
                description=cmd.description,
                category_ids=list(cmd.category_ids),
                attributes=dict(cmd.attributes),
                publish=cmd.publish,
                now=self._clock.now(),
            )
            uow.products.add(product)
            _set_list_prices(uow, product, self._ids, self._clock)
            uow.commit()
        return product.id


class PublishProductHandler:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: PublishProduct) -> None:
        with self._uow() as uow:
            uow.products.get(cmd.product_id).publish(now=self._clock.now())
            uow.commit()


class UnpublishProductHandler:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: UnpublishProduct) -> None:
        with self._uow() as uow:
            uow.products.get(cmd.product_id).unpublish(now=self._clock.now())
            uow.commit()


class UpdateProductHandler:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: UpdateProduct) -> tuple[str, ...]:
        with self._uow() as uow:
            product = uow.products.get(cmd.product_id)
            for category_id in cmd.category_ids or ():
                uow.categories.get(category_id)
            if cmd.slug is not None and cmd.slug != product.slug:
                holder = uow.products.by_slug(cmd.slug)
                if holder is not None:
                    raise DuplicateSlug(f"slug already in use: {cmd.slug}", slug=cmd.slug)
            changes = product.update(
                now=self._clock.now(), name=cmd.name, slug=cmd.slug, description=cmd.description,
                category_ids=None if cmd.category_ids is None else list(cmd.category_ids),
                attributes=None if cmd.attributes is None else dict(cmd.attributes),
            )
            uow.commit()
        return changes


class ArchiveProductHandler:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ArchiveProduct) -> None:
        with self._uow() as uow:
            uow.products.get(cmd.product_id).archive(now=self._clock.now())
            uow.commit()


class ChangePriceHandler:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: ChangePrice) -> None:
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            product = uow.products.by_skus([sku]).get(sku)
            if product is None:
                raise SkuNotFound(f"no product sells SKU {sku}", sku=sku)
            product.change_price(sku, cmd.price, now=self._clock.now())
            _set_list_prices(uow, product, self._ids, self._clock)
            uow.commit()


class CreateCategoryHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateCategory) -> str:
        with self._uow() as uow:
            if cmd.parent_id is not None:
                uow.categories.get(cmd.parent_id)
            category = Category.create(
                category_id=self._ids.new_id(),
                slug=cmd.slug,
                name=cmd.name,
                parent_id=cmd.parent_id,
                now=self._clock.now(),
            )
            uow.categories.add(category)
            uow.commit()
        return category.id
