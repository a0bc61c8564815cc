"""What search needs: an index of product documents and a log of searches for analytics."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from attrs import field, frozen

from commerce_core.catalog.ports import CategoryReadUnitOfWork, ProductReadUnitOfWork
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.search.queries import (
    SearchDocument,
    SearchQuery,
    SearchReport,
    SearchResult,
    Suggestion,
)
from commerce_core.shared.uow import UnitOfWork


class IndexBuild(Protocol):
    """A new index being filled while the live one keeps answering; `publish` makes it the
    live one in one step (an alias swap, a transaction), `discard` drops it."""

    def add(self, documents: Sequence[SearchDocument]) -> None: ...

    def publish(self) -> None: ...

    def discard(self) -> None: ...


class ProductRatings(Protocol):
    """Products' ratings as documents show them: (average in hundredths of a star, number of
    approved reviews) by product id, read in the caller's unit of work; a product without
    reviews may be missing. The review context answers it; the composition root injects it
    (search and reviews are siblings and never import each other)."""

    def __call__(self, uow: Any, product_ids: Sequence[str]) -> Mapping[str, tuple[int, int]]:
        ...


class SearchIndex(Protocol):
    """Product documents and the queries over them. Search is its only writer.

    Writes are idempotent: upserting a document again, or deleting an absent one, changes
    nothing. `within` is the unit of work the caller is in: an index stored in the same
    database (the SQL adapter) writes in its transaction, so the document commits with the
    projector's inbox row; an external engine (Elasticsearch) cannot join it and ignores it,
    and the projector's watermarks make the redelivery that may follow harmless.
    Text matching is on the analysed forms (`analysis.tokens`): every query term must match a
    word of the document as a prefix; `search` never corrects spelling (the core does, with
    `vocabulary`). An unreachable engine raises `SearchUnavailable`.
    """

    def upsert(self, documents: Sequence[SearchDocument], *,
               within: UnitOfWork | None = None) -> None: ...

    def delete(self, product_ids: Collection[str], *, within: UnitOfWork | None = None) -> None:
        ...

    def get(self, product_id: str, *, within: UnitOfWork | None = None) -> SearchDocument | None:
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Hits of `query.limit` after the cursor (or offset) in the query's sort, the total,
        and the facets. Ties: relevance breaks them by in stock first, newest, then id; the
        other sorts by id."""
        ...

    def suggest(self, words: Sequence[str], limit: int) -> list[Suggestion]:
        """Autocomplete: products whose name has every word as a prefix of one of its words
        (in stock first, then by name), then brands and category names that do; at most
        `limit`."""
        ...

    def vocabulary(self, word: str, spread: int) -> Mapping[str, int]:
        """Indexed words whose length is within `spread` of the word's, with how many
        documents use them: the candidates a spelling correction is chosen from. An adapter
        may narrow them (by shared trigrams) as long as every word within `spread` edits of
        `word` stays."""
        ...

    def count(self) -> int: ...

    def rebuild(self) -> IndexBuild: ...


@frozen
class LoggedSearch:
    """One search as analytics keeps it: the normalised text, filters and result count."""

    query_id: str
    text: str
    filters: Mapping[str, Any]
    sort: str
    result_count: int
    occurred_at: datetime
    session: str | None = None  # a hash, never the raw session or customer id
    latency_ms: float | None = None
    product_ids: tuple[str, ...] = field(factory=tuple)


@frozen
class LoggedInteraction:
    """A click on, or an add to cart of, a product a search returned."""

    query_id: str
    kind: str  # click | add_to_cart
    product_id: str
    occurred_at: datetime
    position: int | None = None


class SearchLog(Protocol):
    """The searches and what shoppers did with their results, in the unit of work's
    transaction (written with the event that announces them)."""

    def record_search(self, search: LoggedSearch) -> None: ...

    def record_interaction(self, interaction: LoggedInteraction) -> None: ...

    def has_search(self, query_id: str) -> bool: ...

    def report(self, since: datetime, until: datetime, *, limit: int = 10) -> SearchReport:
        """Totals over searches made in `[since, until)` and interactions with them; top terms
        by searches (then term), zero-result terms by zero-result searches (then term)."""
        ...


class SearchUnitOfWork(ProductReadUnitOfWork, CategoryReadUnitOfWork, InventoryUnitOfWork,
                       PricingUnitOfWork, Protocol):
    """The projector reads the catalog, pricing and stock through their faces; analytics
    writes the search log."""

    @property
    def search_log(self) -> SearchLog: ...
