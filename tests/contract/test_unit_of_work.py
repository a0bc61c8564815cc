"""UnitOfWork contract: one transaction over the repositories, the stock and the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.catalog.errors import DuplicateSku, ProductNotFound
from commerce_core.inventory.events import StockChanged
from commerce_core.inventory.model import StockLevel
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import Causality, EventEnvelope, current_causality
from commerce_core.shared.uow import committed_in_context
from tests.contract.builders import MUG, SHIRT, cart, product
from tests.contract.conftest import Store


def stock_changed(store: Store, on_hand: int = 5) -> StockChanged:
    return StockChanged(SHIRT, "warehouse-1", 0, on_hand, 0, "count", store.clock.now())


def test_leaving_without_commit_rolls_everything_back(store: Store) -> None:
    shirt = product(store)

    with store.uow() as uow:
        uow.products.add(shirt)
        uow.stock.set_on_hand(SHIRT, "warehouse-1", 5)
        uow.record(stock_changed(store))

    with store.uow() as uow:
        with pytest.raises(ProductNotFound):
            uow.products.get(shirt.id)
        assert uow.stock.get(SHIRT, "warehouse-1") is None
    assert store.committed_events() == []


def test_a_commit_saves_the_changes_and_their_events_together(store: Store) -> None:
    shirt = product(store, publish=True)

    with store.uow() as uow:
        uow.products.add(shirt)
        uow.stock.set_on_hand(SHIRT, "warehouse-1", 5)
        uow.record(stock_changed(store))
        uow.commit()
        committed = uow.committed

    assert store.committed_events() == committed
    assert [(e.type, e.aggregate_id) for e in committed] == [
        ("catalog.product_created", shirt.id),
        ("catalog.product_published", shirt.id),
        ("inventory.stock_changed", SHIRT),
    ]
    assert committed[0].payload["skus"] == [SHIRT]
    assert shirt.events == []
    with store.uow() as uow:
        assert uow.products.get(shirt.id).id == shirt.id
        assert uow.stock.get(SHIRT, "warehouse-1") == StockLevel(SHIRT, "warehouse-1", 5, 0)


def test_committed_events_carry_the_causality_of_the_current_command(store: Store) -> None:
    token = current_causality.set(Causality(correlation_id="corr-9", causation_id="cause-9"))
    try:
        with store.uow() as uow:
            uow.record(stock_changed(store))
            uow.commit()
    finally:
        current_causality.reset(token)

    (event,) = store.committed_events()
    assert (event.correlation_id, event.causation_id) == ("corr-9", "cause-9")


def test_committed_events_are_announced_for_in_process_dispatch(store: Store) -> None:
    collected: list[EventEnvelope] = []
    token = committed_in_context.set(collected)
    try:
        with store.uow() as uow:
            uow.record(stock_changed(store))
            uow.commit()
    finally:
        committed_in_context.reset(token)

    assert [e.type for e in collected] == ["inventory.stock_changed"]


def test_a_failed_commit_leaves_no_change_and_no_outbox_row(store: Store) -> None:
    with store.uow() as uow:
        uow.products.add(product(store, skus=(SHIRT,)))
        uow.commit()
    before = store.committed_events()

    with store.uow() as uow:
        uow.stock.set_on_hand(MUG, "warehouse-1", 5)
        uow.record(stock_changed(store))
        uow.products.add(product(store, skus=(MUG, SHIRT), slug="clash"))
        with pytest.raises(DuplicateSku):
            uow.commit()

    assert store.committed_events() == before
    with store.uow() as uow:
        assert uow.stock.get(MUG, "warehouse-1") is None
        assert len(uow.products.list()) == 1


def test_after_a_rollback_the_unit_of_work_can_go_on(store: Store) -> None:
    with store.uow() as uow:
        uow.stock.set_on_hand(SHIRT, "warehouse-1", 5)
        uow.rollback()
        uow.stock.set_on_hand(MUG, "warehouse-1", 3)
        uow.commit()

    with store.uow() as uow:
        assert uow.stock.list() == [StockLevel(MUG, "warehouse-1", 3, 0)]


def test_saving_over_a_newer_version_is_a_concurrency_conflict(store: Store) -> None:
    basket = cart(store, lines=((SHIRT, 1),))
    with store.uow() as uow:
        uow.carts.add(basket)
        uow.commit()

    with store.uow() as mine:
        stale = mine.carts.get(basket.id)
        mine.commit()  # ends this transaction: another writer may go ahead meanwhile
        with store.uow() as theirs:
            theirs_cart = theirs.carts.get(basket.id)
            theirs_cart.update_quantity(theirs_cart.lines[0].id, 7, now=store.clock.now())
            theirs.commit()
        stale.update_quantity(stale.lines[0].id, 2, now=store.clock.now())
        with pytest.raises(ConcurrencyConflict):
            mine.commit()

    with store.uow() as uow:
        saved = uow.carts.get(basket.id)
    assert (saved.lines[0].quantity, saved.version) == (7, 1)
    assert "cart.item_updated" in store.event_types()


def test_a_new_aggregate_with_a_taken_id_is_a_concurrency_conflict(store: Store) -> None:
    basket = cart(store)
    with store.uow() as uow:
        uow.carts.add(basket)
        uow.commit()

    twin = cart(store)
    twin.id = basket.id
    with store.uow() as uow:
        uow.carts.add(twin)
        with pytest.raises(ConcurrencyConflict):
            uow.commit()


def test_an_aggregate_left_unchanged_keeps_its_version(store: Store) -> None:
    basket = cart(store)
    with store.uow() as uow:
        uow.carts.add(basket)
        uow.commit()

    with store.uow() as uow:
        uow.carts.get(basket.id)
        uow.commit()
    store.clock.advance(timedelta(minutes=1))
    with store.uow() as uow:
        loaded = uow.carts.get(basket.id)

    assert loaded.version == 0
    assert store.event_types() == ["cart.created", "cart.item_added"]
