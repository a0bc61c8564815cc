"""StockLevels contract: single guarded changes that keep 0 <= reserved <= on_hand."""

from __future__ import annotations

import pytest

from commerce_core.inventory.errors import InvalidStockChange, StockBelowReserved
from commerce_core.inventory.model import StockLevel
from tests.contract.builders import MUG, SHIRT
from tests.contract.conftest import Store

W1, W2 = "warehouse-1", "warehouse-2"


def stocked(store: Store, on_hand: int = 10, reserved: int = 0) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, W1, on_hand)
        if reserved:
            assert uow.stock.try_reserve(SHIRT, W1, reserved)
        uow.commit()


def level(store: Store, sku: str = SHIRT, warehouse_id: str = W1) -> StockLevel | None:
    with store.uow() as uow:
        return uow.stock.get(sku, warehouse_id)


def test_an_unknown_level_is_none(store: Store) -> None:
    assert level(store) is None


def test_setting_on_hand_creates_the_level_and_returns_none(store: Store) -> None:
    with store.uow() as uow:
        before = uow.stock.set_on_hand(SHIRT, W1, 7)
        uow.commit()

    assert before is None
    assert level(store) == StockLevel(SHIRT, W1, 7, 0)


def test_setting_on_hand_returns_the_level_before(store: Store) -> None:
    stocked(store, on_hand=10, reserved=3)

    with store.uow() as uow:
        before = uow.stock.set_on_hand(SHIRT, W1, 4)
        uow.commit()

    assert before == StockLevel(SHIRT, W1, 10, 3)
    assert level(store) == StockLevel(SHIRT, W1, 4, 3)


def test_on_hand_cannot_drop_below_reserved(store: Store) -> None:
    stocked(store, on_hand=10, reserved=3)

    with store.uow() as uow, pytest.raises(StockBelowReserved):
        uow.stock.set_on_hand(SHIRT, W1, 2)

    assert level(store) == StockLevel(SHIRT, W1, 10, 3)


def test_on_hand_cannot_be_negative(store: Store) -> None:
    with store.uow() as uow, pytest.raises(StockBelowReserved):
        uow.stock.set_on_hand(SHIRT, W1, -1)

    assert level(store) is None


def test_reserving_takes_available_units_only(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        took_four = uow.stock.try_reserve(SHIRT, W1, 4)
        took_two = uow.stock.try_reserve(SHIRT, W1, 2)
        took_last = uow.stock.try_reserve(SHIRT, W1, 1)
        took_more = uow.stock.try_reserve(SHIRT, W1, 1)
        uow.commit()

    assert (took_four, took_two, took_last, took_more) == (True, False, True, False)
    assert level(store) == StockLevel(SHIRT, W1, 5, 5)


def test_reserving_where_nothing_is_stocked_fails(store: Store) -> None:
    with store.uow() as uow:
        assert uow.stock.try_reserve(SHIRT, W1, 1) is False


def test_unreserving_gives_units_back(store: Store) -> None:
    stocked(store, on_hand=5, reserved=3)

    with store.uow() as uow:
        uow.stock.unreserve(SHIRT, W1, 2)
        uow.commit()

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)


def test_unreserving_more_than_is_reserved_is_refused(store: Store) -> None:
    stocked(store, on_hand=5, reserved=1)

    with store.uow() as uow:
        with pytest.raises(InvalidStockChange):
            uow.stock.unreserve(SHIRT, W1, 2)
        with pytest.raises(InvalidStockChange):
            uow.stock.unreserve(MUG, W1, 1)

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)


def test_committing_takes_reserved_units_off_the_shelf(store: Store) -> None:
    stocked(store, on_hand=5, reserved=3)

    with store.uow() as uow:
        uow.stock.commit(SHIRT, W1, 2)
        uow.commit()

    assert level(store) == StockLevel(SHIRT, W1, 3, 1)


def test_committing_more_than_is_reserved_is_refused(store: Store) -> None:
    stocked(store, on_hand=5, reserved=1)

    with store.uow() as uow, pytest.raises(InvalidStockChange):
        uow.stock.commit(SHIRT, W1, 2)

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)


@pytest.mark.parametrize("quantity", [0, -3])
def test_quantities_below_one_are_refused(store: Store, quantity: int) -> None:
    stocked(store, on_hand=5, reserved=2)

    with store.uow() as uow:
        with pytest.raises(InvalidStockChange):
            uow.stock.try_reserve(SHIRT, W1, quantity)
        with pytest.raises(InvalidStockChange):
            uow.stock.unreserve(SHIRT, W1, quantity)
        with pytest.raises(InvalidStockChange):
            uow.stock.commit(SHIRT, W1, quantity)

    assert level(store) == StockLevel(SHIRT, W1, 5, 2)


def test_levels_list_by_sku_then_warehouse(store: Store) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, W2, 1)
        uow.stock.set_on_hand(MUG, W1, 2)
        uow.stock.set_on_hand(SHIRT, W1, 3)
        uow.stock.set_on_hand("A-1", W1, 4)
        uow.stock.set_on_hand("A1", W1, 5)
        uow.commit()

    with store.uow() as uow:
        everything = [(lv.sku, lv.warehouse_id) for lv in uow.stock.list()]
        shirts = uow.stock.list(SHIRT)

    assert everything == [("A-1", W1), ("A1", W1), (SHIRT, W1), (SHIRT, W2), (MUG, W1)]
    assert shirts == [StockLevel(SHIRT, W1, 3, 0), StockLevel(SHIRT, W2, 1, 0)]


def test_stock_changes_roll_back_with_their_unit_of_work(store: Store) -> None:
    stocked(store, on_hand=5, reserved=1)

    with store.uow() as uow:
        uow.stock.try_reserve(SHIRT, W1, 2)
        uow.stock.commit(SHIRT, W1, 1)
        uow.stock.set_on_hand(MUG, W1, 9)

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)
    assert level(store, MUG) is None


def test_changes_are_visible_inside_their_unit_of_work(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        uow.stock.try_reserve(SHIRT, W1, 2)
        inside = uow.stock.get(SHIRT, W1)

    assert inside == StockLevel(SHIRT, W1, 5, 2)
