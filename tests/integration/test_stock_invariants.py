"""The stock state machine on SQLite: fewer, shorter runs, each on a fresh database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core import Commerce
from tests.unit.inventory.stock_machine import StockMachine


class SqliteStockMachine(StockMachine):
    def make_commerce(self) -> Commerce:
        self._folder = tempfile.TemporaryDirectory()
        ports = sql.bundle(f"sqlite:///{Path(self._folder.name) / 'shop.db'}",
                           gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                           ids=SequentialIds(), pool_size=2)
        self._factory = ports.uow
        return Commerce(ports)

    def close(self) -> None:
        assert isinstance(self._factory, sql.SqlUnitOfWorkFactory)
        self._factory.dispose()
        self._folder.cleanup()


SqliteStockMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStockInvariantsOnSqlite = SqliteStockMachine.TestCase
