"""Search's handlers and subscribers, built from what the composition root gives it. Without
an index there is nothing to keep in step: the projector is not subscribed."""

from __future__ import annotations

from commerce_core.search import commands as sc
from commerce_core.search import handlers as sh
from commerce_core.search import projector
from commerce_core.search.model import SearchSettings
from commerce_core.search.ports import ProductRatings, SearchIndex, SearchUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class SearchWiring:
    def __init__(self, uow: UnitOfWorkFactory[SearchUnitOfWork], index: SearchIndex | None,
                 clock: Clock, ids: IdGenerator, settings: SearchSettings,
                 ratings: ProductRatings | None = None) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._projector = (None if index is None
                           else projector.Projector(index, settings, clock, ratings))

    def handlers(self) -> Handlers:
        uow, clock = self._uow, self._clock
        found: Handlers = {
            sc.TrackSearch: sh.TrackSearchHandler(uow, clock),
            sc.TrackClick: sh.TrackClickHandler(uow, clock),
            sc.TrackAddToCart: sh.TrackClickHandler(uow, clock),
        }
        if self._projector is not None:
            found[sc.ReindexProduct] = sh.ReindexProductHandler(uow, self._projector)
            found[sc.RebuildIndex] = sh.RebuildIndexHandler(uow, self._projector, clock,
                                                            self._ids)
        return found

    def subscribers(self) -> list[Subscriber]:
        return [] if self._projector is None else projector.subscribers(self._projector)
