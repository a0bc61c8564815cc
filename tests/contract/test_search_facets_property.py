"""Facet counts are what a brute-force filter over the same documents counts, on the memory
and SQL indexes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce_core.search.ports import SearchIndex
from commerce_core.search.queries import Filters, PriceRange, SearchDocument, SearchQuery
from tests.contract.search_support import INDEXES, doc, open_index, typed

BRANDS = ("Acme", "Bình An", "Cỏ May")
CATEGORIES = (("C1", "Áo"), ("C2", "Quần"), ("C3", "Giày"))
COLORS = ("đỏ", "xanh", "trắng")
WAREHOUSES = ("HCM", "HN")
RANGES = (PriceRange(None, 300), PriceRange(300, 700), PriceRange(700, None))

def _document(i: int, brand: str | None, cats: list[tuple[str, str]], colors: list[str],
              price: int, stock: dict[str, int]) -> SearchDocument:
    return doc(f"P{i:05d}", f"Sản phẩm {i}", brand=brand, categories=tuple(cats),
               attributes={"color": tuple(colors)} if colors else {}, price=price, stock=stock)


documents = st.lists(
    st.builds(
        _document, st.integers(0, 10_000), st.sampled_from((None, *BRANDS)),
        st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
        st.lists(st.sampled_from(COLORS), max_size=2, unique=True), st.integers(0, 1000),
        st.dictionaries(st.sampled_from(WAREHOUSES), st.integers(0, 3), max_size=2),
    ),
    max_size=25, unique_by=lambda d: d.product_id,
)
filters = st.builds(
    Filters,
    category_ids=st.lists(st.sampled_from([c for c, _ in CATEGORIES]), max_size=2,
                          unique=True).map(tuple),
    brands=st.lists(st.sampled_from(BRANDS), max_size=2, unique=True).map(tuple),
    price_min=st.none() | st.integers(0, 1000), price_max=st.none() | st.integers(0, 1000),
    attributes=st.dictionaries(st.just("color"), st.lists(st.sampled_from(COLORS), min_size=1,
                                                          max_size=2, unique=True).map(tuple)),
    in_stock=st.booleans(), warehouse_id=st.none() | st.sampled_from(WAREHOUSES),
)


def passes(d: SearchDocument, f: Filters, skip: str) -> bool:
    checks = {
        "category": not f.category_ids or bool(set(f.category_ids) & set(d.category_path)),
        "brand": not f.brands or d.brand in f.brands,
        "price": (f.price_min is None or d.price.amount >= f.price_min)
        and (f.price_max is None or d.price.amount <= f.price_max),
        "color": not f.attributes.get("color")
        or bool(set(f.attributes["color"]) & set(d.attributes.get("color", ()))),
        "in_stock": not f.in_stock or d.in_stock_at(f.warehouse_id),
    }
    return all(ok for name, ok in checks.items() if name != skip)


def counted(docs: list[SearchDocument],
            values: Callable[[SearchDocument], Iterable[str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for d in docs:
        for value in values(d):
            found[value] = found.get(value, 0) + 1
    return found


@pytest.fixture(params=INDEXES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    for found in open_index(request.param, request, tmp_path):
        yield typed(found)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=documents, chosen=filters)
def test_facet_counts_equal_a_brute_force_filter(
    index: SearchIndex, docs: list[SearchDocument], chosen: Filters
) -> None:
    build = index.rebuild()
    build.add(docs)
    build.publish()

    result = index.search(SearchQuery(filters=chosen, facet_attributes=("color",),
                                      price_ranges=RANGES, facet_size=100, limit=100))

    assert result.total == sum(1 for d in docs if passes(d, chosen, ""))
    assert {b.value: b.count for b in result.facets.brands} == counted(
        [d for d in docs if passes(d, chosen, "brand")], lambda d: [d.brand] if d.brand else [])
    assert {b.value: b.count for b in result.facets.categories} == counted(
        [d for d in docs if passes(d, chosen, "category")], lambda d: d.category_path)
    assert {b.value: b.count for b in result.facets.attributes["color"]} == counted(
        [d for d in docs if passes(d, chosen, "color")], lambda d: d.attributes.get("color", ()))
    assert [b.count for b in result.facets.prices] == [
        sum(1 for d in docs if passes(d, chosen, "price") and r.contains(d.price.amount))
        for r in RANGES]
    assert result.facets.in_stock == sum(
        1 for d in docs if passes(d, chosen, "in_stock") and d.in_stock_at(chosen.warehouse_id))
