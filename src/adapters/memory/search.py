"""The search index and the search log in memory: brute force over every document, the
reference semantics the SQL and Elasticsearch indexes are held to (tests/contract)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.memory.base import InMemoryDatabase, Journal
from commerce_core.search.analysis import Term, analysed, tokens
from commerce_core.search.analytics import summarise
from commerce_core.search.ports import LoggedInteraction, LoggedSearch
from commerce_core.search.queries import (
    FacetBucket,
    Facets,
    Filters,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchReport,
    SearchResult,
    SortBy,
    Suggestion,
    SuggestionKind,
    decode_cursor,
    encode_cursor,
)
from commerce_core.shared.uow import UnitOfWork

# How much a word found in each field counts towards relevance.
WEIGHTS = (("name", 3.0), ("brand", 2.0), ("categories", 1.5), ("attributes", 1.0),
           ("description", 1.0))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return (aware - EPOCH) // timedelta(microseconds=1)


def _word_score(fields: Mapping[str, list[str]], word: str) -> float:
    return max((w for name, w in WEIGHTS if any(t.startswith(word) for t in fields[name])),
               default=0.0)


def score(fields: Mapping[str, list[str]], terms: Sequence[Term]) -> float | None:
    """Every term must match (one of its alternatives: every word of it a prefix of a word of
    the document); the score sums the weight of the best field each word is found in."""
    total = 0.0
    for term in terms:
        best: float | None = None
        for alternative in term:
            scores = [_word_score(fields, word) for word in alternative.split()]
            if scores and all(scores) and (best is None or sum(scores) > best):
                best = sum(scores)
        if best is None:
            return None
        total += best
    return round(total, 6)


def matches(document: SearchDocument, filters: Filters, skip: str = "") -> bool:
    """Whether the document passes every filter but `skip` (a facet counts without its own)."""
    if skip != "category" and filters.category_ids and not (
            set(filters.category_ids) & set(document.category_path)):
        return False
    if skip != "brand" and filters.brands and document.brand not in filters.brands:
        return False
    if skip != "price":
        if filters.price_min is not None and document.price.amount < filters.price_min:
            return False
        if filters.price_max is not None and document.price.amount > filters.price_max:
            return False
    if filters.rating_min is not None and document.rating < filters.rating_min:
        return False
    for key, values in filters.attributes.items():
        if skip != f"attr:{key}" and not set(values) & set(document.attributes.get(key, ())):
            return False
    return skip == "in_stock" or not filters.in_stock or document.in_stock_at(
        filters.warehouse_id)


def sort_key(document: SearchDocument, score: float, sort: SortBy) -> tuple[Any, ...]:
    """(k1, k2, k3, id): ascending order is the result order, and the cursor."""
    if sort is SortBy.PRICE_ASC:
        return (document.price.amount, 0, 0, document.product_id)
    if sort is SortBy.PRICE_DESC:
        return (-document.price.amount, 0, 0, document.product_id)
    if sort is SortBy.NEWEST:
        return (-micros(document.created_at), 0, 0, document.product_id)
    if sort is SortBy.RATING:
        return (-document.rating, -document.review_count, 0, document.product_id)
    return (-score, 0 if document.in_stock else 1, -micros(document.created_at),
            document.product_id)


def buckets(counts: Mapping[str, int], size: int) -> tuple[FacetBucket, ...]:
    ordered = sorted(((v, n) for v, n in counts.items() if n), key=lambda vn: (-vn[1], vn[0]))
    return tuple(FacetBucket(v, n) for v, n in ordered[:size])


def facets(found: Sequence[SearchDocument], query: SearchQuery) -> Facets:
    filters = query.filters

    def under(skip: str) -> list[SearchDocument]:
        return [d for d in found if matches(d, filters, skip)]

    def count(documents: Iterable[SearchDocument],
              values: Callable[[SearchDocument], Iterable[str]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for document in documents:
            for value in set(values(document)):
                counts[value] = counts.get(value, 0) + 1
        return counts

    priced = under("price")
    return Facets(
        brands=buckets(count(under("brand"), lambda d: [d.brand] if d.brand else []),
                       query.facet_size),
        categories=buckets(count(under("category"), lambda d: d.category_path),
                           query.facet_size),
        prices=tuple(FacetBucket(r.key, sum(1 for d in priced if r.contains(d.price.amount)))
                     for r in query.price_ranges),
        attributes={key: buckets(count(under(f"attr:{key}"), _values_of(key)), query.facet_size)
                    for key in query.facet_attributes},
        in_stock=sum(1 for d in under("in_stock") if d.in_stock_at(filters.warehouse_id)),
    )


def _values_of(key: str) -> Callable[[SearchDocument], Iterable[str]]:
    return lambda document: document.attributes.get(key, ())


class _Build:
    def __init__(self, index: InMemorySearchIndex) -> None:
        self._index = index
        self._documents: dict[str, SearchDocument] = {}

    def add(self, documents: Sequence[SearchDocument]) -> None:
        self._documents.update({d.product_id: d for d in documents})

    def publish(self) -> None:
        self._index.replace(self._documents)

    def discard(self) -> None:
        self._documents = {}


class InMemorySearchIndex:
    """Documents in a dict; every query looks at all of them."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._documents: dict[str, SearchDocument] = {}
        self._fields: dict[str, dict[str, list[str]]] = {}

    def upsert(self, documents: Sequence[SearchDocument], *,
               within: UnitOfWork | None = None) -> None:
        with self._lock:
            for document in documents:
                self._documents[document.product_id] = document
                self._fields[document.product_id] = document.words()

    def delete(self, product_ids: Collection[str], *, within: UnitOfWork | None = None) -> None:
        with self._lock:
            for product_id in product_ids:
                self._documents.pop(product_id, None)
                self._fields.pop(product_id, None)

    def get(self, product_id: str, *, within: UnitOfWork | None = None) -> SearchDocument | None:
        return self._documents.get(product_id)

    def count(self) -> int:
        return len(self._documents)

    def replace(self, documents: Mapping[str, SearchDocument]) -> None:
        with self._lock:
            self._documents = dict(documents)
            self._fields = {k: d.words() for k, d in documents.items()}

    def rebuild(self) -> _Build:
        return _Build(self)

    def _active(self) -> list[tuple[SearchDocument, dict[str, list[str]]]]:
        with self._lock:
            return [(d, self._fields[k]) for k, d in self._documents.items()
                    if d.status == "active"]

    def search(self, query: SearchQuery) -> SearchResult:
        scored: list[tuple[SearchDocument, float]] = []
        for document, fields in self._active():
            found = score(fields, query.terms) if query.terms else 0.0
            if found is not None:
                scored.append((document, found))
        text_matches = [d for d, _ in scored]
        kept = sorted(((sort_key(d, s, query.sort), d, s) for d, s in scored
                       if matches(d, query.filters)), key=lambda entry: entry[0])
        if query.cursor is not None:
            after = tuple(decode_cursor(query.cursor))
            page = [e for e in kept if e[0] > after][:query.limit]
            more = len([e for e in kept if e[0] > after]) > len(page)
        else:
            page = kept[query.offset:query.offset + query.limit]
            more = query.offset + len(page) < len(kept)
        return SearchResult(
            total=len(kept),
            hits=tuple(SearchHit(d, s) for _, d, s in page),
            facets=facets(text_matches, query),
            next_cursor=encode_cursor(page[-1][0]) if page and more else None,
        )

    def suggest(self, words: Sequence[str], limit: int) -> list[Suggestion]:
        def fits(text: str) -> bool:
            found = tokens(text)
            return all(any(t.startswith(w) for t in found) for w in words)

        active = [d for d, _ in self._active()]
        products = sorted((d for d in active if fits(d.name)),
                          key=lambda d: (not d.in_stock, analysed(d.name), d.product_id))
        brands = sorted({d.brand for d in active if d.brand and fits(d.brand)},
                        key=lambda b: (analysed(b), b))
        categories = sorted({(analysed(name), name, cid) for d in active
                             for cid, name in zip(d.category_path, d.category_names, strict=True)
                             if fits(name)})
        found = [Suggestion(d.name, SuggestionKind.PRODUCT, d.product_id) for d in products]
        found += [Suggestion(b, SuggestionKind.BRAND, b) for b in brands]
        found += [Suggestion(name, SuggestionKind.CATEGORY, cid) for _, name, cid in categories]
        return found[:limit]

    def vocabulary(self, word: str, spread: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, fields in self._active():
            for term in {t for words in fields.values() for t in words}:
                if abs(len(term) - len(word)) <= spread:
                    counts[term] = counts.get(term, 0) + 1
        return counts


class InMemorySearchLog:
    """The search log in the in-memory database, undone with its transaction."""

    def __init__(self, db: InMemoryDatabase, journal: Journal) -> None:
        self._db, self._journal = db, journal

    @classmethod
    def over(cls, scope: Any) -> InMemorySearchLog:
        return cls(scope.db, scope.journal)

    @property
    def _searches(self) -> dict[str, LoggedSearch]:
        return self._db.table("search_log")

    @property
    def _interactions(self) -> dict[str, LoggedInteraction]:
        return self._db.table("search_interactions")

    def record_search(self, search: LoggedSearch) -> None:
        self._journal.put(self._searches, search.query_id, copy.deepcopy(search))

    def record_interaction(self, interaction: LoggedInteraction) -> None:
        key = f"{len(self._interactions):012d}"
        self._journal.put(self._interactions, key, interaction)

    def has_search(self, query_id: str) -> bool:
        return query_id in self._searches

    def report(self, since: datetime, until: datetime, *, limit: int = 10) -> SearchReport:
        return summarise(self._searches.values(), self._interactions.values(), since, until,
                         limit)
