"""FulfillmentRepository and PicklistRepository contract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.fulfillment.errors import FulfillmentNotFound, PicklistNotFound
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentItem,
    FulfillmentPolicy,
    PackageSpec,
)
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import MUG, SHIRT, state, vnd
from tests.contract.conftest import Store

POLICY = FulfillmentPolicy(qc_sample_percent=0)


def fulfillment(store: Store, *, order_id: str = "order-1",
                warehouse_id: str = "warehouse-1") -> Fulfillment:
    return Fulfillment.create(
        fulfillment_id=store.ids.new_id(), order_id=order_id, order_number="ORD-1",
        warehouse_id=warehouse_id,
        items=[FulfillmentItem(store.ids.new_id(), SHIRT, "product-1", "Linen shirt (M)", 2,
                               "reservation-1", vnd(350_000), 250),
               FulfillmentItem(store.ids.new_id(), MUG, "product-2", "Retro mug", 1,
                               "reservation-2", vnd(89_000), 400)],
        payment_method="cod", order_value=vnd(789_000), cod_amount=vnd(789_000),
        policy=POLICY, now=store.clock.now(),
    )


def add(store: Store, *items: Fulfillment | Picklist) -> None:
    with store.uow() as uow:
        for item in items:
            if isinstance(item, Fulfillment):
                uow.fulfillments.add(item)
            else:
                uow.picklists.add(item)
        uow.commit()


def test_a_fulfillment_reads_back_through_pick_pack_and_sla(store: Store) -> None:
    made = fulfillment(store)
    add(store, made)
    now = store.clock.now()
    with store.uow() as uow:
        loaded = uow.fulfillments.get(made.id)
        loaded.start_picking("picklist-1", now=now)
        loaded.confirm_picked({i.id: i.quantity_ordered for i in loaded.items},
                              accept_short=False, now=now)
        loaded.start_packing(now=now)
        loaded.confirm_packed([PackageSpec(900, 30, 20, 10)], package_ids=["package-1"],
                              policy=POLICY, now=now)
        loaded.check_sla(POLICY, now=now + timedelta(days=2))
        uow.commit()

    with store.uow() as uow:
        again = uow.fulfillments.get(made.id)

    assert state(again) == state(loaded)
    assert (again.status.value, again.sla_breaches, len(again.packages)) == (
        "packed", ["packed"], 1)
    assert again.packages[0].items == loaded.packages[0].items


def test_an_unknown_fulfillment_or_pick_list_is_not_found(store: Store) -> None:
    with store.uow() as uow:
        with pytest.raises(FulfillmentNotFound):
            uow.fulfillments.get("nope")
        with pytest.raises(PicklistNotFound):
            uow.picklists.get("nope")


def test_one_fulfillment_per_order_and_warehouse(store: Store) -> None:
    add(store, fulfillment(store))

    with store.uow() as uow:
        uow.fulfillments.add(fulfillment(store))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()


def test_fulfillments_of_an_order_come_by_warehouse_and_lists_filter(store: Store) -> None:
    second = fulfillment(store, warehouse_id="warehouse-2")
    store.clock.advance(timedelta(minutes=1))
    first = fulfillment(store, warehouse_id="warehouse-1")
    other = fulfillment(store, order_id="order-2")
    add(store, second, first, other)

    with store.uow() as uow:
        of_order = [f.id for f in uow.fulfillments.for_order("order-1")]
        in_w1 = [f.id for f in uow.fulfillments.list(warehouse_id="warehouse-1")]
        planning = [f.id for f in uow.fulfillments.list(statuses=["planning"], limit=1)]
        none = uow.fulfillments.list(statuses=["shipped"])

    assert of_order == [first.id, second.id]
    assert in_w1 == [first.id, other.id]
    assert (planning, none) == ([second.id], [])


def test_fulfillments_in_a_status_since_before_a_time(store: Store) -> None:
    made = fulfillment(store)
    add(store, made)
    since = store.clock.now()

    with store.uow() as uow:
        early = uow.fulfillments.in_status_since("planning", since, 10)
        late = uow.fulfillments.in_status_since("planning", since + timedelta(seconds=1), 10)

    assert (early, late) == ([], [made.id])


def test_a_pick_list_reads_back_with_its_lines_and_their_sources(store: Store) -> None:
    one, two = fulfillment(store), fulfillment(store, order_id="order-2")
    picklist = Picklist.generate(picklist_id=store.ids.new_id(), warehouse_id="warehouse-1",
                                 fulfillments=[one, two], bins={SHIRT: "B-01-02", MUG: "A-03-01"},
                                 ttl=timedelta(hours=24), now=store.clock.now())
    add(store, one, two, picklist)
    with store.uow() as uow:
        uow.picklists.get(picklist.id).start(now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        loaded = uow.picklists.get(picklist.id)
        open_lists = uow.picklists.list(warehouse_id="warehouse-1", statuses=["in_progress"])

    picklist.start(now=store.clock.now())
    picklist.version = 1
    assert state(loaded) == state(picklist)
    assert loaded.bins == ["A-03-01", "B-01-02"]
    assert [(ln.sku, ln.quantity, len(ln.sources)) for ln in loaded.lines] == [
        (MUG, 2, 2), (SHIRT, 4, 2)]
    assert [p.id for p in open_lists] == [picklist.id]
