"""Search routes: product search with facets and autocomplete for shoppers, clicks and
add-to-cart from results, and search analytics for operators."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, StringConstraints

from commerce_core.search.errors import InvalidSearch
from commerce_core.search.queries import (
    SearchReport,
    SearchResult,
    SortBy,
    TermStats,
)
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.ratelimit import rate_limited

router = APIRouter(tags=["search"])
admin = APIRouter(tags=["search admin"])

Json = dict[str, Any]
Values = Annotated[list[str], Query(max_length=20)]


def _attributes(pairs: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition(":")
        if not sep or not key or not value:
            raise InvalidSearch(f"attribute filters read key:value, not {pair!r}", attr=pair)
        found.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in found.items()}


def _buckets(buckets: Any) -> list[Json]:
    return [{"value": b.value, "count": b.count} for b in buckets]


def result_json(result: SearchResult) -> Json:
    facets = result.facets
    return {
        "total": result.total,
        "hits": [{
            "product_id": h.document.product_id, "slug": h.document.slug,
            "name": h.document.name, "brand": h.document.brand,
            "price": h.document.price.to_dict(), "in_stock": h.document.in_stock,
            "category_ids": list(h.document.category_ids), "score": h.score,
            "rating": h.document.rating / 100, "review_count": h.document.review_count,
        } for h in result.hits],
        "facets": {
            "brands": _buckets(facets.brands), "categories": _buckets(facets.categories),
            "prices": _buckets(facets.prices),
            "attributes": {k: _buckets(v) for k, v in facets.attributes.items()},
            "in_stock": facets.in_stock,
        },
        "next_cursor": result.next_cursor, "corrected_query": result.corrected_query,
        "query_id": result.query_id,
    }


def _term(t: TermStats) -> Json:
    return {"term": t.term, "searches": t.searches, "zero_results": t.zero_results,
            "clicks": t.clicks, "add_to_carts": t.add_to_carts,
            "average_results": round(t.average_results, 2),
            "click_through_rate": round(t.click_through_rate, 4)}


def report_json(report: SearchReport) -> Json:
    return {
        "since": report.since.isoformat(), "until": report.until.isoformat(),
        "searches": report.searches, "zero_result_searches": report.zero_result_searches,
        "clicks": report.clicks, "add_to_carts": report.add_to_carts,
        "click_through_rate": round(report.click_through_rate, 4),
        "zero_result_rate": round(report.zero_result_rate, 4),
        "top_terms": [_term(t) for t in report.top_terms],
        "zero_result_terms": [_term(t) for t in report.zero_result_terms],
    }


def _rfc3339(value: object) -> object:
    # Query values are always text; a numeric one must not be read as a Unix time.
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("an instant is RFC 3339 text, e.g. 2026-12-01T00:00:00+07:00")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
AttributeFilter = Annotated[str, StringConstraints(pattern=r"^[^:]+:.+$", max_length=200)]


@router.get("/search", summary="Search published products, with facets",
            dependencies=[PUBLIC, Depends(rate_limited("search"))])
def search(
    commerce: CommerceDep,
    q: Annotated[str, Query(max_length=200)] = "",
    category_id: Values = [],  # noqa: B006 - FastAPI copies query defaults
    brand: Values = [],  # noqa: B006
    attr: Annotated[list[AttributeFilter], Query(max_length=20,
                                                  description="key:value")] = [],  # noqa: B006
    facet: Annotated[list[str], Query(max_length=10, description="attribute keys")] = [],  # noqa: B006
    price_min: Annotated[int | None, Query(ge=0, description="Lowest price, minor units")] = None,
    price_max: Annotated[int | None, Query(ge=0, description="Highest price, minor units")] = None,
    in_stock: bool = False,
    warehouse_id: Annotated[str | None, Query(max_length=100)] = None,
    rating_min: Annotated[int | None, Query(
        ge=1, le=5, description="Products whose reviews average at least this many stars")] = None,
    sort: SortBy = SortBy.RELEVANCE,
    page: Annotated[int, Query(
        ge=1, le=100, description="Pages 1-100 (10,000 results at most); deeper with `cursor`",
    )] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Json:
    return result_json(commerce.search.query(
        q, category_ids=tuple(category_id), brands=tuple(brand), price_min=price_min,
        price_max=price_max, attributes=_attributes(attr), in_stock=in_stock,
        warehouse_id=warehouse_id, sort=sort, page=page, page_size=page_size, cursor=cursor,
        facet_attributes=tuple(facet), rating_min=rating_min,
    ))


@router.get("/search/suggest", summary="Autocomplete: products, brands and categories",
            dependencies=[PUBLIC, Depends(rate_limited("search"))])
def suggest(
    commerce: CommerceDep, q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> list[Json]:
    return [{"text": s.text, "type": s.kind.value, "id": s.id}
            for s in commerce.search.suggest(q, limit)]


class InteractionIn(BaseModel):
    query_id: str = Field(min_length=1, max_length=100)
    product_id: str = Field(min_length=1, max_length=100)
    position: int | None = Field(None, ge=1, le=10_000)


@router.post("/search/clicks", status_code=status.HTTP_204_NO_CONTENT,
             summary="A shopper opened a product from search results", dependencies=[PUBLIC])
def click(body: InteractionIn, commerce: CommerceDep) -> None:
    commerce.search.click(body.query_id, body.product_id, body.position)


@router.post("/search/add-to-cart", status_code=status.HTTP_204_NO_CONTENT,
             summary="A shopper added a product to the cart from search results",
             dependencies=[PUBLIC])
def add_to_cart(body: InteractionIn, commerce: CommerceDep) -> None:
    commerce.search.add_to_cart(body.query_id, body.product_id)




@admin.get("/search/analytics", summary="Searches, zero-result terms, clicks and CTR",
           dependencies=[permit(Permission.SEARCH_ANALYTICS)])
def analytics(
    commerce: CommerceDep,
    since: Annotated[Instant | None, Query(description="Start of the window")]
    = None,
    until: Annotated[Instant | None, Query(description="End of the window (excluded)")]
    = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Json:
    return report_json(commerce.search.report(since, until, limit=limit))
