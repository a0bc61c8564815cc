"""Outbox, inbox and in-process dispatch (spec events-reliability §3-§4)."""

from __future__ import annotations

from typing import Any

import pytest

from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope
from tests.shop import MUG, SHIRT, cart_with, every_event, make_commerce, stock_shop


def _outbox_types(commerce: Any) -> list[str]:
    with commerce.ports.uow() as uow:
        return [e.type for e in every_event(uow)]


def test_a_rolled_back_transaction_leaves_no_event() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    before = _outbox_types(commerce)

    with pytest.raises(Exception, match="cannot be negative"):
        commerce.inventory.set_stock(SHIRT, "HCM", -5)

    assert _outbox_types(commerce) == before


def test_a_committed_change_always_has_its_events() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    types = _outbox_types(commerce)
    for expected in ("checkout.started", "inventory.stock_reserved", "order.created",
                     "order.status_changed", "payment.authorized", "order.confirmed",
                     "inventory.reservation_confirmed", "cart.converted",
                     "checkout.completed"):
        assert expected in types


def test_events_carry_the_correlation_id_of_the_request() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), idempotency_key="req-7")

    with commerce.ports.uow() as uow:
        created = next(e for e in every_event(uow) if e.type == "order.created")
    assert created.correlation_id == "req-7"


def test_a_duplicated_delivery_changes_nothing() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    applied: list[str] = []
    commerce.bus.subscribe(Subscriber("test.counter", "order.created",
                                      lambda envelope, uow: applied.append(envelope.id)))
    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))
    with commerce.ports.uow() as uow:
        created = next(e for e in every_event(uow) if e.type == "order.created")

    commerce.bus.deliver(created)
    commerce.bus.deliver(created)

    assert applied == [created.id]


def test_cancellation_delivered_twice_releases_stock_once() -> None:
    commerce = make_commerce()
    stock_shop(commerce, mugs=10)
    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 4)))
    commerce.orders.cancel(placed.order_id)
    with commerce.ports.uow() as uow:
        cancelled = next(e for e in every_event(uow) if e.type == "order.cancelled")

    commerce.bus.deliver(cancelled)
    commerce.bus.deliver(cancelled)

    assert [(lv.on_hand, lv.reserved) for lv in commerce.inventory.levels(MUG)] == [(10, 0)]


def test_a_failing_subscriber_keeps_the_event_for_retry_and_does_not_stop_others() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    seen: list[str] = []
    broken = {"on": True}

    def flaky(envelope: EventEnvelope, uow: Any) -> None:
        if broken["on"]:
            raise RuntimeError("downstream down")
        seen.append("flaky")

    commerce.bus.subscribe(Subscriber("test.flaky", "order.created", flaky))
    commerce.bus.subscribe(Subscriber("test.steady", "order.created",
                                      lambda e, uow: seen.append("steady")))

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))
    with commerce.ports.uow() as uow:
        stats = uow.outbox.stats()
    assert seen == ["steady"]
    assert stats["pending"] == 1

    broken["on"] = False
    commerce.ports.clock.advance(__import__("datetime").timedelta(seconds=5))  # type: ignore[attr-defined]
    commerce.relay_outbox()

    assert seen == ["steady", "flaky"]
    with commerce.ports.uow() as uow:
        assert uow.outbox.stats()["pending"] == 0


def test_events_left_undelivered_by_a_crash_are_relayed_later() -> None:
    commerce = make_commerce(dispatch_in_process=False)
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 2)))
    commerce.orders.cancel(placed.order_id)
    assert [lv.reserved for lv in commerce.inventory.levels(MUG)] == [2]  # not reacted yet

    commerce.bus.dispatch_in_process = True
    while commerce.relay_outbox():
        pass

    assert [lv.reserved for lv in commerce.inventory.levels(MUG)] == [0]


def test_in_process_an_event_nobody_listens_to_is_stored_already_published() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    with commerce.ports.uow() as uow:
        assert uow.outbox.stats()["pending"] == 0
        assert uow.outbox.pending(100) == []


def test_with_an_external_bus_every_event_waits_for_the_relay() -> None:
    commerce = make_commerce(dispatch_in_process=False)
    stock_shop(commerce)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    with commerce.ports.uow() as uow:
        everything = every_event(uow)
        assert {e.id for e in uow.outbox.pending(1000)} == {e.id for e in everything}


def test_an_event_every_subscriber_declines_costs_no_transaction_and_no_inbox_row() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    calls: list[str] = []
    commerce.bus.subscribe(Subscriber(
        "test.cod_only", "order.confirmed", lambda envelope, uow: calls.append(envelope.id),
        wants=lambda envelope: envelope.payload.get("payment_method") == "cod",
    ))

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), payment_method="card")
    commerce.checkout.place_order(cart_with(commerce, (MUG, 1)), payment_method="cod")

    with commerce.ports.uow() as uow:
        confirmed = [e for e in every_event(uow) if e.type == "order.confirmed"]
        assert [uow.inbox.seen("test.cod_only", e.id) for e in confirmed] == [False, True]
        assert uow.outbox.stats()["pending"] == 0
    assert calls == [confirmed[1].id]
