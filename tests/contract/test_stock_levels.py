"""StockLevels and StockLedger contract: single guarded changes that keep
0 <= reserved <= on_hand, each with its ledger movement; settings and batches of a row."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from commerce_core.inventory.errors import InvalidStockChange, StockBelowReserved
from commerce_core.inventory.model import StockLevel
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    MovementInfo,
    MovementType,
    StockChange,
    StockItem,
    StockSettings,
)
from tests.contract.builders import MUG, SHIRT
from tests.contract.conftest import Store

W1, W2 = "warehouse-1", "warehouse-2"


def stocked(store: Store, on_hand: int = 10, reserved: int = 0) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, W1, on_hand)
        if reserved:
            assert uow.stock.change(SHIRT, W1, reserved=reserved, info=info())
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


def reserve_units(uow: Any, sku: str, warehouse_id: str, quantity: int) -> bool:
    """What a reservation asks of the counters: `reserved += quantity` if available."""
    moved = uow.stock.change(sku, warehouse_id, reserved=quantity,
                             info=MovementInfo(MovementType.RESERVATION))
    return moved is not None


def test_reserving_takes_available_units_only(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        took = [reserve_units(uow, SHIRT, W1, n) for n in (4, 2, 1, 1)]
        uow.commit()

    assert took == [True, False, True, False]
    assert level(store) == StockLevel(SHIRT, W1, 5, 5)


def test_reserving_where_nothing_is_stocked_fails(store: Store) -> None:
    with store.uow() as uow:
        assert reserve_units(uow, SHIRT, W1, 1) is False
    assert level(store) is None


def test_giving_back_and_shipping_reserved_units(store: Store) -> None:
    stocked(store, on_hand=5, reserved=3)

    with store.uow() as uow:
        given_back = uow.stock.change(SHIRT, W1, reserved=-1,
                                      info=info(MovementType.CANCELLATION))
        shipped = uow.stock.change(SHIRT, W1, on_hand=-2, reserved=-2,
                                   info=info(MovementType.FULFILLMENT))
        uow.commit()

    assert given_back is not None
    assert shipped is not None
    assert level(store) == StockLevel(SHIRT, W1, 3, 0)


def test_giving_back_or_shipping_more_than_is_reserved_is_refused(store: Store) -> None:
    stocked(store, on_hand=5, reserved=1)

    with store.uow() as uow:
        assert uow.stock.change(SHIRT, W1, reserved=-2, info=info()) is None
        assert uow.stock.change(SHIRT, W1, on_hand=-2, reserved=-2, info=info()) is None
        assert uow.stock.change(MUG, W1, reserved=-1, info=info()) is None
        uow.commit()

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)


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
        reserve_units(uow, SHIRT, W1, 2)
        uow.stock.change(SHIRT, W1, on_hand=-1, reserved=-1, info=info(MovementType.FULFILLMENT))
        uow.stock.set_on_hand(MUG, W1, 9)

    assert level(store) == StockLevel(SHIRT, W1, 5, 1)
    assert level(store, MUG) is None


def test_changes_are_visible_inside_their_unit_of_work(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        reserve_units(uow, SHIRT, W1, 2)
        inside = uow.stock.get(SHIRT, W1)

    assert inside == StockLevel(SHIRT, W1, 5, 2)


# -- guarded changes with their ledger ------------------------------------------------------------


def info(kind: MovementType = MovementType.ADJUSTMENT, **extra: Any) -> MovementInfo:
    return MovementInfo(kind, **extra)


def test_a_change_applies_both_deltas_and_returns_its_movement(store: Store) -> None:
    stocked(store, on_hand=10, reserved=2)

    with store.uow() as uow:
        movement = uow.stock.change(SHIRT, W1, on_hand=-3, reserved=-1, info=info(
            MovementType.FULFILLMENT, reason="picked", reference_type="reservation",
            reference_id="r-1", batch_number="LOT-1", expiry_date=date(2027, 1, 31)))
        uow.commit()

    assert movement is not None
    assert (movement.on_hand_before, movement.on_hand_after) == (10, 7)
    assert (movement.reserved_before, movement.reserved_after) == (2, 1)
    assert level(store) == StockLevel(SHIRT, W1, 7, 1)
    with store.uow() as uow:
        (latest, *_) = uow.ledger.movements(sku=SHIRT)
    assert latest == movement


@pytest.mark.parametrize(("on_hand", "reserved"), [(0, 9), (-6, 0), (0, -3), (-4, -4)])
def test_a_change_that_would_break_the_counters_is_refused_and_records_nothing(
    store: Store, on_hand: int, reserved: int
) -> None:
    stocked(store, on_hand=5, reserved=2)
    with store.uow() as uow:
        before = uow.ledger.movements()

    with store.uow() as uow:
        refused = uow.stock.change(SHIRT, W1, on_hand=on_hand, reserved=reserved, info=info())
        uow.commit()

    assert refused is None
    assert level(store) == StockLevel(SHIRT, W1, 5, 2)
    with store.uow() as uow:
        assert uow.ledger.movements() == before


def test_a_change_creates_an_absent_row_only_when_the_deltas_alone_are_valid(
    store: Store,
) -> None:
    with store.uow() as uow:
        assert uow.stock.change(SHIRT, W1, reserved=1, info=info()) is None
        created = uow.stock.change(SHIRT, W1, on_hand=4, reserved=1, info=info())
        uow.commit()

    assert created is not None
    assert created.on_hand_before == 0
    assert level(store) == StockLevel(SHIRT, W1, 4, 1)


def test_a_change_of_nothing_is_refused(store: Store) -> None:
    stocked(store)

    with store.uow() as uow, pytest.raises(InvalidStockChange):
        uow.stock.change(SHIRT, W1, info=info())


def test_every_counter_method_appends_to_the_ledger_which_sums_to_the_counters(
    store: Store,
) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, W1, 9)
        reserve_units(uow, SHIRT, W1, 4)
        uow.stock.change(SHIRT, W1, reserved=-1, info=info(MovementType.CANCELLATION))
        uow.stock.change(SHIRT, W1, on_hand=-2, reserved=-2, info=info(MovementType.FULFILLMENT))
        uow.stock.set_on_hand(SHIRT, W1, 5)
        uow.stock.set_on_hand(MUG, W2, 0)
        uow.commit()

    with store.uow() as uow:
        kinds = [m.type for m in reversed(uow.ledger.movements(sku=SHIRT))]
        balances = uow.ledger.balances()

    assert kinds == [MovementType.COUNT, MovementType.RESERVATION, MovementType.CANCELLATION,
                     MovementType.FULFILLMENT, MovementType.COUNT]
    assert balances == [LedgerBalance(SHIRT, W1, 5, 1, 5, 1), LedgerBalance(MUG, W2, 0, 0, 0, 0)]


def test_the_ledger_rolls_back_with_its_unit_of_work(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        uow.stock.change(SHIRT, W1, on_hand=3, info=info())

    with store.uow() as uow:
        assert [m.on_hand_after for m in uow.ledger.movements(sku=SHIRT)] == [5]


def test_movements_filter_by_row_and_reference_newest_first(store: Store) -> None:
    with store.uow() as uow:
        uow.stock.change(SHIRT, W1, on_hand=5, info=info(reference_id="a"))
        store.clock.advance(timedelta(seconds=1))
        uow.stock.change(MUG, W1, on_hand=2, info=info(reference_id="b"))
        store.clock.advance(timedelta(seconds=1))
        uow.stock.change(SHIRT, W2, on_hand=1, info=info(reference_id="a"))
        uow.commit()

    with store.uow() as uow:
        everything = [(m.sku, m.warehouse_id) for m in uow.ledger.movements()]
        shirt_w1 = [m.on_hand_after for m in uow.ledger.movements(sku=SHIRT, warehouse_id=W1)]
        referenced = [m.warehouse_id for m in uow.ledger.movements(reference_id="a")]
        latest = [m.sku for m in uow.ledger.movements(limit=1)]

    assert everything == [(SHIRT, W2), (MUG, W1), (SHIRT, W1)]
    assert (shirt_w1, referenced, latest) == ([5], [W2, W1], [SHIRT])


def test_settings_are_kept_apart_from_the_counters(store: Store) -> None:
    settings = StockSettings(reorder_point=8, reorder_quantity=20, min_level=2, max_level=40,
                             bin_location="a-12-3")

    with store.uow() as uow:
        uow.stock.configure(SHIRT, W1, settings)
        uow.stock.configure(MUG, W1, StockSettings())
        uow.stock.change(MUG, W1, on_hand=3, info=info())
        uow.commit()

    with store.uow() as uow:
        shirt = uow.stock.item(SHIRT, W1)
        items = uow.stock.items(warehouse_id=W1)
        movements = uow.ledger.movements()

    assert shirt == StockItem(SHIRT, W1, 0, 0, settings)
    assert shirt is not None
    assert shirt.bin_location == "A-12-03"
    assert [(i.sku, i.on_hand) for i in items] == [(SHIRT, 0), (MUG, 3)]
    assert len(movements) == 1
    with store.uow() as uow:
        assert uow.stock.item(SHIRT, W2) is None
        assert uow.stock.items(sku="NOPE") == []


def test_batches_grow_shrink_and_list_soonest_expiry_first(store: Store) -> None:
    with store.uow() as uow:
        uow.stock.change_batch(SHIRT, W1, "LOT-B", 5, date(2027, 6, 1))
        uow.stock.change_batch(SHIRT, W1, "LOT-A", 2, date(2027, 3, 1))
        uow.stock.change_batch(SHIRT, W1, "LOT-X", 1)
        uow.stock.change_batch(SHIRT, W1, "LOT-B", -1)
        uow.stock.change_batch(MUG, W2, "LOT-C", 4, date(2026, 1, 1))
        uow.stock.change_batch(MUG, W2, "LOT-C", -4)
        uow.commit()

    with store.uow() as uow:
        shirts = uow.stock.batches(sku=SHIRT, warehouse_id=W1)
        everything = uow.stock.batches()
        with pytest.raises(InvalidStockChange):
            uow.stock.change_batch(SHIRT, W1, "LOT-A", -3)
        with pytest.raises(InvalidStockChange):
            uow.stock.change_batch(SHIRT, W1, "LOT-NEW", -1)

    assert shirts == [Batch(SHIRT, W1, "LOT-A", date(2027, 3, 1), 2),
                      Batch(SHIRT, W1, "LOT-B", date(2027, 6, 1), 4),
                      Batch(SHIRT, W1, "LOT-X", None, 1)]
    assert everything == shirts  # an emptied batch is not listed


def test_locking_a_level_reads_it(store: Store) -> None:
    stocked(store, on_hand=4, reserved=1)

    with store.uow() as uow:
        assert uow.stock.lock(SHIRT, W1) == StockLevel(SHIRT, W1, 4, 1)
        assert uow.stock.lock(MUG, W1) is None


def reserve(sku: str, warehouse_id: str, quantity: int, ref: str) -> StockChange:
    return StockChange(sku, warehouse_id, reserved=quantity,
                       info=info(MovementType.RESERVATION, reference_id=ref))


def test_a_batch_of_changes_ends_as_the_same_changes_one_by_one(store: Store) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, W1, 5)
        uow.stock.set_on_hand(SHIRT, W2, 1)
        uow.stock.set_on_hand(MUG, W1, 3)
        uow.commit()

    with store.uow() as uow:
        moved = uow.stock.change_many([
            reserve(SHIRT, W1, 2, "a"),
            reserve(SHIRT, W2, 2, "refused"),  # only 1 there: refused, the others go on
            reserve(MUG, W1, 3, "b"),
            reserve(SHIRT, W1, 3, "c"),  # the same row again: applied after the first
            reserve(SHIRT, W1, 1, "too-many"),  # nothing left after a and c
            StockChange(MUG, W2, on_hand=4, info=info()),  # no row yet: created
        ])
        uow.commit()

    with store.uow() as uow:
        levels = {(lv.sku, lv.warehouse_id): (lv.on_hand, lv.reserved)
                  for lv in uow.stock.list()}
        balances = uow.ledger.balances()
    assert [None if m is None else (m.reference_id, m.on_hand_after, m.reserved_after)
            for m in moved] == [("a", 5, 2), None, ("b", 3, 3), ("c", 5, 5), None, ("", 4, 0)]
    assert levels == {(SHIRT, W1): (5, 5), (SHIRT, W2): (1, 0), (MUG, W1): (3, 3),
                      (MUG, W2): (4, 0)}
    assert all(b.on_hand == b.ledger_on_hand and b.reserved == b.ledger_reserved
               for b in balances)


def test_a_batch_of_changes_rolls_back_with_its_unit_of_work(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow:
        uow.stock.change_many([reserve(SHIRT, W1, 1, "a"), reserve(SHIRT, W1, 1, "b")])

    assert level(store) == StockLevel(SHIRT, W1, 5, 0)


def test_a_batch_with_a_change_of_nothing_is_refused(store: Store) -> None:
    stocked(store, on_hand=5)

    with store.uow() as uow, pytest.raises(InvalidStockChange):
        uow.stock.change_many([reserve(SHIRT, W1, 1, "a"),
                               StockChange(MUG, W1, info=info())])


def test_items_for_many_skus_are_read_at_once_in_sku_then_warehouse_order(
    store: Store,
) -> None:
    with store.uow() as uow:
        for sku, warehouse_id in ((SHIRT, W2), (MUG, W1), (SHIRT, W1), ("OTHER", W1)):
            uow.stock.set_on_hand(sku, warehouse_id, 1)
        uow.commit()

    with store.uow() as uow:
        found = [(i.sku, i.warehouse_id) for i in uow.stock.items_for({SHIRT, MUG}, lock=True)]
        assert uow.stock.items_for(set()) == []

    assert found == sorted([(SHIRT, W2), (MUG, W1), (SHIRT, W1)])
