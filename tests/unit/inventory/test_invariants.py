"""Random sequences of stock operations on the memory adapter keep every invariant."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from commerce_core import Commerce
from tests.shop import make_commerce
from tests.unit.inventory.stock_machine import StockMachine


class MemoryStockMachine(StockMachine):
    def make_commerce(self) -> Commerce:
        return make_commerce()


MemoryStockMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStockInvariantsOnMemory = MemoryStockMachine.TestCase
