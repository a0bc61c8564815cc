"""The search index contract, on every adapter: the memory fake is the reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from commerce_core.search.analysis import Synonyms, query_terms
from commerce_core.search.ports import SearchIndex
from commerce_core.search.queries import (
    Filters,
    PriceRange,
    SearchQuery,
    SortBy,
    SuggestionKind,
)
from tests.contract.search_support import INDEXES, doc, open_index, typed

SHIRTS = ("C-SHIRTS", "Áo sơ mi")
TOPS = ("C-TOPS", "Áo")
PHONES = ("C-PHONES", "Điện thoại")


@pytest.fixture(params=INDEXES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    for found in open_index(request.param, request, tmp_path):
        yield typed(found)


@pytest.fixture
def shop(index: SearchIndex) -> SearchIndex:
    index.upsert([
        doc("P1", "Áo sơ mi lanh", price=350_000, brand="Việt Tiến",
            categories=(SHIRTS, TOPS), attributes={"color": ("trắng",), "size": ("M", "L")},
            stock={"HCM": 5}, age_days=3, rating=(450, 12)),
        doc("P2", "Áo sơ mi kẻ", price=420_000, brand="An Phước", categories=(SHIRTS, TOPS),
            attributes={"color": ("xanh",), "size": ("M",)}, stock={"HN": 2}, age_days=2,
            rating=(450, 3)),
        doc("P3", "Áo thun cổ tròn", price=150_000, brand="Việt Tiến", categories=(TOPS,),
            attributes={"color": ("trắng",)}, stock={}, age_days=1, rating=(300, 1)),
        doc("P4", "Điện thoại iPhone 15", price=25_000_000, brand="Apple",
            categories=(PHONES,), description="màn hình 6.1 inch", stock={"HCM": 1}),
        doc("P5", "Ốp lưng", price=90_000, brand="Apple", categories=(PHONES,),
            description="dành cho điện thoại iphone", stock={"HCM": 9}, age_days=5,
            rating=(500, 1)),
    ])
    return index


def search(index: SearchIndex, text: str = "", synonyms: Synonyms | None = None,
           **options: object) -> list[str]:
    query = SearchQuery(terms=query_terms(text, synonyms), **options)  # type: ignore[arg-type]
    return index.search(query).product_ids


def test_words_without_accents_find_products_named_with_them(shop: SearchIndex) -> None:
    assert sorted(search(shop, "ao so mi")) == ["P1", "P2"]
    assert sorted(search(shop, "dien thoai")) == ["P4", "P5"]


def test_every_word_is_a_prefix_and_all_must_match(shop: SearchIndex) -> None:
    assert search(shop, "ao so l") == ["P1"]
    assert search(shop, "ao xyz") == []


def test_a_match_in_the_name_ranks_above_one_in_the_description(shop: SearchIndex) -> None:
    assert search(shop, "iphone") == ["P4", "P5"]


def test_synonyms_from_settings_widen_a_word(shop: SearchIndex) -> None:
    synonyms = Synonyms.parse("phone, điện thoại, mobile")

    assert sorted(search(shop, "phone", synonyms)) == ["P4", "P5"]


def test_a_category_filter_includes_its_descendants(shop: SearchIndex) -> None:
    assert sorted(search(shop, filters=Filters(category_ids=("C-TOPS",)))) == ["P1", "P2", "P3"]


def test_filters_combine_and_values_of_one_filter_alternate(shop: SearchIndex) -> None:
    filters = Filters(brands=("Việt Tiến", "An Phước"), price_min=200_000, price_max=420_000,
                      attributes={"size": ("M",)})

    assert sorted(search(shop, filters=filters)) == ["P1", "P2"]


def test_in_stock_overall_or_in_one_warehouse(shop: SearchIndex) -> None:
    assert sorted(search(shop, "ao", filters=Filters(in_stock=True))) == ["P1", "P2"]
    assert search(shop, "ao", filters=Filters(in_stock=True, warehouse_id="HN")) == ["P2"]


def test_facets_count_under_every_filter_but_their_own(shop: SearchIndex) -> None:
    query = SearchQuery(terms=query_terms("ao"), filters=Filters(brands=("Việt Tiến",)),
                        facet_attributes=("color",),
                        price_ranges=(PriceRange(None, 200_000), PriceRange(200_000, None)))

    result = shop.search(query)

    assert result.total == 2
    assert [(b.value, b.count) for b in result.facets.brands] == [("Việt Tiến", 2),
                                                                   ("An Phước", 1)]
    assert [(b.value, b.count) for b in result.facets.categories] == [("C-TOPS", 2),
                                                                       ("C-SHIRTS", 1)]
    assert [(b.value, b.count) for b in result.facets.prices] == [("-200000", 1),
                                                                   ("200000-", 1)]
    assert [(b.value, b.count) for b in result.facets.attributes["color"]] == [("trắng", 2)]
    assert result.facets.in_stock == 1


def test_attribute_keys_and_values_with_colons_stay_apart(index: SearchIndex) -> None:
    index.upsert([doc("A1", "Vòng tay", attributes={"a:b": ("c",)}),
                  doc("A2", "Nhẫn", attributes={"a": ("b:c",)})])

    facets = index.search(SearchQuery(facet_attributes=("a", "a:b"))).facets.attributes

    assert search(index, filters=Filters(attributes={"a": ("b:c",)})) == ["A2"]
    assert search(index, filters=Filters(attributes={"a:b": ("c",)})) == ["A1"]
    assert [(b.value, b.count) for b in facets["a"]] == [("b:c", 1)]
    assert [(b.value, b.count) for b in facets["a:b"]] == [("c", 1)]


def test_sorts_by_price_and_by_newest(shop: SearchIndex) -> None:
    assert search(shop, "ao", sort=SortBy.PRICE_ASC) == ["P3", "P1", "P2"]
    assert search(shop, "ao", sort=SortBy.PRICE_DESC) == ["P2", "P1", "P3"]
    assert search(shop, sort=SortBy.NEWEST) == ["P4", "P3", "P2", "P1", "P5"]


def test_sorts_by_rating_best_first_then_by_the_number_of_reviews(shop: SearchIndex) -> None:
    assert search(shop, sort=SortBy.RATING) == ["P5", "P1", "P2", "P3", "P4"]
    assert search(shop, "ao", sort=SortBy.RATING) == ["P1", "P2", "P3"]


def test_a_minimum_rating_keeps_products_rated_at_least_that(shop: SearchIndex) -> None:
    assert sorted(search(shop, filters=Filters(rating_min=450))) == ["P1", "P2", "P5"]
    assert search(shop, filters=Filters(rating_min=501)) == []
    result = shop.search(SearchQuery(filters=Filters(rating_min=400, brands=("Apple",))))
    assert result.product_ids == ["P5"]
    assert {(b.value, b.count) for b in result.facets.brands} == {("Apple", 1),
                                                                  ("Việt Tiến", 1),
                                                                  ("An Phước", 1)}
    assert result.facets.in_stock == 1


def test_relevance_puts_products_in_stock_first_among_equals(shop: SearchIndex) -> None:
    assert search(shop, filters=Filters(category_ids=("C-TOPS",)))[-1] == "P3"


@pytest.mark.parametrize("sort", list(SortBy))
def test_a_cursor_walks_every_hit_once_in_order(shop: SearchIndex, sort: SortBy) -> None:
    everything = search(shop, sort=sort, limit=10)
    seen: list[str] = []
    cursor = None
    while True:
        result = shop.search(SearchQuery(sort=sort, limit=2, cursor=cursor))
        seen += result.product_ids
        assert result.total == 5
        cursor = result.next_cursor
        if cursor is None:
            break

    assert seen == everything


def test_offsets_page_through_the_same_order(shop: SearchIndex) -> None:
    assert search(shop, sort=SortBy.PRICE_ASC, limit=2, offset=2) == ["P1", "P2"]


def test_autocomplete_offers_products_then_brands_then_categories(shop: SearchIndex) -> None:
    found = shop.suggest(["ao", "s"], 10)

    assert [(s.kind, s.id) for s in found] == [
        (SuggestionKind.PRODUCT, "P2"), (SuggestionKind.PRODUCT, "P1"),
        (SuggestionKind.CATEGORY, "C-SHIRTS"),
    ]


def test_autocomplete_finds_brands_by_a_folded_prefix(shop: SearchIndex) -> None:
    found = shop.suggest(["vi"], 5)

    assert [(s.kind, s.text) for s in found] == [(SuggestionKind.BRAND, "Việt Tiến")]


def test_autocomplete_puts_products_in_stock_first_and_respects_the_limit(
        shop: SearchIndex) -> None:
    found = shop.suggest(["ao"], 2)

    assert [s.id for s in found] == ["P2", "P1"]


def test_autocomplete_on_one_letter_finds_every_word_starting_with_it(
        shop: SearchIndex) -> None:
    found = shop.suggest(["t"], 10)

    assert [(s.kind, s.id) for s in found] == [
        (SuggestionKind.PRODUCT, "P4"), (SuggestionKind.PRODUCT, "P3"),
        (SuggestionKind.BRAND, "Việt Tiến"), (SuggestionKind.CATEGORY, "C-PHONES"),
    ]


def test_the_vocabulary_offers_words_near_a_misspelt_one(shop: SearchIndex) -> None:
    assert "iphone" in shop.vocabulary("iphnoe", 1)


def test_upserting_again_replaces_and_deleting_removes(shop: SearchIndex) -> None:
    shop.upsert([doc("P3", "Áo polo", price=150_000, brand="Việt Tiến", categories=(TOPS,))])
    shop.delete(["P5", "P-NONE"])

    assert search(shop, "thun") == []
    assert search(shop, "polo") == ["P3"]
    assert shop.get("P5") is None
    assert shop.count() == 4
    assert "thun" not in shop.vocabulary("thun", 0)


def test_a_document_reads_back_as_it_was_written(shop: SearchIndex) -> None:
    written = doc("P9", "Đèn bàn", price=1, brand="X", attributes={"k": ("v",)},
                  stock={"HCM": 0})
    shop.upsert([written])

    assert shop.get("P9") == written


def test_a_rebuild_replaces_everything_only_when_published(shop: SearchIndex) -> None:
    build = shop.rebuild()
    build.add([doc("N1", "Bình hoa")])

    assert shop.count() == 5
    build.publish()
    assert shop.count() == 1
    assert search(shop, "binh") == ["N1"]
    assert shop.suggest(["vi"], 5) == []


def test_a_discarded_rebuild_changes_nothing(shop: SearchIndex) -> None:
    build = shop.rebuild()
    build.add([doc("N1", "Bình hoa")])
    build.discard()

    assert shop.count() == 5
