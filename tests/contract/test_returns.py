"""The return repository's contract on memory, SQLite and PostgreSQL: a return reads back as it
was written, an order has one open return at a time, versions guard concurrent changes, and the
jobs' lookups find what is due."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, cast

import attrs
import pytest

from commerce_core.ordering.queries import ReturnableLine, ReturnableOrder
from commerce_core.returns.errors import ReturnAlreadyOpen, ReturnNotFound
from commerce_core.returns.model import (
    Condition,
    Disposition,
    Exchange,
    Inspection,
    Reason,
    RefundBreakdown,
    Return,
    ReturnItem,
    ReturnPolicy,
    compute_refund,
)
from commerce_core.returns.ports import ReturnRepository
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from tests.contract.builders import state
from tests.contract.conftest import Store
from tests.shop import every_event


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def repo(uow: Any) -> ReturnRepository:
    repository: ReturnRepository = uow.returns
    return repository


def order(order_id: str = "order-1", customer_id: str | None = "c-1") -> ReturnableOrder:
    line = ReturnableLine("line-1", "LINEN-SHIRT-M", "p-1", "Linen shirt", 2, vnd(350_000),
                          vnd(700_000), "w-hn")
    return ReturnableOrder(order_id, "ORD-1", "delivered", customer_id, "lan@example.vn", "VND",
                           (line,), vnd(700_000), vnd(20_000), vnd(25_000), vnd(70_000),
                           vnd(775_000), "pay-1", "card", None)


def a_return(store: Store, *, order_id: str = "order-1", customer_id: str | None = "c-1",
             exchange: bool = False) -> Return:
    placed = order(order_id, customer_id)
    item = ReturnItem(store.ids.new_id(), "line-1", "p-1", "LINEN-SHIRT-M", "Linen shirt", 2, 2,
                      vnd(350_000), "w-hn", condition_claimed="new")
    estimate = compute_refund(placed, vnd(700_000), Reason.DEFECTIVE, ReturnPolicy(),
                              shipping_refunded_before=False, refunded_before=vnd(0),
                              return_shipping_fee=vnd(0))
    swap = (Exchange("LINEN-SHIRT-L", "p-1", "Linen shirt L", 2, vnd(400_000), vnd(100_000))
            if exchange else None)
    return Return.request(return_id=store.ids.new_id(), order=placed, items=[item],
                          reason=Reason.DEFECTIVE, description="a seam came apart",
                          estimate=estimate, risk_score=20, now=store.clock.now(),
                          exchange=swap)


def add(store: Store, ret: Return) -> None:
    with store.uow() as uow:
        repo(uow).add(ret)
        uow.commit()


def test_a_return_reads_back_as_it_was_written(store: Store) -> None:
    ret = a_return(store, exchange=True)
    add(store, ret)
    with store.uow() as uow:
        loaded = repo(uow).get(ret.id)
        loaded.approve(by="staff-1", now=store.clock.now())
        loaded.label_issued("fake", "FK1", "https://labels.test/FK1", vnd(25_000),
                            now=store.clock.now())
        loaded.exchange_reserved("order-2", now=store.clock.now())
        loaded.receive({loaded.items[0].id: 2}, by="wh", now=store.clock.now())
        loaded.inspect([Inspection(loaded.items[0].id, 1, Condition.LIKE_NEW,
                                   Disposition.RESTOCK, "tag missing")], by="wh",
                       now=store.clock.now())
        loaded.finalise_refund(RefundBreakdown.zero("VND"))
        uow.commit()
    with store.uow() as uow:
        again = repo(uow).get(ret.id)
    assert state(again) == state(loaded) | {"version": again.version}
    assert again.items[0].condition == "like_new"
    assert again.items[0].quantity_accepted == 1
    assert [h.to_status for h in again.history] == ["pending", "approved", "received",
                                                    "processing"]
    assert again.exchange is not None
    assert again.exchange.order_id == "order-2"
    assert again.label_fee == vnd(25_000)
    assert again.open_order_id == "order-1"


def test_an_unknown_return_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(ReturnNotFound):
        repo(uow).get("nope")


def test_an_order_has_one_open_return_at_a_time(store: Store) -> None:
    first = a_return(store)
    add(store, first)
    with pytest.raises((ReturnAlreadyOpen, ConcurrencyConflict)):
        add(store, a_return(store))
    with store.uow() as uow:
        repo(uow).get(first.id).cancel("changed mind", by="c-1", now=store.clock.now())
        uow.commit()
    second = a_return(store)
    add(store, second)
    with store.uow() as uow:
        assert [r.id for r in repo(uow).for_order("order-1")] == [first.id, second.id]
        assert repo(uow).get(first.id).open_order_id is None


def test_a_concurrent_change_loses(store: Store) -> None:
    ret = a_return(store)
    with store.uow() as uow:
        repo(uow).add(ret)
        uow.commit()
        held = uow.held()  # what this approver read, before anyone else changed it
    with store.uow() as other:
        repo(other).get(ret.id).reject("no", by="staff-2", now=store.clock.now())
        other.commit()
    with store.uow() as uow:
        uow.adopt(held)
        repo(uow).get(ret.id).approve(by="staff-1", now=store.clock.now())
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    with store.uow() as uow:
        assert repo(uow).get(ret.id).status.value == "rejected"


def test_lists_filter_newest_first_and_the_jobs_find_what_is_due(store: Store) -> None:
    old = a_return(store, order_id="order-1", customer_id="c-1")
    add(store, old)
    store.clock.advance(timedelta(days=8))
    new = a_return(store, order_id="order-2", customer_id="c-2")
    add(store, new)
    now = store.clock.now()
    with store.uow() as uow:
        r = repo(uow)
        assert [x.id for x in r.list()] == [new.id, old.id]
        assert [x.id for x in r.list(customer_id="c-1")] == [old.id]
        assert [x.id for x in r.list(order_id="order-2", status="pending")] == [new.id]
        assert r.in_status_since("pending", now - timedelta(days=7), 10) == [old.id]
        assert r.count_for_customer("c-1", now - timedelta(days=90)) == 1
        assert r.count_for_customer("c-1", now - timedelta(days=1)) == 0
        assert r.compensations_due(now, 10) == []
        failing = r.get(new.id)
        failing.approve(by="staff", now=now)
        failing.label_failed("carrier down", now=now)
        uow.commit()
    with store.uow() as uow:
        assert repo(uow).compensations_due(now, 10) == [new.id]


def test_the_refund_is_made_once_across_racing_deliveries_and_a_timeout(store: Store) -> None:
    # The whole journey on each adapter: the completed event's first delivery times out after
    # the gateway moved the money; then three copies arrive at once (a broker replaying).
    from adapters.carriers.fake import FakeCarrier
    from adapters.carriers.registry import CarrierRegistry
    from commerce_core.app import Commerce, Ports
    from tests.unit.returns.support import (
        POLICY,
        SHIRT_M,
        FixedRisk,
        RefundGateway,
        delivered_order,
        line_id,
        returns_shop,
    )

    def shop_on(_: Store) -> Commerce:
        gateway = RefundGateway()
        # The store's factory is the adapter's own, which opens a full unit of work.
        ports = Ports(uow=cast(Any, store.uow), gateway=gateway, clock=store.clock, ids=store.ids,
                      carriers=CarrierRegistry([FakeCarrier(clock=store.clock)]))
        return Commerce(ports, return_policy=POLICY, return_risk=FixedRisk(20))

    shop = returns_shop(commerce=shop_on(store))
    order_id = delivered_order(shop, (SHIRT_M, 1))
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, SHIRT_M), 1)],
                                     "defective", customer_id="c-1")
    shop.returns.receive(return_id)
    shop.returns.inspect(return_id)
    gateway = shop.ports.gateway
    assert isinstance(gateway, RefundGateway)
    gateway.refund_script = ["timeout"]
    shop.returns.complete(return_id)
    assert shop.returns.get(return_id).status.value == "refund_failed"

    with store.uow() as uow:
        (completed,) = [e for e in every_event(uow) if e.type == "returns.return_completed"]
    start = threading.Barrier(3)

    def deliver(copy: str) -> None:
        start.wait()
        shop.bus.deliver(attrs.evolve(completed, id=copy))

    threads = [threading.Thread(target=deliver, args=(f"copy-{n}",)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shop.bus.deliver(attrs.evolve(completed, id="copy-late"))  # settles a copy that lost a race

    ret = shop.returns.get(return_id)
    assert ret.status.value == "completed"
    (refund,) = shop.payments.refunds(order_id)
    assert refund.status.value == "completed"
    assert gateway.moved == {refund.gateway_key: 1}
