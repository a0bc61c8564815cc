"""The search scenarios of the spec (part A), through `commerce.search`, on the in-memory
index, SQLite and PostgreSQL (the Elasticsearch adapter is held to the same index contract
against its recorded transport, `tests/contract/test_search_index_elasticsearch.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.search.analysis import Synonyms
from commerce_core.search.errors import InvalidSearch, SearchNotFound
from tests.shop import make_commerce


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def commerce(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Commerce]:
    synonyms = Synonyms.parse("laptop, notebook, máy tính xách tay")
    if request.param == "memory":
        yield shop(make_commerce(synonyms=synonyms))
        return
    from adapters import sql

    url = (f"sqlite:///{tmp_path / 'shop.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    try:
        yield shop(make_commerce(ports, synonyms=synonyms))
    finally:
        factory = ports.uow
        assert isinstance(factory, sql.SqlUnitOfWorkFactory)
        factory.dispose()


def shop(commerce: Commerce) -> Commerce:
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.inventory.create_warehouse("HN", "Ha Noi")
    for name, sku, price in [("Điện thoại iPhone 15", "IP15", 25_000_000),
                             ("Máy tính xách tay Dell", "DELL", 18_000_000),
                             ("Áo sơ mi", "ASM", 350_000)]:
        commerce.catalog.create_product(name, sku.lower(), [VariantSpec(sku, Money(price, "VND"))],
                                        publish=True)
    commerce.inventory.set_stock("IP15", "HCM", 2)
    commerce.inventory.set_stock("ASM", "HN", 5)
    return commerce


def names(commerce: Commerce, text: str, **options: object) -> list[str]:
    result = commerce.search.query(text, **options)  # type: ignore[arg-type]
    return [hit.document.name for hit in result.hits]


def test_a_query_without_diacritics_finds_products_named_with_them(commerce: Commerce) -> None:
    assert names(commerce, "dien thoai") == ["Điện thoại iPhone 15"]


def test_a_product_with_a_price_but_no_stock_is_found_but_not_in_stock(
        commerce: Commerce) -> None:
    assert names(commerce, "dell") == ["Máy tính xách tay Dell"]
    assert names(commerce, "dell", in_stock=True) == []


def test_stock_gone_from_a_warehouse_leaves_its_in_stock_results(commerce: Commerce) -> None:
    warehouse = commerce.inventory.warehouses()[0].id
    assert names(commerce, "iphone", in_stock=True, warehouse_id=warehouse) != []

    commerce.inventory.set_stock("IP15", "HCM", 0)

    assert names(commerce, "iphone", in_stock=True, warehouse_id=warehouse) == []


def test_a_page_beyond_the_window_is_refused_with_a_hint_to_use_the_cursor(
        commerce: Commerce) -> None:
    with pytest.raises(InvalidSearch) as refused:
        commerce.search.query("ao", page=600, page_size=20)

    assert refused.value.details["hint"] == "use next_cursor"


def test_a_misspelt_query_that_finds_nothing_is_corrected(commerce: Commerce) -> None:
    result = commerce.search.query("iphnoe")

    assert result.corrected_query == "iphone"
    assert result.total == 1


def test_synonyms_match_words_and_phrases(commerce: Commerce) -> None:
    assert names(commerce, "laptop") == ["Máy tính xách tay Dell"]
    assert names(commerce, "notebook dell") == ["Máy tính xách tay Dell"]


def test_ten_searches_three_without_results_are_counted(commerce: Commerce) -> None:
    for _ in range(7):
        commerce.search.query("áo")
    for _ in range(3):
        commerce.search.query("áo", price_min=1, price_max=2)

    report = commerce.search.report()

    (term,) = report.top_terms
    assert (term.term, term.searches, term.zero_results) == ("ao", 10, 3)
    assert report.zero_result_searches == 3


def test_clicks_and_add_to_cart_from_results_give_the_click_through_rate(
        commerce: Commerce) -> None:
    first = commerce.search.query("ao")
    commerce.search.query("iphone")
    assert first.query_id is not None

    commerce.search.click(first.query_id, first.product_ids[0], position=1)
    commerce.search.add_to_cart(first.query_id, first.product_ids[0])

    report = commerce.search.report()
    assert (report.searches, report.clicks, report.add_to_carts) == (2, 1, 1)
    assert report.click_through_rate == 0.5


def test_a_click_on_an_unknown_search_is_refused(commerce: Commerce) -> None:
    with pytest.raises(SearchNotFound):
        commerce.search.click("no-such-search", "p")


def test_autocomplete_answers_prefixes(commerce: Commerce) -> None:
    assert [s.text for s in commerce.search.suggest("may t")] == ["Máy tính xách tay Dell"]


def test_the_analytics_events_are_published(commerce: Commerce) -> None:
    commerce.search.query("ao")

    with commerce.ports.uow() as uow:
        types = [e.type for e in uow.outbox.all()]  # type: ignore[attr-defined]
    assert "search.query_executed" in types


def test_an_empty_price_range_or_report_window_finds_nothing_rather_than_failing(
        commerce: Commerce) -> None:
    found = commerce.search.query("áo", price_min=2, price_max=1)
    now = datetime.now(UTC)
    report = commerce.search.report(now, now - timedelta(days=1))

    assert found.total == 0
    assert report.searches == 0
