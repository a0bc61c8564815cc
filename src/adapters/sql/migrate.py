"""Schema migrations run from code: Alembic, configured without an ini file."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from adapters.sql.engine import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")

# Any constant works: it only has to be the same in every process migrating one database.
_PG_MIGRATION_LOCK = 0x636F6D6D
# Alembic keeps its running environment in module globals, so two threads of one process must
# not run a command at the same time; other processes are queued by the database locks below.
_ALEMBIC_LOCK = threading.Lock()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_engine(engine: Engine) -> None:
    """Upgrade to head in one transaction. Concurrent callers queue: PostgreSQL on an advisory
    lock, SQLite on the write lock `BEGIN IMMEDIATE` takes; the later ones find nothing to do."""
    with _ALEMBIC_LOCK, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (creating it if empty)."""
    engine = create_engine(url, pool_size=1)
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The schema revision the database at `url` is at; None if it was never migrated."""
    engine = create_engine(url, pool_size=1)
    try:
        return revision_of(engine)
    finally:
        engine.dispose()
