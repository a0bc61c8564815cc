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
    """Search's full-text objects are dialect DDL of migration 0004, not declared tables."""
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
    assert len(declared) == 5


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
    assert sql.current_revision(url) == head_revision() == "0008"
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
