"""Alembic migrations of the SQL adapter, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql.migrate import alembic_config, head_revision
from adapters.sql.tables import metadata
from adapters.sql.tables.inventory import stock_levels
from adapters.sql.tables.search import ENGINE_SPECIFIC
from adapters.sql.transaction import SqlTransaction
from commerce_core.inventory.errors import InvalidStockChange
from commerce_core.search.analysis import query_terms
from commerce_core.search.queries import Filters, SearchQuery
from tests.contract.search_support import doc

BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shop.db"
    return str(request.getfixturevalue("postgres_url"))


def table_names(url: str) -> set[str]:
    engine = sql.create_engine(url, pool_size=1)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _declared(name: str | None, type_: str, parent_names: object) -> bool:
    """Search's full-text objects are dialect DDL of migration 0005, not declared tables."""
    return name not in ENGINE_SPECIFIC


def test_the_migrated_schema_is_exactly_the_tables_module(url: str) -> None:
    sql.upgrade(url)

    engine = sql.create_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            # SQLite has no identity columns, so only PostgreSQL can compare `outbox.seq`'s.
            options = {"compare_type": True,
                       "compare_server_default": connection.dialect.name != "sqlite",
                       "include_name": _declared}
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_the_migrated_check_constraints_are_the_tables_modules(url: str) -> None:
    sql.upgrade(url)

    engine = sql.create_engine(url, pool_size=1)
    try:
        inspector = sa.inspect(engine)
        migrated = {
            (table, check["name"])
            for table in metadata.tables
            for check in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()

    declared = {
        (table.name, constraint.name)
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    assert migrated == declared
    assert len(declared) == 6


@pytest.mark.parametrize(
    ("on_hand", "reserved"), [(-1, 0), (5, -1), (5, 6)], ids=["on-hand", "reserved", "over"]
)
def test_the_database_itself_refuses_broken_stock_counters(
    url: str, on_hand: int, reserved: int
) -> None:
    sql.upgrade(url)
    engine = sql.create_engine(url, pool_size=1)
    db = SqlTransaction(engine)
    try:
        with pytest.raises(InvalidStockChange) as refused:
            db.execute(stock_levels.insert(), {"sku": "LINEN-SHIRT-M", "warehouse_id": "w-1",
                                               "on_hand": on_hand, "reserved": reserved})
    finally:
        db.close()
        engine.dispose()

    assert isinstance(refused.value.__cause__, sa.exc.IntegrityError)


def test_an_empty_database_is_at_no_revision_until_upgraded(url: str) -> None:
    before = sql.current_revision(url)

    sql.upgrade(url)
    sql.upgrade(url)

    assert before is None
    assert sql.current_revision(url) == head_revision() == "0027"
    assert set(metadata.tables) | {"alembic_version"} == table_names(url) - ENGINE_SPECIFIC


def test_a_bundle_migrates_the_database_it_opens(url: str) -> None:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=2)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    factory.dispose()

    assert sql.current_revision(url) == head_revision()


def test_processes_migrating_one_database_at_once_all_succeed(url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def migrate() -> None:
        barrier.wait()
        try:
            sql.upgrade(url)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sql.current_revision(url) == head_revision()


def test_downgrading_to_base_removes_every_table(url: str) -> None:
    sql.upgrade(url)

    engine = sql.create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
    finally:
        engine.dispose()

    assert table_names(url) == {"alembic_version"}
    assert sql.current_revision(url) is None


def test_upgrading_a_shop_with_stock_opens_the_ledger_with_each_rows_balance(url: str) -> None:
    engine = sql.create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(sa.text(
                "INSERT INTO stock_levels (sku, warehouse_id, on_hand, reserved) VALUES "
                "('LINEN-SHIRT-M', 'w-1', 7, 2), ('RETRO-MUG', 'w-1', 0, 0)"))
    finally:
        engine.dispose()

    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=1)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        with factory() as uow:
            balances = uow.ledger.balances()
            (opening,) = uow.ledger.movements()
            item = uow.stock.item("LINEN-SHIRT-M", "w-1")
    finally:
        factory.dispose()

    assert [b for b in balances if b.drift] == []
    assert (opening.type.value, opening.on_hand_change, opening.reserved_change) == (
        "opening", 7, 2)
    assert item is not None
    assert item.settings.reorder_point == 0


def _search_answers(url: str) -> list[object]:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=1)
    index, factory = ports.search_index, ports.uow
    assert isinstance(index, sql.SqlSearchIndex)
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        if not index.count():
            index.upsert([
                doc("P1", "Áo sơ mi lanh", brand="Acme", price=300_000,
                    categories=(("C1-1", "Áo sơ mi"), ("C1", "Áo")),
                    attributes={"color": ("đỏ", "xanh"), "a:b": ("c",)}, stock={"HN": 2}),
                doc("P2", "Áo sơ mi cotton", price=150_000, categories=(("C1", "Áo"),),
                    attributes={"a": ("b:c",)}, stock={"HN": 0, "HCM": 1}),
                doc("P3", "Quần jean", brand="Bình An", price=500_000,
                    categories=(("C2", "Quần"),), attributes={"color": ("xanh",)}),
            ])
        queries = [
            SearchQuery(facet_attributes=("color", "a", "a:b")),
            SearchQuery(terms=query_terms("ao"), filters=Filters(brands=("Acme",)),
                        facet_attributes=("color",)),
            SearchQuery(filters=Filters(category_ids=("C1",), in_stock=True, warehouse_id="HCM",
                                        attributes={"a": ("b:c",)})),
        ]
        return [*(index.search(q) for q in queries), index.suggest(["ao", "s"], 10),
                index.suggest(["q"], 10)]
    finally:
        index.dispose()
        factory.dispose()


def test_search_documents_read_the_same_after_a_downgrade_below_0009_and_back(url: str) -> None:
    """0009 fills facet values and name prefixes from the stored documents as the index writes
    them, and its downgrade gives the tables before it their facet and stock rows back."""
    before = _search_answers(url)

    engine = sql.create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
            facets = connection.execute(sa.text("SELECT count(*) FROM search_facets")).scalar()
            stock = connection.execute(sa.text("SELECT count(*) FROM search_stock")).scalar()
    finally:
        engine.dispose()

    assert (facets, stock) == (11, 3)  # brands 2, categories 4, attribute values 5; stock 3
    assert _search_answers(url) == before
