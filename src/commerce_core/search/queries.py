"""Search's published read language: the product document, a query with its filters, facets,
sorts and cursor, the result, autocomplete suggestions, and the analytics report."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from attrs import field, frozen

from commerce_core.search.analysis import Term, tokens
from commerce_core.search.errors import InvalidSearch, PageNotFound
from commerce_core.shared.money import Money

MAX_PAGE_SIZE = 100
MAX_WINDOW = 10_000  # page x page size; deeper with a cursor


@frozen
class SearchDocument:
    """One sellable product as search sees it (a read model, rebuilt from catalog, pricing and
    inventory at will).

    `price` is the lowest price of its variants in the shop currency; `stock` the units
    available (on hand - reserved) per warehouse as of the document's last refresh (refreshed
    by every change that can cross zero, so in or out of stock is exact); `category_path` the
    product's categories with every ancestor, so filtering on a category finds its descendants'
    products. `watermarks` hold, per source, the newest change the document reflects
    (`catalog`, `pricing`, `stock:<sku>@<warehouse>`, `rating`), so older events are ignored.
    `rating` is the average of the product's approved reviews in hundredths of a star (450 =
    4.5; 0 without reviews) and `review_count` their number, as the review context last
    announced them."""

    product_id: str
    slug: str
    name: str
    description: str
    brand: str | None
    category_ids: tuple[str, ...]
    category_path: tuple[str, ...]
    category_names: tuple[str, ...]
    attributes: Mapping[str, tuple[str, ...]]
    skus: tuple[str, ...]
    price: Money
    stock: Mapping[str, int]
    status: str
    created_at: datetime
    updated_at: datetime
    sales_rank: int | None = None
    watermarks: Mapping[str, str] = field(factory=dict)
    rating: int = 0
    review_count: int = 0

    @property
    def in_stock(self) -> bool:
        return any(units > 0 for units in self.stock.values())

    def in_stock_at(self, warehouse_id: str | None) -> bool:
        if warehouse_id is None:
            return self.in_stock
        return self.stock.get(warehouse_id, 0) > 0

    @property
    def available(self) -> int:
        return sum(max(units, 0) for units in self.stock.values())

    def words(self) -> dict[str, list[str]]:
        """The analysed words of each searchable field, by field."""
        return {
            "name": tokens(self.name),
            "brand": tokens(self.brand or ""),
            "categories": tokens(" ".join(self.category_names)),
            "attributes": tokens(" ".join(v for vs in self.attributes.values() for v in vs)),
            "description": tokens(self.description),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON types only (indexes that store documents as JSON use this and `from_dict`)."""
        return {
            "product_id": self.product_id, "slug": self.slug, "name": self.name,
            "description": self.description, "brand": self.brand,
            "category_ids": list(self.category_ids), "category_path": list(self.category_path),
            "category_names": list(self.category_names),
            "attributes": {k: list(v) for k, v in self.attributes.items()},
            "skus": list(self.skus), "price": self.price.to_dict(), "stock": dict(self.stock),
            "status": self.status, "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(), "sales_rank": self.sales_rank,
            "watermarks": dict(self.watermarks), "rating": self.rating,
            "review_count": self.review_count,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchDocument:
        price = data["price"]
        return cls(
            product_id=str(data["product_id"]), slug=str(data["slug"]), name=str(data["name"]),
            description=str(data["description"]), brand=data.get("brand"),
            category_ids=tuple(data["category_ids"]), category_path=tuple(data["category_path"]),
            category_names=tuple(data["category_names"]),
            attributes={str(k): tuple(v) for k, v in data["attributes"].items()},
            skus=tuple(data["skus"]), price=Money(int(price["amount"]), str(price["currency"])),
            stock={str(k): int(v) for k, v in data["stock"].items()},
            status=str(data["status"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            sales_rank=data.get("sales_rank"),
            watermarks={str(k): str(v) for k, v in (data.get("watermarks") or {}).items()},
            rating=int(data.get("rating") or 0), review_count=int(data.get("review_count") or 0),
        )


class SortBy(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"
    RATING = "rating"  # best rated first; more reviews first among equal averages


@frozen
class PriceRange:
    """`gte <= price < lt` in minor units of the shop currency; an open end is None."""

    gte: int | None = None
    lt: int | None = None

    def contains(self, amount: int) -> bool:
        return (self.gte is None or amount >= self.gte) and (self.lt is None or amount < self.lt)

    @property
    def key(self) -> str:
        return f"{'' if self.gte is None else self.gte}-{'' if self.lt is None else self.lt}"


DEFAULT_PRICE_RANGES = (
    PriceRange(None, 100_000), PriceRange(100_000, 500_000), PriceRange(500_000, 1_000_000),
    PriceRange(1_000_000, 2_000_000), PriceRange(2_000_000, None),
)


@frozen
class Filters:
    """Filters combine with AND; the values within one filter with OR. `category_ids` match
    products in those categories or any descendant; `price_min`/`price_max` are inclusive."""

    category_ids: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(factory=dict)
    in_stock: bool = False
    warehouse_id: str | None = None  # in stock there, rather than anywhere
    rating_min: int | None = None  # average rating at least this, in hundredths of a star

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.category_ids:
            found["category_ids"] = list(self.category_ids)
        if self.brands:
            found["brands"] = list(self.brands)
        if self.price_min is not None:
            found["price_min"] = self.price_min
        if self.price_max is not None:
            found["price_max"] = self.price_max
        if self.attributes:
            found["attributes"] = {k: list(v) for k, v in self.attributes.items()}
        if self.in_stock:
            found["in_stock"] = True
        if self.warehouse_id:
            found["warehouse_id"] = self.warehouse_id
        if self.rating_min is not None:
            found["rating_min"] = self.rating_min
        return found


@frozen
class SearchQuery:
    """What an index is asked. `terms` are the analysed query (every term must match, as a
    prefix of a word in the name, brand, categories, attributes or description); none: browse.

    Facets count with every filter but their own (a brand facet shows what choosing another
    brand would give). `cursor` continues after the last hit of a previous page, else `offset`.
    """

    terms: tuple[Term, ...] = ()
    filters: Filters = field(factory=Filters)
    sort: SortBy = SortBy.RELEVANCE
    limit: int = 20
    offset: int = 0
    cursor: str | None = None
    facet_attributes: tuple[str, ...] = ()
    price_ranges: tuple[PriceRange, ...] = DEFAULT_PRICE_RANGES
    facet_size: int = 20


@frozen
class FacetBucket:
    value: str
    count: int


@frozen
class Facets:
    """Bucket lists ordered by count (highest first) then value; `in_stock` counts products in
    stock under the other filters; price buckets keep the order of the query's ranges."""

    brands: tuple[FacetBucket, ...] = ()
    categories: tuple[FacetBucket, ...] = ()
    prices: tuple[FacetBucket, ...] = ()
    attributes: Mapping[str, tuple[FacetBucket, ...]] = field(factory=dict)
    in_stock: int = 0


@frozen
class SearchHit:
    document: SearchDocument
    score: float = 0.0


@frozen
class SearchResult:
    total: int
    hits: tuple[SearchHit, ...]
    facets: Facets = field(factory=Facets)
    next_cursor: str | None = None
    corrected_query: str | None = None  # the words searched instead of a misspelt query
    query_id: str | None = None  # to report clicks and add-to-cart against

    @property
    def product_ids(self) -> list[str]:
        return [hit.document.product_id for hit in self.hits]


class SuggestionKind(StrEnum):
    PRODUCT = "product"
    BRAND = "brand"
    CATEGORY = "category"


@frozen
class Suggestion:
    text: str
    kind: SuggestionKind
    id: str  # product id, brand name or category id


def encode_cursor(key: tuple[Any, ...]) -> str:
    """An opaque cursor from a hit's sort key (adapters decode their own keys)."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PageNotFound("no page for this cursor", cursor=cursor) from exc
    if not isinstance(key, list):
        raise PageNotFound("no page for this cursor", cursor=cursor)
    return key


# -- analytics ---------------------------------------------------------------------------------


@frozen
class TermStats:
    term: str
    searches: int
    zero_results: int
    clicks: int
    add_to_carts: int
    average_results: float

    @property
    def click_through_rate(self) -> float:
        return 0.0 if not self.searches else self.clicks / self.searches


@frozen
class SearchReport:
    """Searches in `[since, until)`: how many, how many found nothing, clicks and add-to-cart
    from results; `click_through_rate` is searches with at least one click ÷ searches."""

    since: datetime
    until: datetime
    searches: int
    zero_result_searches: int
    clicked_searches: int
    clicks: int
    add_to_carts: int
    top_terms: tuple[TermStats, ...]
    zero_result_terms: tuple[TermStats, ...]

    @property
    def click_through_rate(self) -> float:
        return 0.0 if not self.searches else self.clicked_searches / self.searches

    @property
    def zero_result_rate(self) -> float:
        return 0.0 if not self.searches else self.zero_result_searches / self.searches


def check_window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidSearch(f"page size must be 1..{MAX_PAGE_SIZE}", limit=limit)
    if offset < 0:
        raise InvalidSearch("offset cannot be negative", offset=offset)
    if offset + limit > MAX_WINDOW:
        raise InvalidSearch(f"results beyond {MAX_WINDOW} need a cursor", offset=offset,
                            window=MAX_WINDOW, hint="use next_cursor")
