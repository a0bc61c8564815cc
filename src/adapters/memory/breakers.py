"""Circuit breakers in this process's memory: each process has its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from commerce_core.payment.ports import BreakerState

T = TypeVar("T")


class InMemoryBreakerStore:
    """The `BreakerStore` for one process (the default)."""

    def __init__(self) -> None:
        self._states: dict[str, BreakerState] = {}
        self._lock = threading.Lock()

    def read(self, gateway: str) -> BreakerState:
        with self._lock:
            return self._states.get(gateway, BreakerState())

    def update(self, gateway: str,
               change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        with self._lock:
            state, value = change(self._states.get(gateway, BreakerState()))
            self._states[gateway] = state
            return value
