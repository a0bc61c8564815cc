"""The writes of a commit sent as one statement (ADR 0037), on PostgreSQL and SQLite: what the
statement budgets count, checked here for what it must keep: versions, errors, order,
visibility, numbering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql.batch import WriteBatch
from adapters.sql.tables.cart import cart_lines, carts
from adapters.sql.tables.messaging import outbox
from commerce_core.cart.errors import CartNotFound
from commerce_core.catalog.errors import DuplicateSku
from commerce_core.inventory.stock import MovementInfo, MovementType, StockChange
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import SHIRT, cart, envelope, product
from tests.contract.conftest import Store
from tests.statements import counting

# No connection is opened: the dialect is all the batch needs to build its text.
POSTGRES = sa.create_engine("postgresql+psycopg://").dialect


def test_the_text_depends_on_the_tables_and_columns_not_on_the_number_of_rows() -> None:
    batch = WriteBatch(POSTGRES)
    texts = []
    for count in (1, 7):
        batch.insert(carts, [{"id": f"c{n}", "currency": "VND"} for n in range(count)])
        batch.insert(cart_lines, [{"cart_id": "c0", "position": n} for n in range(count)])
        assert batch.update(carts, "cart", [{"id": "c9", "currency": "VND"}], [3])
        text, params, checks = batch.take()
        texts.append(text)
        assert len(params["b0_0"]) == count
        assert checks == [("cart", ["c9"], 1)]
    assert texts[0] is texts[1]  # built once, then taken from the cache
    assert "unnest" in texts[0]
    assert "%(b2_1)s::INTEGER[]" in texts[0]
    assert not batch


def test_a_row_is_not_updated_twice_by_one_statement() -> None:
    batch = WriteBatch(POSTGRES)

    assert batch.update(carts, "cart", [{"id": "c1", "currency": "VND"}], [1])
    assert not batch.update(carts, "cart", [{"id": "c1", "currency": "USD"}], [2])
    batch.take()
    assert batch.update(carts, "cart", [{"id": "c1", "currency": "USD"}], [2])


def _store(adapter: str, url: str) -> Iterator[Store]:
    clock, ids = FrozenClock(), SequentialIds()
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock, ids=ids, pool_size=2)
    assert isinstance(ports.uow, sql.SqlUnitOfWorkFactory)
    try:
        yield Store(adapter, ports.uow, clock, ids)
    finally:
        ports.uow.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    yield from _store(request.param, url)


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Store]:
    """Two writers at once: PostgreSQL only (SQLite's take turns)."""
    yield from _store("postgres", postgres_url)


def engine_of(store: Store) -> sa.Engine:
    assert isinstance(store.uow, sql.SqlUnitOfWorkFactory)
    return store.uow.engine


@contextmanager
def sent(store: Store) -> Iterator[list[str]]:
    """The text of every statement sent inside the block."""
    texts: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement != "BEGIN IMMEDIATE":  # SQLite's, before a transaction's first statement
            texts.append(statement)

    sa.event.listen(engine_of(store), "before_cursor_execute", seen)
    try:
        yield texts
    finally:
        sa.event.remove(engine_of(store), "before_cursor_execute", seen)


def test_new_and_changed_aggregates_and_their_events_go_in_one_statement(store: Store) -> None:
    first, second = cart(store), cart(store, lines=((SHIRT, 1), ("MUG", 2), ("CAP", 3)))
    with sent(store) as texts:
        with counting(engine_of(store)) as counted, store.uow() as uow:
            uow.carts.add(first)
            uow.outbox.add([envelope(store)])
            uow.commit()
        with store.uow() as uow:
            uow.carts.add(second)
            uow.outbox.add([envelope(store, aggregate_id="a-2")])
            uow.commit()

    assert counted.figures == ((1, 1) if store.adapter == "postgres" else (2, 1))  # + BEGIN
    assert len(texts) == 2
    assert texts[0] == texts[1]  # one, two or three lines: the same statement
    with store.uow() as uow:
        assert [len(uow.carts.get(c.id).lines) for c in (first, second)] == [1, 3]
    assert [e.aggregate_id for e in store.committed_events()
            if e.type == "test.happened"] == ["a-1", "a-2"]


@pytest.mark.postgres
def test_a_version_changed_meanwhile_fails_the_commit_and_nothing_of_it_is_written(
    pg_store: Store,
) -> None:
    store = pg_store
    shopping, other = cart(store), cart(store)
    with store.uow() as uow:
        uow.carts.add(shopping)
        uow.commit()

    with store.uow() as late, store.uow() as early:
        stale, fresh = late.carts.get(shopping.id), early.carts.get(shopping.id)
        fresh.currency = "USD"
        early.commit()
        stale.currency = "EUR"
        late.carts.add(other)
        with pytest.raises(ConcurrencyConflict):
            late.commit()

    with store.uow() as uow:
        assert uow.carts.get(shopping.id).currency == "USD"
        assert uow.carts.get(shopping.id).version == shopping.version + 1
        with pytest.raises(CartNotFound):
            uow.carts.get(other.id)


def test_an_update_that_finds_another_version_fails_the_whole_batch(store: Store) -> None:
    # SQLite's writers take turns, so the other writer is played in the same transaction.
    shopping, other = cart(store), cart(store)
    with store.uow() as uow:
        uow.carts.add(shopping)
        uow.commit()

    with store.uow() as uow:
        uow.carts.get(shopping.id).currency = "EUR"
        uow.carts.add(other)
        assert isinstance(uow, sql.SqlUnitOfWork)
        uow.transaction.execute(carts.update().where(carts.c.id == shopping.id)
                                .values(version=carts.c.version + 1))
        with pytest.raises(ConcurrencyConflict, match=shopping.id):
            uow.commit()

    with store.uow() as uow:
        assert uow.carts.get(shopping.id).currency == shopping.currency
        with pytest.raises(CartNotFound):
            uow.carts.get(other.id)


def test_a_constraint_the_batch_breaks_is_the_same_domain_error(store: Store) -> None:
    with store.uow() as uow:
        uow.products.add(product(store))
        uow.commit()

    with store.uow() as uow:
        uow.products.add(product(store, slug="another-shirt"))
        with pytest.raises(DuplicateSku):
            uow.commit()


def test_a_statement_after_queued_writes_is_sent_after_them(store: Store) -> None:
    hold = MovementInfo(MovementType.RESERVATION, reason="hold")
    with store.uow() as uow:
        for sku in (SHIRT, "MUG"):
            uow.stock.set_on_hand(sku, "warehouse-1", 5)
        uow.stock.change_many([StockChange(sku, "warehouse-1", hold, reserved=2)
                               for sku in (SHIRT, "MUG")])
        # The ledger rows of both changes were queued; the read is sent after them.
        assert sorted((m.sku, m.on_hand_change, m.reserved_change, m.reserved_after)
                      for m in uow.ledger.movements()) == sorted([
            ("MUG", 0, 2, 2), ("MUG", 5, 0, 0), (SHIRT, 0, 2, 2), (SHIRT, 5, 0, 0)])


def test_outbox_rows_are_numbered_in_order_across_commits(store: Store) -> None:
    for batch in (["a-1", "a-2", "a-3"], ["a-4"], ["a-5", "a-6"]):
        with store.uow() as uow:
            uow.outbox.add([envelope(store, aggregate_id=a) for a in batch])
            uow.commit()

    with engine_of(store).connect() as connection:
        rows = connection.execute(sa.select(outbox.c.seq, outbox.c.aggregate_id)
                                  .order_by(outbox.c.seq)).all()
    assert [a for _, a in rows] == [f"a-{n}" for n in range(1, 7)]
    assert len({seq for seq, _ in rows}) == 6


def test_a_rolled_back_first_batch_leaves_the_next_one_working(store: Store) -> None:
    """On SQLite the statement's trigger is made inside the first transaction that needs it; a
    rollback takes it back, and the next transaction makes it again."""
    first, second = cart(store), cart(store)
    with store.uow() as uow:
        uow.carts.add(product_clash := cart(store))
        uow.commit()
    with store.uow() as uow:
        uow.carts.add(first)
        uow.carts.add(attrs.evolve(product_clash, version=0))  # the same id again
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    with store.uow() as uow:
        uow.carts.add(second)
        uow.commit()

    with store.uow() as uow:
        assert uow.carts.get(second.id).id == second.id
        with pytest.raises(CartNotFound):
            uow.carts.get(first.id)
