"""AdjustmentRequestRepository and TransferRepository contract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.inventory.errors import AdjustmentNotFound, TransferNotFound
from commerce_core.inventory.movements import AdjustmentRequest, Transfer
from tests.contract.builders import MUG, SHIRT, state
from tests.contract.conftest import Store


def adjustment(store: Store, change: int = -2, sku: str = SHIRT) -> AdjustmentRequest:
    return AdjustmentRequest.request(
        adjustment_id=store.ids.new_id(), sku=sku, warehouse_id="warehouse-1",
        quantity_change=change, reason="correction", notes="recount of aisle A",
        requested_by="lan", now=store.clock.now(),
    )


def transfer(store: Store, quantity: int = 3) -> Transfer:
    return Transfer.request(
        transfer_id=store.ids.new_id(), sku=SHIRT, from_warehouse_id="warehouse-1",
        to_warehouse_id="warehouse-2", quantity=quantity, reservation_id="reservation-1",
        reason="rebalance", requested_by="lan", now=store.clock.now(),
    )


def test_an_adjustment_request_reads_back_through_its_decisions(store: Store) -> None:
    approved, rejected = adjustment(store), adjustment(store, 4, MUG)
    with store.uow() as uow:
        uow.adjustments.add(approved)
        uow.adjustments.add(rejected)
        uow.commit()
    with store.uow() as uow:
        uow.adjustments.get(approved.id).approve("minh", now=store.clock.now())
        uow.adjustments.get(rejected.id).reject("minh", "no evidence", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        loaded = uow.adjustments.get(approved.id)
        other = uow.adjustments.get(rejected.id)
        with pytest.raises(AdjustmentNotFound):
            uow.adjustments.get("no-such-request")

    assert (loaded.status.value, loaded.decided_by, loaded.version) == ("completed", "minh", 1)
    assert (other.status.value, other.rejection_reason) == ("rejected", "no evidence")


def test_adjustment_requests_list_newest_first_by_status(store: Store) -> None:
    made = []
    for _ in range(3):
        made.append(adjustment(store))
        store.clock.advance(timedelta(seconds=1))
    made[0].approve("minh", now=store.clock.now())
    with store.uow() as uow:
        for request in made:
            uow.adjustments.add(request)
        uow.commit()

    with store.uow() as uow:
        everything = [r.id for r in uow.adjustments.list()]
        pending = [r.id for r in uow.adjustments.list(status="pending", limit=1)]

    assert everything == [made[2].id, made[1].id, made[0].id]
    assert pending == [made[2].id]


def test_a_transfer_reads_back_through_its_steps(store: Store) -> None:
    moved = transfer(store)
    with store.uow() as uow:
        uow.transfers.add(moved)
        uow.commit()
    with store.uow() as uow:
        uow.transfers.get(moved.id).ship(now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        uow.transfers.get(moved.id).receive(now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        loaded = uow.transfers.get(moved.id)
        listed = uow.transfers.list(status="received")
        with pytest.raises(TransferNotFound):
            uow.transfers.get("no-such-transfer")

    moved.ship(now=store.clock.now())
    moved.receive(now=store.clock.now())
    moved.version = 2
    assert state(loaded) == state(moved)
    assert [t.id for t in listed] == [moved.id]
