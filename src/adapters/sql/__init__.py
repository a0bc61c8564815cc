"""SQL adapters for every port: SQLAlchemy Core on SQLite (the embedded default) and PostgreSQL.

    from commerce_core import Commerce
    from adapters import sql

    commerce = Commerce(sql.bundle("sqlite:///shop.db", gateway=gateway, clock=clock, ids=ids))

Importing this package opens nothing: `bundle` builds the engine and migrates the schema.
"""

from __future__ import annotations

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.sql.engine import create_engine
from adapters.sql.migrate import (
    current_revision,
    head_revision,
    revision_of,
    upgrade,
    upgrade_engine,
)
from adapters.sql.search import SqlSearchIndex
from adapters.sql.timeline import SqlOrderTimeline
from adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from commerce_core.app import Ports
from commerce_core.payment.ports import PaymentGateway
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator


def bundle(
    url: str,
    *,
    gateway: PaymentGateway,
    clock: Clock,
    ids: IdGenerator,
    pool_size: int = 10,
) -> Ports:
    """Ports over the database at `url`, its schema brought to the newest revision first."""
    engine = create_engine(url, pool_size=pool_size)
    if revision_of(engine) != head_revision():
        upgrade_engine(engine)
    return Ports(
        uow=SqlUnitOfWorkFactory(engine, clock, ids), gateway=gateway, clock=clock, ids=ids,
        search_index=SqlSearchIndex(engine),
        carriers=CarrierRegistry([FakeCarrier(clock=clock)]),
        timeline=SqlOrderTimeline(engine),
    )


__all__ = [
    "SqlSearchIndex",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "bundle",
    "create_engine",
    "current_revision",
    "upgrade",
]
