"""Facts search publishes: for analytics only (nothing in the shop depends on them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import field, frozen

from commerce_core.shared.events import DomainEvent


@frozen
class SearchExecuted(DomainEvent):
    """A shopper searched: the normalised text, the filters and how many products matched."""

    type = "search.query_executed"
    query_id: str
    text: str
    filters: dict[str, Any]
    sort: str
    result_count: int
    occurred_at: datetime
    session: str | None = None
    latency_ms: float | None = None


@frozen
class SearchResultClicked(DomainEvent):
    type = "search.result_clicked"
    query_id: str
    product_id: str
    position: int | None
    occurred_at: datetime


@frozen
class SearchResultAddedToCart(DomainEvent):
    type = "search.result_added_to_cart"
    query_id: str
    product_id: str
    occurred_at: datetime


@frozen
class IndexRebuilt(DomainEvent):
    """A full reindex replaced the live index."""

    type = "search.index_rebuilt"
    build_id: str
    documents: int
    skipped: int
    occurred_at: datetime
    duration_ms: float = field(default=0.0)
