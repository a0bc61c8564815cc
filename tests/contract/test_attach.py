"""Adopting an aggregate an earlier unit of work committed (`attach`), without reading it again."""

from __future__ import annotations

import pytest

from commerce_core.ordering.model import Order
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import order, state
from tests.contract.conftest import Store


def _placed(store: Store) -> Order:
    placed = order(store)
    with store.uow() as uow:
        uow.orders.add(placed)
        uow.commit()
    return placed


def test_changes_to_an_attached_aggregate_are_saved_with_their_children(store: Store) -> None:
    placed = _placed(store)

    with store.uow() as uow:
        adopted = uow.orders.attach(placed)
        adopted.confirm("payment-1", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)

    assert state(loaded) == state(adopted)
    assert [h.to_status.value for h in loaded.history] == ["pending", "confirmed"]
    assert loaded.version == 1


def test_an_attached_aggregate_someone_changed_meanwhile_conflicts(store: Store) -> None:
    placed = _placed(store)
    with store.uow() as uow:
        uow.orders.get(placed.id).confirm("payment-1", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        stale = uow.orders.attach(placed)
        stale.cancel("changed mind", changed_by="customer", now=store.clock.now())
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    with store.uow() as uow:
        assert uow.orders.get(placed.id).status.value == "confirmed"


def test_attaching_what_the_unit_of_work_already_holds_returns_its_copy(store: Store) -> None:
    placed = _placed(store)

    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)
        assert uow.orders.attach(placed) is loaded
