"""OrderRepository contract: the order, its lines and its status history."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import LineAllocation, Order, OrderStatus
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import SHIRT, order, state
from tests.contract.conftest import Store


def add(store: Store, *orders: Order) -> None:
    with store.uow() as uow:
        for item in orders:
            uow.orders.add(item)
        uow.commit()


def test_an_order_reads_back_exactly_as_it_was_placed(store: Store) -> None:
    placed = order(store)
    add(store, placed)

    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)
        by_number = uow.orders.by_number(placed.number)
        by_checkout = uow.orders.by_checkout(placed.checkout_id)

    assert state(loaded) == state(placed)
    assert by_number is loaded
    assert by_checkout is loaded


def test_an_unknown_order_is_not_found(store: Store) -> None:
    with store.uow() as uow:
        with pytest.raises(OrderNotFound):
            uow.orders.get("no-such-order")
        assert uow.orders.by_number("ORD-00000000-NOPE") is None
        assert uow.orders.by_checkout("no-such-checkout") is None


def test_status_changes_and_their_history_are_saved(store: Store) -> None:
    placed = order(store)
    add(store, placed)
    store.clock.advance(timedelta(minutes=2))

    with store.uow() as uow:
        uow.orders.get(placed.id).confirm("payment-1", now=store.clock.now())
        uow.commit()
    store.clock.advance(timedelta(minutes=2))
    with store.uow() as uow:
        uow.orders.get(placed.id).cancel("out of stock", changed_by="staff",
                                         now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)

    assert (loaded.status, loaded.payment_id, loaded.cancel_reason, loaded.version) == (
        OrderStatus.CANCELLED, "payment-1", "out of stock", 2
    )
    assert [(c.from_status, c.to_status, c.changed_by) for c in loaded.history] == [
        (None, OrderStatus.PENDING, "checkout"),
        (OrderStatus.PENDING, OrderStatus.CONFIRMED, "checkout"),
        (OrderStatus.CONFIRMED, OrderStatus.CANCELLED, "staff"),
    ]
    assert loaded.history[-1].changed_at == store.clock.now()
    assert [line.sku for line in loaded.lines] == [line.sku for line in placed.lines]


def test_a_second_order_for_one_checkout_is_a_concurrency_conflict(store: Store) -> None:
    add(store, order(store, checkout_id="checkout-1"))

    with store.uow() as uow:
        uow.orders.add(order(store, checkout_id="checkout-1"))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()


def test_orders_list_newest_first_with_filters_and_paging(store: Store) -> None:
    made = []
    for i, customer in enumerate(("lan", "minh", "lan", "lan")):
        made.append(order(store, checkout_id=f"checkout-{i}", customer_id=customer))
        store.clock.advance(timedelta(minutes=1))
    made[2].confirm("payment-2", now=store.clock.now())
    add(store, *made)

    with store.uow() as uow:
        newest = [o.id for o in uow.orders.list()]
        lans = [o.id for o in uow.orders.list(customer_id="lan")]
        pending_lans = [o.id for o in uow.orders.list(status=OrderStatus.PENDING,
                                                      customer_id="lan")]
        confirmed = [o.id for o in uow.orders.list(status=OrderStatus.CONFIRMED)]
        page = [o.id for o in uow.orders.list(limit=2, offset=1)]

    assert newest == [made[3].id, made[2].id, made[1].id, made[0].id]
    assert lans == [made[3].id, made[2].id, made[0].id]
    assert pending_lans == [made[3].id, made[0].id]
    assert confirmed == [made[2].id]
    assert page == [made[2].id, made[1].id]


def test_a_line_split_across_warehouses_reads_back_with_every_part(store: Store) -> None:
    placed = order(store, lines=((SHIRT, 5),))
    line = placed.lines[0]
    split = attrs.evolve(line, warehouse_id="warehouse-2", reservation_id="reservation-b",
                         allocations=(LineAllocation("warehouse-2", "reservation-b", 3),
                                      LineAllocation("warehouse-1", "reservation-a", 2)))
    placed.lines[0] = split
    add(store, placed)

    with store.uow() as uow:
        loaded = uow.orders.get(placed.id)

    assert loaded.lines[0].parts == split.allocations
    assert loaded.reservation_ids == ("reservation-b", "reservation-a")
