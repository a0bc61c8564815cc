"""`commerce.search`: product search, autocomplete, analytics and reindexing as plain methods."""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import attrs

from commerce_core.search.analysis import (
    Synonyms,
    Term,
    analysed,
    correction,
    tokens,
    tolerated,
)
from commerce_core.search.commands import (
    RebuildIndex,
    ReindexProduct,
    TrackAddToCart,
    TrackClick,
    TrackSearch,
)
from commerce_core.search.errors import InvalidSearch, SearchUnavailable
from commerce_core.search.model import SearchSettings
from commerce_core.search.ports import SearchIndex, SearchUnitOfWork
from commerce_core.search.queries import (
    DEFAULT_PRICE_RANGES,
    MAX_PAGE_SIZE,
    Filters,
    PriceRange,
    SearchDocument,
    SearchQuery,
    SearchReport,
    SearchResult,
    SortBy,
    Suggestion,
    check_window,
)
from commerce_core.shared.bus import Handle
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.search")

MAX_QUERY_LENGTH = 200
MAX_SUGGESTIONS = 20


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


class SearchApi:
    """Search over product documents (a read model the projector keeps in step with events).

    `query` matches words as prefixes after folding accents ("ao so mi" finds "áo sơ mi"),
    expands synonyms, and when nothing matches retries once with misspelt words corrected
    (`corrected_query`). Every query is logged for analytics unless `record=False`; a failure
    to log never fails the search."""

    def __init__(
        self, handle: Handle, read: UnitOfWorkFactory[SearchUnitOfWork],
        index: SearchIndex | None, clock: Clock, ids: IdGenerator,
        settings: SearchSettings, synonyms: Synonyms,
    ) -> None:
        self._handle, self._read, self._index = handle, read, index
        self._clock, self._ids = clock, ids
        self.settings, self.synonyms = settings, synonyms

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            raise SearchUnavailable("no search index is configured")
        return self._index

    def query(
        self, text: str = "", *, category_ids: tuple[str, ...] = (),
        brands: tuple[str, ...] = (), price_min: int | None = None,
        price_max: int | None = None, attributes: Mapping[str, tuple[str, ...]] | None = None,
        in_stock: bool = False, warehouse_id: str | None = None,
        sort: SortBy | str = SortBy.RELEVANCE, page: int = 1, page_size: int = 20,
        cursor: str | None = None, facet_attributes: tuple[str, ...] = (),
        price_ranges: tuple[PriceRange, ...] = DEFAULT_PRICE_RANGES,
        session: str | None = None, record: bool | None = None,
        rating_min: int | None = None,
    ) -> SearchResult:
        """`rating_min`: only products whose reviews average at least this many stars
        (1 to 5); `sort="rating"`: best rated first."""
        started = time.perf_counter()
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidSearch(f"a query has at most {MAX_QUERY_LENGTH} characters")
        if page < 1:
            raise InvalidSearch("pages start at 1", page=page)
        offset = 0 if cursor else (page - 1) * page_size
        check_window(page_size, offset)
        # A minimum above the maximum is a range nothing is priced in: no hits, not an error.
        try:
            order = SortBy(sort)
        except ValueError as exc:
            raise InvalidSearch(f"unknown sort {sort!r}", sort=str(sort),
                                allowed=[s.value for s in SortBy]) from exc
        if rating_min is not None and not 1 <= rating_min <= 5:
            raise InvalidSearch("rating_min is a number of stars from 1 to 5",
                                rating_min=rating_min)
        filters = Filters(
            category_ids=tuple(category_ids), brands=tuple(brands), price_min=price_min,
            price_max=price_max,
            attributes={k: tuple(v) for k, v in (attributes or {}).items() if v},
            in_stock=in_stock, warehouse_id=warehouse_id,
            rating_min=None if rating_min is None else rating_min * 100,
        )
        query = SearchQuery(
            terms=self.synonyms.terms(tokens(text)), filters=filters, sort=order,
            limit=page_size, offset=offset, cursor=cursor,
            facet_attributes=tuple(facet_attributes), price_ranges=tuple(price_ranges),
        )
        result = self.index.search(query)
        if result.total == 0 and query.terms and cursor is None:
            result = self._corrected(query) or result
        latency = round((time.perf_counter() - started) * 1000, 2)
        if record if record is not None else self.settings.record_searches:
            result = attrs.evolve(result, query_id=self._track(
                text, filters, order, result, session, latency))
        return result

    def _corrected(self, query: SearchQuery) -> SearchResult | None:
        """The query again with each unknown single word replaced by the closest indexed one."""
        changed = False
        terms: list[Term] = []
        for term in query.terms:
            if len(term) == 1 and " " not in term[0] and tolerated(term[0]):
                word = term[0]
                better = correction(word, self.index.vocabulary(word, tolerated(word)))
                if better is not None:
                    terms.append(self.synonyms.terms([better])[0])
                    changed = True
                    continue
            terms.append(term)
        if not changed:
            return None
        result = self.index.search(attrs.evolve(query, terms=tuple(terms)))
        if result.total == 0:
            return None
        return attrs.evolve(result, corrected_query=" ".join(t[0] for t in terms))

    def _track(self, text: str, filters: Filters, order: SortBy, result: SearchResult,
               session: str | None, latency: float) -> str | None:
        query_id = self._ids.new_id()
        try:
            self._handle(TrackSearch(query_id, analysed(text), filters.to_dict(), order.value,
                                     result.total, tuple(result.product_ids[:20]), session,
                                     latency))
        except CommerceError:
            log.exception("search: the query could not be logged")
            return None
        return query_id

    def suggest(self, prefix: str, limit: int = 10) -> builtins.list[Suggestion]:
        """Autocomplete: products, brands and categories whose words start with the typed
        ones (at least one letter or digit; fewer answers nothing)."""
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise InvalidSearch(f"limit must be 1..{MAX_SUGGESTIONS}", limit=limit)
        if len(prefix) > MAX_QUERY_LENGTH:
            raise InvalidSearch(f"a prefix has at most {MAX_QUERY_LENGTH} characters")
        words = tokens(prefix)
        if not words:
            return []
        return self.index.suggest(words, limit)

    def document(self, product_id: str) -> SearchDocument | None:
        return self.index.get(product_id)

    def count(self) -> int:
        return self.index.count()

    def click(self, query_id: str, product_id: str, position: int | None = None) -> None:
        self._handle(TrackClick(query_id, product_id, position))

    def add_to_cart(self, query_id: str, product_id: str) -> None:
        self._handle(TrackAddToCart(query_id, product_id))

    def report(self, since: datetime | None = None, until: datetime | None = None, *,
               limit: int = 10) -> SearchReport:
        """Search analytics over `[since, until)`, by default the last 24 hours."""
        until = _aware(until) or self._clock.now() + timedelta(microseconds=1)
        since = _aware(since) or until - timedelta(days=1)
        # A window that ends before it starts holds nothing: an empty report, not an error.
        since = min(since, until)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidSearch(f"limit must be 1..{MAX_PAGE_SIZE}", limit=limit)
        with self._read() as uow:
            return uow.search_log.report(since, until, limit=limit)

    def reindex(self, *, batch_size: int = 100,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the whole index (zero downtime); returns the documents indexed."""
        self.index  # noqa: B018 - fail before reading anything when no index is configured
        return int(self._handle(RebuildIndex(batch_size, progress)))

    def reindex_product(self, product_id: str) -> bool:
        self.index  # noqa: B018
        return bool(self._handle(ReindexProduct(product_id)))
