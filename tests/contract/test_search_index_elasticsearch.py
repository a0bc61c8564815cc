"""The Elasticsearch index against a recorded transport: each request is asserted, and the
answer is shaped exactly as Elasticsearch 8 answers it. (With COMMERCE_TEST_ELASTICSEARCH_URL
the whole index contract suite also runs against a real cluster.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from adapters.elasticsearch import ElasticsearchSearchIndex
from commerce_core.search.analysis import query_terms
from commerce_core.search.errors import SearchUnavailable
from commerce_core.search.queries import (
    Filters,
    PriceRange,
    SearchQuery,
    SortBy,
    encode_cursor,
)
from tests.contract.search_support import doc

NOW = datetime(2026, 12, 4, 10, 0, 0, tzinfo=UTC)
INDEX = "products_search_20261204_100000_000000"
SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


@attrs.frozen
class Exchange:
    method: str
    path: str
    answer: Any
    status: int = 200
    check: Callable[[Any], None] = lambda body: None
    query: dict[str, str] = attrs.field(factory=dict)


class RecordedNode(BaseNode):
    """Answers the exchanges of `script` in order, asserting each request."""

    script: ClassVar[list[Exchange]] = []
    failure: ClassVar[Callable[[], Exception] | None] = None

    def perform_request(self, method: str, target: str, body: bytes | None = None,
                        headers: HttpHeaders | None = None,
                        request_timeout: Any = None) -> NodeApiResponse:
        if RecordedNode.failure is not None:
            raise RecordedNode.failure()
        assert RecordedNode.script, f"unexpected request {method} {target}"
        expected = RecordedNode.script.pop(0)
        url = urlsplit(target)
        assert (method, url.path) == (expected.method, expected.path), (method, target)
        asked = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert expected.query.items() <= asked.items(), asked
        text = (body or b"").decode()
        if text and url.path.endswith("_bulk"):
            expected.check([json.loads(line) for line in text.splitlines() if line])
        else:
            expected.check(json.loads(text) if text else None)
        meta = ApiResponseMeta(
            status=expected.status, http_version="1.1", duration=0.001, node=self.config,
            headers=HttpHeaders({"content-type": "application/vnd.elasticsearch+json;"
                                 "compatible-with=8", "x-elastic-product": "Elasticsearch"}))
        return NodeApiResponse(meta, json.dumps(expected.answer).encode())


@pytest.fixture
def index() -> Iterator[ElasticsearchSearchIndex]:
    RecordedNode.script, RecordedNode.failure = [], None
    client = Elasticsearch("http://es.test:9200", node_class=RecordedNode)
    yield ElasticsearchSearchIndex(client, now=lambda: NOW)
    assert RecordedNode.script == [], "requests expected but never made"


def expect(*exchanges: Exchange) -> None:
    RecordedNode.script.extend(exchanges)


def alias_exists() -> Exchange:
    return Exchange("HEAD", "/_alias/products_search", {})


def bulk_answer(*ids: str, action: str = "index") -> dict[str, Any]:
    return {"took": 4, "errors": False, "items": [
        {action: {"_index": INDEX, "_id": i, "_version": 1, "result": "created",
                  "_shards": {"total": 1, "successful": 1, "failed": 0}, "_seq_no": n,
                  "_primary_term": 1, "status": 201}} for n, i in enumerate(ids)]}


def test_a_first_write_creates_the_index_behind_the_alias(
        index: ElasticsearchSearchIndex) -> None:
    def mapping(body: Any) -> None:
        analysis = body["settings"]["analysis"]
        assert analysis["analyzer"]["folding"]["filter"] == ["lowercase", "asciifolding"]
        assert analysis["filter"]["edge"] == {"type": "edge_ngram", "min_gram": 1,
                                              "max_gram": 20}
        assert body["aliases"] == {"products_search": {}}
        assert body["mappings"]["properties"]["name"]["fields"]["prefix"]["analyzer"] == "prefix"

    def documents(lines: Any) -> None:
        assert lines[0] == {"index": {"_index": "products_search", "_id": "P1"}}
        assert lines[1]["name"] == "ao so mi lanh"
        assert lines[1]["brand"] == "Việt Tiến"
        assert lines[1]["in_stock_at"] == ["HCM"]
        assert lines[1]["attribute_pairs"] == ["color=trắng"]

    expect(Exchange("HEAD", "/_alias/products_search", {"error": "alias missing"}, 404),
           Exchange("PUT", f"/{INDEX}", {"acknowledged": True, "shards_acknowledged": True,
                                         "index": INDEX}, check=mapping),
           Exchange("PUT", "/_bulk", bulk_answer("P1"), check=documents))

    index.upsert([doc("P1", "Áo sơ mi lanh", brand="Việt Tiến",
                      attributes={"color": ("trắng",)}, stock={"HCM": 2})])


def test_a_query_is_a_prefix_match_with_filters_after_and_facets_beside(
        index: ElasticsearchSearchIndex) -> None:
    shirt = doc("P1", "Áo sơ mi lanh", price=350_000, brand="Việt Tiến",
                attributes={"color": ("trắng",)}, stock={"HCM": 2})

    def request(body: Any) -> None:
        (term,) = body["query"]["bool"]["must"]
        match = term["bool"]["should"][0]["bool"]["must"][0]["multi_match"]
        assert match["query"] == "ao"
        assert match["fields"][0] == "name.prefix^3"
        assert body["post_filter"] == {"bool": {"filter": [
            {"terms": {"brand": ["Việt Tiến"]}}, {"range": {"price_amount": {"lte": 400000}}}]}}
        assert body["aggs"]["brands"]["filter"] == {"bool": {"filter": [
            {"range": {"price_amount": {"lte": 400000}}}]}}
        assert body["aggs"]["attr:color"]["aggs"]["values"]["terms"]["include"] == "color=.*"
        assert body["size"] == 2
        assert body["sort"][0] == {"_score": "desc"}

    def terms(*buckets: tuple[str, int]) -> dict[str, Any]:
        return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                "buckets": [{"key": k, "doc_count": n} for k, n in buckets]}

    answer = {
        "took": 7, "timed_out": False, "_shards": SHARDS,
        "hits": {"total": {"value": 3, "relation": "eq"}, "max_score": 4.2, "hits": [
            {"_index": INDEX, "_id": "P1", "_score": 4.2,
             "_source": {"document": shirt.to_dict()},
             "sort": [4.2, 1, 1768469400000000, "P1"]},
            {"_index": INDEX, "_id": "P1b", "_score": 3.0,
             "_source": {"document": attrs.evolve(shirt, product_id="P1b").to_dict()},
             "sort": [3.0, 1, 1768469400000000, "P1b"]},
        ]},
        "aggregations": {
            "brands": {"doc_count": 4, "values": terms(("Việt Tiến", 3), ("An Phước", 1))},
            "categories": {"doc_count": 3, "values": terms()},
            "prices": {"doc_count": 3, "values": {"buckets": [
                {"key": "0", "to": 200000.0, "doc_count": 0},
                {"key": "1", "from": 200000.0, "doc_count": 3}]}},
            "in_stock": {"doc_count": 2},
            "attr:color": {"doc_count": 3, "values": terms(("color=trắng", 3))},
        },
    }
    expect(alias_exists(), Exchange("POST", "/products_search/_search", answer, check=request,
                                    query={"_source_includes": "document"}))

    result = index.search(SearchQuery(
        terms=query_terms("ao"), filters=Filters(brands=("Việt Tiến",), price_max=400_000),
        limit=1, facet_attributes=("color",),
        price_ranges=(PriceRange(None, 200_000), PriceRange(200_000, None))))

    assert result.total == 3
    assert result.product_ids == ["P1"]
    assert result.hits[0].document == shirt
    assert [(b.value, b.count) for b in result.facets.brands] == [("Việt Tiến", 3),
                                                                   ("An Phước", 1)]
    assert [(b.value, b.count) for b in result.facets.prices] == [("-200000", 0),
                                                                   ("200000-", 3)]
    assert [(b.value, b.count) for b in result.facets.attributes["color"]] == [("trắng", 3)]
    assert result.facets.in_stock == 2
    assert result.next_cursor is not None


def test_the_next_page_continues_after_the_cursor(index: ElasticsearchSearchIndex) -> None:
    def request(body: Any) -> None:
        assert body["search_after"] == [900, 0, 0, "P1"]
        assert "from" not in body
        assert body["sort"] == [{"price_amount": "asc"}, {"product_id": "asc"}]

    empty = {"took": 1, "timed_out": False, "_shards": SHARDS,
             "hits": {"total": {"value": 1, "relation": "eq"}, "max_score": None, "hits": []},
             "aggregations": {"brands": {"doc_count": 0, "values": {"buckets": []}},
                              "categories": {"doc_count": 0, "values": {"buckets": []}},
                              "prices": {"doc_count": 0, "values": {"buckets": []}},
                              "in_stock": {"doc_count": 0}}}
    expect(alias_exists(), Exchange("POST", "/products_search/_search", empty, check=request))

    result = index.search(SearchQuery(sort=SortBy.PRICE_ASC,
                                      cursor=encode_cursor((900, 0, 0, "P1"))))

    assert (result.hits, result.next_cursor) == ((), None)


def test_a_rebuild_loads_a_new_index_then_swaps_the_alias(
        index: ElasticsearchSearchIndex) -> None:
    old = "products_search_20261101_000000_000000"

    def swap(body: Any) -> None:
        assert body == {"actions": [{"remove": {"index": old, "alias": "products_search"}},
                                    {"add": {"index": INDEX, "alias": "products_search"}}]}

    def unaliased(body: Any) -> None:
        assert "aliases" not in body

    def into_the_new_index(lines: Any) -> None:
        assert lines[0]["index"]["_index"] == INDEX

    expect(Exchange("PUT", f"/{INDEX}", {"acknowledged": True, "shards_acknowledged": True,
                                         "index": INDEX}, check=unaliased),
           Exchange("PUT", "/_bulk", bulk_answer("N1"), check=into_the_new_index),
           Exchange("POST", f"/{INDEX}/_refresh", {"_shards": SHARDS}),
           Exchange("GET", "/_alias/products_search", {old: {"aliases": {"products_search": {}}}}),
           Exchange("POST", "/_aliases", {"acknowledged": True}, check=swap),
           Exchange("DELETE", f"/{old}", {"acknowledged": True}))

    build = index.rebuild()
    build.add([doc("N1", "Bình hoa")])
    build.publish()


def test_an_absent_document_is_none(index: ElasticsearchSearchIndex) -> None:
    expect(alias_exists(),
           Exchange("GET", "/products_search/_doc/P404",
                    {"_index": INDEX, "_id": "P404", "found": False}, 404))

    assert index.get("P404") is None


def test_an_unreachable_cluster_is_unavailable(index: ElasticsearchSearchIndex) -> None:
    RecordedNode.failure = lambda: TransportConnectionError("connection refused")

    with pytest.raises(SearchUnavailable):
        index.count()


def test_ratings_are_indexed_filtered_from_a_minimum_and_sorted_best_first(
        index: ElasticsearchSearchIndex) -> None:
    rated = attrs.evolve(doc("P1", "Áo sơ mi lanh"), rating=450, review_count=12)

    def indexed(lines: Any) -> None:
        assert (lines[1]["rating"], lines[1]["review_count"]) == (450, 12)

    def request(body: Any) -> None:
        assert body["post_filter"] == {"bool": {"filter": [
            {"range": {"rating": {"gte": 400}}}]}}
        assert body["aggs"]["brands"]["filter"] == body["post_filter"]
        assert body["sort"] == [{"rating": "desc"}, {"review_count": "desc"},
                                {"product_id": "asc"}]

    answer = {"took": 1, "timed_out": False, "_shards": SHARDS,
              "hits": {"total": {"value": 1, "relation": "eq"}, "max_score": None, "hits": [
                  {"_index": INDEX, "_id": "P1", "_score": None,
                   "_source": {"document": rated.to_dict()}, "sort": [450, 12, "P1"]}]},
              "aggregations": {"brands": {"doc_count": 1, "values": {"buckets": []}},
                               "categories": {"doc_count": 1, "values": {"buckets": []}},
                               "prices": {"doc_count": 1, "values": {"buckets": []}},
                               "in_stock": {"doc_count": 0}}}
    expect(alias_exists(), Exchange("PUT", "/_bulk", bulk_answer("P1"), check=indexed),
           Exchange("POST", "/products_search/_search", answer, check=request))

    index.upsert([rated])
    result = index.search(SearchQuery(filters=Filters(rating_min=400), sort=SortBy.RATING))

    assert result.hits[0].document == rated
    assert (result.hits[0].document.rating, result.hits[0].document.review_count) == (450, 12)
