"""The projector: keeps product documents in step with catalog, pricing and inventory events.

Every event names a product (or a SKU, which the catalog maps to its product); the projector
rebuilds that product's document from what the three contexts say *now*, read through their
faces, so an event that lacks data (a publish, a reservation) costs one read and a replayed or
late event converges on the current state. Each document keeps a watermark per source: the
newest event time (catalog, stock) or price sequence it reflects; an event older than its
source's watermark is ignored without reading anything. The bus's inbox makes a redelivered
event a no-op for the subscriber that already applied it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from commerce_core.catalog import services as catalog
from commerce_core.search.model import (
    CategoryTree,
    SearchSettings,
    assemble,
    mark,
    sequence_mark,
)
from commerce_core.search.ports import ProductRatings, SearchIndex, SearchUnitOfWork
from commerce_core.search.queries import SearchDocument
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope

log = logging.getLogger("commerce.search")

CATALOG_EVENTS = (
    "catalog.product_created", "catalog.product_updated", "catalog.product_published",
    "catalog.product_unpublished", "catalog.product_archived", "catalog.price_changed",
)
PRICING_EVENTS = ("price.updated", "price.deleted")
# Only what can move a row's availability across zero: a reservation matters when it sells the
# row out (`stock_depleted`), not each time (a checkout stays as cheap for 20 lines as for 1);
# confirming a reservation or shipping reserved units leaves availability as it was. A
# document's unit counts are therefore those of its last refresh; in or out of stock is exact.
STOCK_EVENTS = (
    "inventory.stock_changed", "inventory.stock_depleted", "inventory.reservation_released",
    "inventory.reservation_expired", "inventory.stock_damaged", "inventory.adjustment_approved",
)


class Projector:
    """Builds and writes documents; the subscribers below call it, so do the reindex
    commands."""

    def __init__(self, index: SearchIndex, settings: SearchSettings, clock: Clock,
                 ratings: ProductRatings | None = None) -> None:
        self.index, self.settings, self._clock = index, settings, clock
        self._ratings = ratings

    def ratings(self, uow: SearchUnitOfWork,
                product_ids: Sequence[str]) -> Mapping[str, tuple[int, int]]:
        """The products' ratings (none without a source: every document unrated)."""
        return {} if self._ratings is None else self._ratings(uow, product_ids)

    def document(self, uow: SearchUnitOfWork, product_id: str,
                 watermarks: dict[str, str] | None = None) -> SearchDocument | None:
        view = catalog.product_view(uow, product_id)
        if view is None:
            return None
        stock = [row for v in view.variants for row in uow.stock.items(sku=v.sku)]
        return assemble(
            view, prices=uow.prices.points_for([product_id]), stock=stock,
            categories=CategoryTree(catalog.category_views(uow)), settings=self.settings,
            now=self._clock.now(), watermarks=watermarks,
            rating=self.ratings(uow, [product_id]).get(product_id, (0, 0)),
        )

    def refresh(self, uow: SearchUnitOfWork, product_id: str, source: str | None = None,
                at: str | None = None) -> SearchDocument | None:
        """Rebuild one product's document, unless the event (`source` at `at`) is older than
        what the document already reflects. Returns the document written (None: removed or
        stale)."""
        current = self.index.get(product_id, within=uow)
        watermarks = dict(current.watermarks) if current is not None else {}
        if source is not None and at is not None:
            if watermarks.get(source, "") > at:
                log.debug("search: stale %s event for %s ignored", source, product_id)
                return None
            watermarks[source] = at
        document = self.document(uow, product_id, watermarks)
        if document is None:
            if current is not None:
                self.index.delete([product_id], within=uow)
            return None
        self.index.upsert([document], within=uow)
        return document


def _catalog_key(envelope: EventEnvelope, uow: Any) -> tuple[str, str, str] | None:
    return str(envelope.payload["product_id"]), "catalog", mark(envelope.occurred_at)


def _pricing_key(envelope: EventEnvelope, uow: Any) -> tuple[str, str, str] | None:
    sequence = envelope.payload.get("sequence")
    at = sequence_mark(int(sequence)) if sequence is not None else mark(envelope.occurred_at)
    return str(envelope.payload["product_id"]), "pricing", at


def _stock_key(envelope: EventEnvelope, uow: SearchUnitOfWork) -> tuple[str, str, str] | None:
    sku, warehouse = str(envelope.payload["sku"]), str(envelope.payload["warehouse_id"])
    item = catalog.sellable(uow, [sku]).get(sku)
    if item is None:
        return None
    return item.product_id, f"stock:{sku}@{warehouse}", mark(envelope.occurred_at)


class RefreshRating:
    """`review.rating_updated` → the product's document takes the announced average and count
    (read by type and payload: search does not import the review context). Nothing else of
    the document changes, so nothing else is read; an older announcement than the document's
    `rating` watermark is ignored, and a product without a document gets its rating when it
    is indexed (the projector reads ratings then)."""

    name = "search.refresh_rating_on_review_rating_updated"
    event_type = "review.rating_updated"

    def __init__(self, projector: Projector) -> None:
        self._projector = projector

    def __call__(self, envelope: EventEnvelope, uow: SearchUnitOfWork) -> None:
        payload, index = envelope.payload, self._projector.index
        product_id, at = str(payload["product_id"]), mark(envelope.occurred_at)
        current = index.get(product_id, within=uow)
        if current is None or current.watermarks.get("rating", "") > at:
            return
        index.upsert([attrs.evolve(
            current, rating=int(payload["average_rating"]),
            review_count=int(payload["total_reviews"]),
            watermarks={**current.watermarks, "rating": at})], within=uow)


Key = Callable[[EventEnvelope, Any], tuple[str, str, str] | None]


class RefreshDocument:
    """A subscriber that refreshes the document of the product an event is about."""

    def __init__(self, projector: Projector, event_type: str, key: Key,
                 wants: Callable[[EventEnvelope], bool] | None = None) -> None:
        self.name = f"search.refresh_document_on_{event_type.replace('.', '_')}"
        self.event_type = event_type
        self._projector, self._key = projector, key
        self._wants = wants

    def wants(self, envelope: EventEnvelope) -> bool:
        return self._wants is None or self._wants(envelope)

    def __call__(self, envelope: EventEnvelope, uow: SearchUnitOfWork) -> None:
        key = self._key(envelope, uow)
        if key is None:
            return
        product_id, source, at = key
        self._projector.refresh(uow, product_id, source, at)


def subscribers(projector: Projector) -> list[Subscriber]:
    currency = projector.settings.currency

    def shop_currency(envelope: EventEnvelope) -> bool:
        return envelope.payload.get("currency") in (None, currency)

    reactions = [RefreshDocument(projector, t, _catalog_key) for t in CATALOG_EVENTS]
    reactions += [RefreshDocument(projector, t, _pricing_key, shop_currency)
                  for t in PRICING_EVENTS]
    reactions += [RefreshDocument(projector, t, _stock_key) for t in STOCK_EVENTS]
    return [*(Subscriber.of(r) for r in reactions), Subscriber.of(RefreshRating(projector))]
