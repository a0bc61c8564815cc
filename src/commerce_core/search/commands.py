"""Search commands: analytics tracking and reindexing (queries go through `commerce.search`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import field, frozen


@frozen
class TrackSearch:
    query_id: str
    text: str
    filters: Mapping[str, Any]
    sort: str
    result_count: int
    product_ids: tuple[str, ...] = ()
    session: str | None = None
    latency_ms: float | None = None


@frozen
class TrackClick:
    query_id: str
    product_id: str
    position: int | None = None


@frozen
class TrackAddToCart:
    query_id: str
    product_id: str


@frozen
class ReindexProduct:
    """Rebuild one product's document from the catalog, pricing and inventory now."""

    product_id: str


@frozen
class RebuildIndex:
    """Rebuild every document into a new index and make it live at the end (zero downtime).
    `progress(read, indexed)` is called after every batch with the products read and the
    documents built so far."""

    batch_size: int = 100
    progress: Callable[[int, int], None] | None = field(default=None, eq=False)
