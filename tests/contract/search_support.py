"""Search documents for the index contract suites, and the indexes under test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from adapters import elasticsearch, sql
from adapters.memory import FrozenClock, InMemorySearchIndex, ScriptedPaymentGateway, SequentialIds
from commerce_core.search.ports import SearchIndex
from commerce_core.search.queries import SearchDocument
from commerce_core.shared.money import Money

T0 = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def doc(product_id: str, name: str, *, price: int = 100_000, brand: str | None = None,
        categories: tuple[tuple[str, str], ...] = (), description: str = "",
        attributes: dict[str, tuple[str, ...]] | None = None,
        stock: dict[str, int] | None = None, age_days: int = 0,
        rating: tuple[int, int] = (0, 0)) -> SearchDocument:
    """A document; `categories` is its category path as (id, name), leaf first."""
    created = T0 - timedelta(days=age_days)
    return SearchDocument(
        product_id=product_id, slug=product_id.lower(), name=name, description=description,
        brand=brand, category_ids=tuple(c for c, _ in categories[:1]),
        category_path=tuple(c for c, _ in categories),
        category_names=tuple(n for _, n in categories), attributes=attributes or {},
        skus=(f"{product_id}-SKU",), price=Money(price, "VND"), stock=stock or {},
        status="active", created_at=created, updated_at=created,
        rating=rating[0], review_count=rating[1],
    )


ELASTICSEARCH_URL = os.environ.get("COMMERCE_TEST_ELASTICSEARCH_URL", "")

# A live Elasticsearch joins the suite when its URL is given; without one the recorded-transport
# suite (`test_search_index_elasticsearch.py`) holds the adapter to the same contract.
INDEXES = [
    pytest.param("memory"),
    pytest.param("sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
    *([pytest.param("elasticsearch")] if ELASTICSEARCH_URL else []),
]


def open_index(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if kind == "memory":
        yield InMemorySearchIndex()
        return
    if kind == "elasticsearch":
        alias = f"test_{uuid.uuid4().hex[:12]}"
        found = elasticsearch.index(ELASTICSEARCH_URL, alias=alias, refresh=True)
        try:
            yield found
        finally:
            client = Elasticsearch(ELASTICSEARCH_URL)
            client.indices.delete(index=f"{alias}_*", ignore_unavailable=True)
            client.close()
        return
    url = (f"sqlite:///{tmp_path}/search.db" if kind == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    index = ports.search_index
    assert isinstance(index, sql.SqlSearchIndex)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield index
    finally:
        index.dispose()
        factory.dispose()


def typed(index: Any) -> SearchIndex:
    found: SearchIndex = index
    return found
