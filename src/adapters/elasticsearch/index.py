"""Product documents in Elasticsearch: a mapping with ASCII folding and edge n-grams, facets
as filter aggregations, reindexing into a new index behind an alias swap.

Texts arrive folded and tokenised by `analysis` (as for every adapter); the `*.prefix`
sub-fields index edge n-grams (1-20) of each word and are searched with the folding analyser,
so every query word matches as a prefix, with the field boosts of the reference (name 3,
brand 2, categories 1.5, attributes and description 1). Filters go in `post_filter` and each
facet is a `filter` aggregation of every other filter, so facets count under all filters but
their own. Transport failures become `SearchUnavailable` in `_call`, the one choke point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError

from commerce_core.search.analysis import Term, analysed
from commerce_core.search.errors import SearchUnavailable
from commerce_core.search.queries import (
    FacetBucket,
    Facets,
    Filters,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    SortBy,
    Suggestion,
    SuggestionKind,
    decode_cursor,
    encode_cursor,
)
from commerce_core.shared.uow import UnitOfWork

ALIAS = "products_search"
FIELDS = ("name.prefix^3", "brand_text.prefix^2", "categories.prefix^1.5",
          "attributes_text.prefix", "description.prefix")
R = TypeVar("R")
_LABEL = "\u001f"  # joins a category id to its name in `category_labels`


def mapping() -> dict[str, Any]:
    """Settings and mappings of every index behind the alias."""
    prefix = {"type": "text", "analyzer": "folding",
              "fields": {"prefix": {"type": "text", "analyzer": "prefix",
                                    "search_analyzer": "folding"}}}
    return {
        "settings": {
            "number_of_shards": 1,
            "analysis": {
                "filter": {"edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20}},
                "analyzer": {
                    "folding": {"type": "custom", "tokenizer": "standard",
                                "filter": ["lowercase", "asciifolding"]},
                    "prefix": {"type": "custom", "tokenizer": "standard",
                               "filter": ["lowercase", "asciifolding", "edge"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "product_id": {"type": "keyword"}, "status": {"type": "keyword"},
                "name": prefix, "brand_text": prefix, "categories": prefix,
                "attributes_text": prefix, "description": prefix,
                "name_sort": {"type": "keyword"}, "brand": {"type": "keyword"},
                "category_path": {"type": "keyword"}, "category_labels": {"type": "keyword"},
                "attribute_pairs": {"type": "keyword"}, "words": {"type": "keyword"},
                "price_amount": {"type": "long"}, "in_stock": {"type": "integer"},
                "in_stock_at": {"type": "keyword"}, "created_us": {"type": "long"},
                "rating": {"type": "integer"}, "review_count": {"type": "integer"},
                "document": {"type": "object", "enabled": False},
            },
        },
    }


def _micros(at: datetime) -> int:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return (aware - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def source(document: SearchDocument) -> dict[str, Any]:
    """The indexed form of a document; the document itself rides along, not indexed."""
    words = document.words()
    return {
        "product_id": document.product_id, "status": document.status,
        "name": " ".join(words["name"]), "brand_text": " ".join(words["brand"]),
        "categories": " ".join(words["categories"]),
        "attributes_text": " ".join(words["attributes"]),
        "description": " ".join(words["description"]), "name_sort": analysed(document.name),
        "brand": document.brand, "category_path": list(document.category_path),
        "category_labels": [f"{c}{_LABEL}{n}" for c, n
                            in zip(document.category_path, document.category_names, strict=True)],
        "attribute_pairs": sorted(f"{k}={v}" for k, vs in document.attributes.items()
                                  for v in vs),
        "words": sorted({w for ws in words.values() for w in ws}),
        "price_amount": document.price.amount, "in_stock": int(document.in_stock),
        "in_stock_at": sorted(w for w, n in document.stock.items() if n > 0),
        "created_us": _micros(document.created_at), "rating": document.rating,
        "review_count": document.review_count, "document": document.to_dict(),
    }


def _text(terms: Sequence[Term]) -> dict[str, Any]:
    def word(w: str) -> dict[str, Any]:
        return {"multi_match": {"query": w, "fields": list(FIELDS), "type": "best_fields"}}

    def alternative(phrase: str) -> dict[str, Any]:
        return {"bool": {"must": [word(w) for w in phrase.split()]}}

    return {"bool": {"must": [{"bool": {"should": [alternative(a) for a in term],
                                        "minimum_should_match": 1}} for term in terms],
                     "filter": [{"term": {"status": "active"}}]}}


def _in_stock(warehouse_id: str | None) -> dict[str, Any]:
    if warehouse_id is None:
        return {"term": {"in_stock": 1}}
    return {"term": {"in_stock_at": warehouse_id}}


def _filters(filters: Filters) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if filters.category_ids:
        found.append(("category", {"terms": {"category_path": list(filters.category_ids)}}))
    if filters.brands:
        found.append(("brand", {"terms": {"brand": list(filters.brands)}}))
    for key, values in sorted(filters.attributes.items()):
        found.append((f"attr:{key}",
                      {"terms": {"attribute_pairs": [f"{key}={v}" for v in values]}}))
    bounds = {}
    if filters.price_min is not None:
        bounds["gte"] = filters.price_min
    if filters.price_max is not None:
        bounds["lte"] = filters.price_max
    if bounds:
        found.append(("price", {"range": {"price_amount": bounds}}))
    if filters.in_stock:
        found.append(("in_stock", _in_stock(filters.warehouse_id)))
    if filters.rating_min is not None:  # no facet of its own: every facet counts under it
        found.append(("rating", {"range": {"rating": {"gte": filters.rating_min}}}))
    return found


def _all_but(filters: Sequence[tuple[str, dict[str, Any]]], skip: str) -> dict[str, Any]:
    return {"bool": {"filter": [clause for name, clause in filters if name != skip]}}


def _sort(sort: SortBy) -> list[dict[str, Any]]:
    last = {"product_id": "asc"}
    if sort is SortBy.PRICE_ASC:
        return [{"price_amount": "asc"}, last]
    if sort is SortBy.PRICE_DESC:
        return [{"price_amount": "desc"}, last]
    if sort is SortBy.NEWEST:
        return [{"created_us": "desc"}, last]
    if sort is SortBy.RATING:
        return [{"rating": "desc"}, {"review_count": "desc"}, last]
    return [{"_score": "desc"}, {"in_stock": "desc"}, {"created_us": "desc"}, last]


def search_body(query: SearchQuery) -> dict[str, Any]:
    """The request body of a query (the recorded-transport tests assert it)."""
    filters = _filters(query.filters)
    base: dict[str, Any] = (_text(query.terms) if query.terms
                            else {"bool": {"filter": [{"term": {"status": "active"}}]}})
    size = query.facet_size

    def terms(field: str, skip: str, **extra: Any) -> dict[str, Any]:
        return {"filter": _all_but(filters, skip),
                "aggs": {"values": {"terms": {"field": field, "size": max(size, 1) * 5,
                                              **extra}}}}

    aggs: dict[str, Any] = {
        "brands": terms("brand", "brand"),
        "categories": terms("category_path", "category"),
        "prices": {"filter": _all_but(filters, "price"), "aggs": {"values": {"range": {
            "field": "price_amount", "keyed": False,
            "ranges": [{k: v for k, v in (("key", str(i)), ("from", r.gte), ("to", r.lt))
                        if v is not None} for i, r in enumerate(query.price_ranges)]}}}},
        "in_stock": {"filter": {"bool": {"filter": [
            *_all_but(filters, "in_stock")["bool"]["filter"],
            _in_stock(query.filters.warehouse_id)]}}},
    }
    for key in query.facet_attributes:
        aggs[f"attr:{key}"] = terms("attribute_pairs", f"attr:{key}",
                                    include=f"{re.escape(key)}=.*")
    body: dict[str, Any] = {
        "query": base, "post_filter": _all_but(filters, ""), "aggs": aggs,
        "sort": _sort(query.sort), "size": query.limit + 1, "track_total_hits": True,
        "source_includes": ["document"],
    }
    if query.cursor is not None:
        body["search_after"] = decode_cursor(query.cursor)
    else:
        body["from"] = query.offset
    return body


def _buckets(raw: Iterable[Mapping[str, Any]], size: int,
             value: Callable[[str], str] = str) -> tuple[FacetBucket, ...]:
    counted = sorted(((value(str(b["key"])), int(b["doc_count"])) for b in raw
                      if b["doc_count"]), key=lambda vn: (-vn[1], vn[0]))
    return tuple(FacetBucket(v, n) for v, n in counted[:size])


def _value(pair: str) -> str:
    """The value of a `key=value` attribute pair."""
    return pair.partition("=")[2]


class _Build:
    def __init__(self, index: ElasticsearchSearchIndex, name: str) -> None:
        self._index, self.name = index, name

    def add(self, documents: Sequence[SearchDocument]) -> None:
        self._index.bulk(self.name, documents)

    def publish(self) -> None:
        self._index.swap(self.name)

    def discard(self) -> None:
        self._index.drop(self.name)


class ElasticsearchSearchIndex:
    """Documents in the indices behind an alias; writes go to the alias's index."""

    def __init__(self, client: Elasticsearch, *, alias: str = ALIAS, refresh: bool = False,
                 now: Callable[[], datetime] | None = None) -> None:
        self._client, self.alias, self._refresh = client, alias, refresh
        self._now = now or (lambda: datetime.now(UTC))
        self._ready = False

    # -- the one choke point ------------------------------------------------------------------
    @staticmethod
    def _call(work: Callable[[], R]) -> R:
        try:
            return work()
        except (TransportConnectionError, TransportError) as exc:
            raise SearchUnavailable(f"Elasticsearch did not answer: {exc}") from exc
        except ApiError as exc:
            if isinstance(exc, NotFoundError):
                raise
            raise SearchUnavailable(f"Elasticsearch refused: {exc}") from exc

    def _ensure(self) -> None:
        """Create a first index behind the alias if there is none."""
        if self._ready:
            return
        if not self._call(lambda: bool(self._client.indices.exists_alias(name=self.alias))):
            name = self._new_name()
            self._call(lambda: self._client.indices.create(
                index=name, aliases={self.alias: {}}, **mapping()))
        self._ready = True

    def _new_name(self) -> str:
        return f"{self.alias}_{self._now():%Y%m%d_%H%M%S_%f}"

    # -- writing ------------------------------------------------------------------------------
    def bulk(self, index: str, documents: Sequence[SearchDocument],
             deletes: Collection[str] = ()) -> None:
        operations: list[dict[str, Any]] = []
        for document in documents:
            operations += [{"index": {"_index": index, "_id": document.product_id}},
                           source(document)]
        operations += [{"delete": {"_index": index, "_id": p}} for p in deletes]
        if not operations:
            return
        answer = self._call(lambda: self._client.bulk(operations=operations,
                                                      refresh=self._refresh))
        if answer.get("errors"):
            failed = [item for item in answer["items"] for op in item.values()
                      if op.get("status", 200) >= 300 and op.get("status") != 404]
            if failed:
                raise SearchUnavailable(f"Elasticsearch refused {len(failed)} writes",
                                        first=failed[0])

    def upsert(self, documents: Sequence[SearchDocument], *,
               within: UnitOfWork | None = None) -> None:
        self._ensure()
        self.bulk(self.alias, documents)

    def delete(self, product_ids: Collection[str], *, within: UnitOfWork | None = None) -> None:
        self._ensure()
        self.bulk(self.alias, (), product_ids)

    def rebuild(self) -> _Build:
        name = self._new_name()
        self._call(lambda: self._client.indices.create(index=name, **mapping()))
        return _Build(self, name)

    def swap(self, name: str) -> None:
        """Refresh the new index, then move the alias to it in one request, and drop the
        indices it left."""
        self._call(lambda: self._client.indices.refresh(index=name))
        current = self._call(lambda: self._client.indices.get_alias(
            name=self.alias, ignore_unavailable=True))
        old = [index for index in current if index != name]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}}
                                         for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(lambda: self._client.indices.update_aliases(actions=actions))
        for index in old:
            self.drop(index)
        self._ready = True

    def drop(self, name: str) -> None:
        self._call(lambda: self._client.indices.delete(index=name, ignore_unavailable=True))

    # -- reading ------------------------------------------------------------------------------
    def get(self, product_id: str, *, within: UnitOfWork | None = None) -> SearchDocument | None:
        self._ensure()
        try:
            found = self._call(lambda: self._client.get(index=self.alias, id=product_id,
                                                        source_includes=["document"]))
        except NotFoundError:
            return None
        return SearchDocument.from_dict(found["_source"]["document"])

    def count(self) -> int:
        self._ensure()
        return int(self._call(lambda: self._client.count(index=self.alias))["count"])

    def search(self, query: SearchQuery) -> SearchResult:
        self._ensure()
        answer = self._call(lambda: self._client.search(index=self.alias,
                                                        **search_body(query)))
        hits = answer["hits"]["hits"]
        more = len(hits) > query.limit
        hits = hits[:query.limit]
        total = int(answer["hits"]["total"]["value"])
        aggs = answer["aggregations"]
        size = query.facet_size
        prices = {b["key"]: int(b["doc_count"]) for b in aggs["prices"]["values"]["buckets"]}
        facets = Facets(
            brands=_buckets(aggs["brands"]["values"]["buckets"], size),
            categories=_buckets(aggs["categories"]["values"]["buckets"], size),
            prices=tuple(FacetBucket(r.key, prices.get(str(i), 0))
                         for i, r in enumerate(query.price_ranges)),
            attributes={k: _buckets(aggs[f"attr:{k}"]["values"]["buckets"], size, _value)
                        for k in query.facet_attributes},
            in_stock=int(aggs["in_stock"]["doc_count"]),
        )
        return SearchResult(
            total=total,
            hits=tuple(SearchHit(SearchDocument.from_dict(h["_source"]["document"]),
                                 round(float(h.get("_score") or 0.0), 6)) for h in hits),
            facets=facets,
            next_cursor=encode_cursor(tuple(hits[-1]["sort"])) if more else None,
        )

    def suggest(self, words: Sequence[str], limit: int) -> list[Suggestion]:
        self._ensure()
        must = [{"match": {"name.prefix": w}} for w in words]
        answer = self._call(lambda: self._client.search(
            index=self.alias, size=limit, source_includes=["document.name", "product_id"],
            query={"bool": {"must": must, "filter": [{"term": {"status": "active"}}]}},
            sort=[{"in_stock": "desc"}, {"name_sort": "asc"}, {"product_id": "asc"}],
            aggs={"brands": {"terms": {"field": "brand", "size": 1000}},
                  "categories": {"terms": {"field": "category_labels", "size": 1000}}},
        ))
        found = [Suggestion(h["_source"]["document"]["name"], SuggestionKind.PRODUCT,
                            h["_source"]["product_id"]) for h in answer["hits"]["hits"]]

        def fits(text: str) -> bool:
            found_words = analysed(text).split()
            return all(any(t.startswith(w) for t in found_words) for w in words)

        aggs = answer["aggregations"]
        brands = sorted((str(b["key"]) for b in aggs["brands"]["buckets"]
                         if fits(str(b["key"]))), key=lambda b: (analysed(b), b))
        categories = sorted((analysed(name), name, cid) for cid, _, name in
                            (str(b["key"]).partition(_LABEL) for b in
                             aggs["categories"]["buckets"]) if fits(name))
        found += [Suggestion(b, SuggestionKind.BRAND, b) for b in brands]
        found += [Suggestion(n, SuggestionKind.CATEGORY, c) for _, n, c in categories]
        return found[:limit]

    def vocabulary(self, word: str, spread: int) -> dict[str, int]:
        self._ensure()
        low, high = max(len(word) - spread, 1), len(word) + spread
        answer = self._call(lambda: self._client.search(
            index=self.alias, size=0, query={"term": {"status": "active"}},
            aggs={"words": {"terms": {"field": "words", "size": 10_000,
                                      "include": f"[a-z0-9]{{{low},{high}}}"}}}))
        return {str(b["key"]): int(b["doc_count"])
                for b in answer["aggregations"]["words"]["buckets"]}
