"""Alembic environment: runs on the connection `adapters.sql.upgrade` hands over, or on the URL
in the Alembic config (`sqlalchemy.url`) or `COMMERCE_DATABASE_URL` when run from the CLI."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from adapters.sql.engine import create_engine
from adapters.sql.tables import metadata

DEFAULT_URL = "sqlite:///commerce.db"


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


def url() -> str:
    return (
        context.config.get_main_option("sqlalchemy.url")
        or os.environ.get("COMMERCE_DATABASE_URL")
        or DEFAULT_URL
    )


if context.is_offline_mode():
    context.configure(url=url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        run(given)
    else:
        engine = create_engine(url(), pool_size=1)
        try:
            with engine.begin() as connection:
                run(connection)
        finally:
            engine.dispose()
