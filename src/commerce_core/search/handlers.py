"""Search use cases: analytics tracking and reindexing."""

from __future__ import annotations

import time

from commerce_core.catalog import services as catalog
from commerce_core.search.commands import (
    RebuildIndex,
    ReindexProduct,
    TrackAddToCart,
    TrackClick,
    TrackSearch,
)
from commerce_core.search.errors import InvalidSearch, SearchNotFound
from commerce_core.search.events import (
    IndexRebuilt,
    SearchExecuted,
    SearchResultAddedToCart,
    SearchResultClicked,
)
from commerce_core.search.model import CategoryTree, assemble
from commerce_core.search.ports import LoggedInteraction, LoggedSearch, SearchUnitOfWork
from commerce_core.search.projector import Projector
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

Factory = UnitOfWorkFactory[SearchUnitOfWork]


class TrackSearchHandler:
    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: TrackSearch) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            uow.search_log.record_search(LoggedSearch(
                cmd.query_id, cmd.text, dict(cmd.filters), cmd.sort, cmd.result_count, now,
                cmd.session, cmd.latency_ms, tuple(cmd.product_ids),
            ))
            uow.record(SearchExecuted(cmd.query_id, cmd.text, dict(cmd.filters), cmd.sort,
                                      cmd.result_count, now, cmd.session, cmd.latency_ms))
            uow.commit()


class TrackClickHandler:
    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: TrackClick | TrackAddToCart) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            if not uow.search_log.has_search(cmd.query_id):
                raise SearchNotFound(f"no search {cmd.query_id}", query_id=cmd.query_id)
            if isinstance(cmd, TrackClick):
                uow.search_log.record_interaction(LoggedInteraction(
                    cmd.query_id, "click", cmd.product_id, now, cmd.position))
                uow.record(SearchResultClicked(cmd.query_id, cmd.product_id, cmd.position, now))
            else:
                uow.search_log.record_interaction(LoggedInteraction(
                    cmd.query_id, "add_to_cart", cmd.product_id, now))
                uow.record(SearchResultAddedToCart(cmd.query_id, cmd.product_id, now))
            uow.commit()


class ReindexProductHandler:
    def __init__(self, uow: Factory, projector: Projector) -> None:
        self._uow, self._projector = uow, projector

    def __call__(self, cmd: ReindexProduct) -> bool:
        """True when the product has a document now, False when it was removed."""
        with self._uow() as uow:
            document = self._projector.refresh(uow, cmd.product_id)
            uow.commit()
        return document is not None


class RebuildIndexHandler:
    """Walks the active products page by page (one short read transaction each), builds their
    documents into a new index and makes it live at the end; the live index answers
    meanwhile. Documents start without watermarks, so every later event applies."""

    def __init__(self, uow: Factory, projector: Projector, clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._projector, self._clock, self._ids = uow, projector, clock, ids

    def __call__(self, cmd: RebuildIndex) -> int:
        if not 1 <= cmd.batch_size <= 10_000:
            raise InvalidSearch("batch size must be 1..10000", batch_size=cmd.batch_size)
        started = time.perf_counter()
        index, settings = self._projector.index, self._projector.settings
        build = index.rebuild()
        indexed = skipped = offset = 0
        try:
            with self._uow() as uow:
                tree = CategoryTree(catalog.category_views(uow))
            while True:
                with self._uow() as uow:
                    views = catalog.product_views(uow, limit=cmd.batch_size, offset=offset)
                    if not views:
                        break
                    prices = uow.prices.points_for([v.product_id for v in views])
                    skus = {v.sku for view in views for v in view.variants}
                    stock = [row for sku in sorted(skus) for row in uow.stock.items(sku=sku)]
                    ratings = self._projector.ratings(uow, [v.product_id for v in views])
                now = self._clock.now()
                documents = []
                for view in views:
                    document = assemble(
                        view, prices=[p for p in prices if p.product_id == view.product_id],
                        stock=stock, categories=tree, settings=settings, now=now,
                        rating=ratings.get(view.product_id, (0, 0)))
                    if document is None:
                        skipped += 1
                    else:
                        documents.append(document)
                build.add(documents)
                indexed += len(documents)
                offset += len(views)
                if cmd.progress is not None:
                    cmd.progress(offset, indexed)
            build.publish()
        except BaseException:
            build.discard()
            raise
        with self._uow() as uow:
            uow.record(IndexRebuilt(self._ids.new_id(), indexed, skipped, self._clock.now(),
                                    round((time.perf_counter() - started) * 1000, 1)))
            uow.commit()
        return indexed
