"""A unit of work adopting what an earlier one committed (`held()` / `adopt()`), without reading
it again: the checkout's second transaction works this way."""

from __future__ import annotations

import pytest

from commerce_core.ordering.model import Order
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.uow import Held
from tests.contract.builders import order, state
from tests.contract.conftest import Store


def _placed(store: Store) -> tuple[Order, Held]:
    placed = order(store)
    with store.uow() as uow:
        uow.orders.add(placed)
        uow.commit()
        held = uow.held()
    return placed, held


def test_changes_to_an_adopted_aggregate_are_saved_with_their_children(store: Store) -> None:
    placed, held = _placed(store)

    with store.uow() as uow:
        uow.adopt(held)
        adopted = uow.orders.get(placed.id)
        adopted.confirm("payment-1", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)

    assert adopted is placed
    assert state(loaded) == state(adopted)
    assert [h.to_status.value for h in loaded.history] == ["pending", "confirmed"]
    assert loaded.version == 1


def test_an_adopted_aggregate_left_unchanged_is_not_written(store: Store) -> None:
    placed, held = _placed(store)

    with store.uow() as uow:
        uow.adopt(held)
        uow.orders.get(placed.id)
        uow.commit()
    with store.uow() as uow:
        assert uow.orders.get(placed.id).version == placed.version == 0


def test_an_adopted_aggregate_someone_changed_meanwhile_conflicts(store: Store) -> None:
    placed, held = _placed(store)
    with store.uow() as uow:
        uow.orders.get(placed.id).confirm("payment-1", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        uow.adopt(held)
        stale = uow.orders.get(placed.id)
        stale.cancel("changed mind", changed_by="customer", now=store.clock.now())
        with pytest.raises(ConcurrencyConflict):
            uow.commit()

    with store.uow() as uow:
        assert uow.orders.get(placed.id).status.value == "confirmed"


def test_what_the_unit_of_work_already_holds_wins_over_what_it_adopts(store: Store) -> None:
    placed, held = _placed(store)

    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)
        uow.adopt(held)
        assert uow.orders.get(placed.id) is loaded
