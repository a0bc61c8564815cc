"""Search benchmark: N generated products indexed on SQLite (FTS5) and PostgreSQL (tsvector +
GIN), then the median and p99 latency of a facetted query and of autocomplete.

    uv run python -m benchmarks.search [--products 100000] [--queries 300] [--only sqlite,postgres]

The facetted query is two words ("ao so", prefix matched, accents folded) with a brand filter,
a price range and the brand, category, price, colour and in-stock facets (each counted under
the other filters), first page of 20; autocomplete is a two-word prefix ("ao s") for 10
suggestions. The documents are loaded through the index's rebuild (not timed as a query).
PostgreSQL comes from COMMERCE_BENCH_POSTGRES_URL (default: the local server's `test`
database), in a fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.search.analysis import query_terms, tokens
from commerce_core.search.ports import SearchIndex
from commerce_core.search.queries import Filters, SearchDocument, SearchQuery
from commerce_core.shared.money import Money

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KINDS = ["Áo sơ mi", "Áo thun", "Quần jean", "Váy", "Giày thể thao", "Túi xách", "Đồng hồ",
         "Điện thoại", "Máy tính xách tay", "Tai nghe", "Bình nước", "Nồi cơm điện", "Đèn bàn",
         "Ghế", "Bàn làm việc", "Sách", "Balo", "Mũ", "Kính mát", "Ốp lưng"]
ADJECTIVES = ["lanh", "cotton", "cao cấp", "giá rẻ", "nam", "nữ", "trẻ em", "mùa hè",
              "chống nước", "thông minh", "cổ điển", "hiện đại", "mini", "pro", "lụa", "da"]
COLORS = ["đỏ", "xanh", "trắng", "đen", "vàng", "hồng", "xám", "nâu"]
SIZES = ["S", "M", "L", "XL"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def documents(count: int, seed: int = 7) -> Iterator[SearchDocument]:
    rng = random.Random(seed)
    brands = [f"Brand {i:03d}" for i in range(200)]
    tops = [(f"C{i:02d}", KINDS[i]) for i in range(len(KINDS))]
    for n in range(count):
        top = rng.choice(tops)
        leaf = (f"{top[0]}-{rng.randrange(5)}", f"{top[1]} {rng.choice(ADJECTIVES)}")
        name = f"{top[1]} {rng.choice(ADJECTIVES)} {rng.choice(ADJECTIVES)} {n}"
        yield SearchDocument(
            product_id=f"P{n:07d}", slug=f"p-{n}", name=name,
            description=f"{name} {rng.choice(ADJECTIVES)} {rng.choice(COLORS)}",
            brand=rng.choice(brands), category_ids=(leaf[0],),
            category_path=(leaf[0], top[0]), category_names=(leaf[1], top[1]),
            attributes={"color": (rng.choice(COLORS),), "size": tuple(rng.sample(SIZES, 2))},
            skus=(f"SKU-{n}",), price=Money(rng.randrange(10, 5000) * 1000, "VND"),
            stock={"HCM": rng.randrange(0, 4), "HN": rng.randrange(0, 2)}, status="active",
            created_at=T0 + timedelta(minutes=n), updated_at=T0 + timedelta(minutes=n),
        )


def load(index: SearchIndex, count: int) -> float:
    started = time.perf_counter()
    build = index.rebuild()
    batch: list[SearchDocument] = []
    for document in documents(count):
        batch.append(document)
        if len(batch) == 5000:
            build.add(batch)
            batch = []
    build.add(batch)
    build.publish()
    return time.perf_counter() - started


def timed(run: Callable[[], object], times: int) -> tuple[float, float]:
    for _ in range(min(20, times)):
        run()  # warm caches and plans
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def measure(label: str, index: SearchIndex, products: int, queries: int) -> None:
    seconds = load(index, products)
    facetted = SearchQuery(
        terms=query_terms("ao so"), limit=20,
        filters=Filters(brands=("Brand 007", "Brand 042", "Brand 123"), price_min=100_000,
                        price_max=3_000_000),
        facet_attributes=("color",))
    found = index.search(facetted)
    f_median, f_p99 = timed(lambda: index.search(facetted), queries)
    words = tokens("ao s")
    a_median, a_p99 = timed(lambda: index.suggest(words, 10), queries)
    print(f"{label}: {products} products loaded in {seconds:.1f} s; facetted query "
          f"({found.total} hits) median {f_median:.1f} ms, p99 {f_p99:.1f} ms; "
          f"autocomplete median {a_median:.1f} ms, p99 {a_p99:.1f} ms")


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(url: str, label: str, products: int, queries: int) -> None:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    index = ports.search_index
    assert isinstance(index, sql.SqlSearchIndex)
    try:
        measure(label, index, products, queries)
    finally:
        index.dispose()
        factory = ports.uow
        assert isinstance(factory, sql.SqlUnitOfWorkFactory)
        factory.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--only", default="sqlite,postgres")
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    if "sqlite" in chosen:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{Path(folder) / 'search.db'}", "SQLite", args.products,
                args.queries)
    if "postgres" in chosen:
        with fresh_schema(os.environ.get("COMMERCE_BENCH_POSTGRES_URL", DEFAULT_URL)) as url:
            run(url, "PostgreSQL", args.products, args.queries)


if __name__ == "__main__":
    main()
