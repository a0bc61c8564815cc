"""The adapters every contract suite runs against: the memory fake, SQLite and PostgreSQL.

Each test gets a fresh, empty store with a frozen clock and predictable ids. The PostgreSQL
variant works in a schema of its own (`postgres_url`) and skips without a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import attrs
import pytest

from adapters import memory, sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.ports import ShopUnitOfWork
from commerce_core.shared.events import EventEnvelope
from tests.ledger_support import assert_balanced


class ContractUnitOfWork(ShopUnitOfWork, Protocol):
    """Every repository of the core, as one unit of work of any adapter offers them."""


@attrs.define
class Store:
    adapter: str
    uow: Callable[[], ContractUnitOfWork]
    clock: FrozenClock
    ids: SequentialIds

    def committed_events(self) -> list[EventEnvelope]:
        """Every event committed so far, oldest first (nothing relays them in these tests)."""
        with self.uow() as uow:
            return uow.outbox.pending(10_000)

    def event_types(self) -> list[str]:
        return [envelope.type for envelope in self.committed_events()]


ADAPTERS = [
    pytest.param("memory"),
    pytest.param("sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    clock, ids = FrozenClock(), SequentialIds()
    if request.param == "memory":
        ports = memory.bundle(clock=clock, ids=ids)
        yield Store("memory", ports.uow, clock, ids)
        assert_balanced(ports.uow)
        return
    url = (
        f"sqlite:///{tmp_path}/t.db" if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock, ids=ids, pool_size=2)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Store(request.param, factory, clock, ids)
        # The ledger's invariant, after every contract test (the schema goes with the test).
        assert_balanced(factory)
    finally:
        factory.dispose()
