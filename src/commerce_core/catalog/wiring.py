"""The catalog's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.catalog import commands as cc
from commerce_core.catalog import handlers as ch
from commerce_core.catalog.ports import CatalogUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class CatalogWiring:
    def __init__(self, uow: UnitOfWorkFactory[CatalogUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def handlers(self) -> Handlers:
        uow, clock, ids = self._uow, self._clock, self._ids
        return {
            cc.CreateProduct: ch.CreateProductHandler(uow, clock, ids),
            cc.PublishProduct: ch.PublishProductHandler(uow, clock),
            cc.UnpublishProduct: ch.UnpublishProductHandler(uow, clock),
            cc.UpdateProduct: ch.UpdateProductHandler(uow, clock),
            cc.ArchiveProduct: ch.ArchiveProductHandler(uow, clock),
            cc.ChangePrice: ch.ChangePriceHandler(uow, clock, ids),
            cc.CreateCategory: ch.CreateCategoryHandler(uow, clock, ids),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
