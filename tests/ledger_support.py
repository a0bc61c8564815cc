"""The ledger's books must balance after every test that touched them.

Shops and stores built for tests register their unit-of-work factory with `books.watch(...)`;
an autouse fixture (tests/conftest.py) checks each registered one once the test is over: the sum
of debit legs equals the sum of credit legs, and every account's counters agree with its legs,
its active holds and its lots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commerce_core.ledger.ports import LedgerTotals


class Books:
    def __init__(self) -> None:
        self._watched: list[Callable[[], Any]] = []

    def watch(self, uow: Callable[[], Any]) -> None:
        self._watched.append(uow)

    def take(self) -> list[Callable[[], Any]]:
        watched, self._watched = self._watched, []
        return watched


books = Books()


def totals(uow: Callable[[], Any]) -> LedgerTotals:
    with uow() as u:
        found: LedgerTotals = u.value_ledger.totals()
        return found


def assert_balanced(uow: Callable[[], Any]) -> None:
    found = totals(uow)
    assert found.debits == found.credits, f"the books do not balance: {found}"
    assert not found.mismatched, f"accounts disagree with their legs, holds or lots: {found}"
