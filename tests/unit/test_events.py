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


class Recorder:
    """A batch subscriber over several event types, as analytics is; `bad` events fail it."""

    name = "test.recorder"

    def __init__(self, bad: str = "") -> None:
        self.batches: list[list[str]] = []
        self.singles: list[str] = []
        self.bad = bad

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        self._check([envelope])
        self.singles.append(envelope.type)

    def batch(self, envelopes: Any, uow: Any) -> None:
        self._check(envelopes)
        self.batches.append([e.type for e in envelopes])

    def _check(self, envelopes: Any) -> None:
        if any(e.type == self.bad for e in envelopes):
            raise RuntimeError(f"cannot read {self.bad}")

    def subscribe(self, commerce: Any, *types: str) -> None:
        for event_type in types:
            commerce.bus.subscribe(Subscriber(self.name, event_type, self, batch=self.batch))


TYPES = ("checkout.started", "order.created", "order.confirmed", "checkout.completed")


def test_a_batch_subscriber_gets_each_pass_of_the_relay_at_once() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    recorder = Recorder()
    recorder.subscribe(commerce, *TYPES)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    # A command's events are relayed once it returns: one call, one transaction for all.
    assert [sorted(batch) for batch in recorder.batches] == [sorted(TYPES)]
    assert recorder.singles == []
    with commerce.ports.uow() as uow:
        delivered = [e for e in every_event(uow) if e.type in TYPES]
        assert all(uow.inbox.seen(recorder.name, e.id) for e in delivered)
        assert uow.outbox.stats()["pending"] == 0

    commerce.bus.relay(delivered)  # delivered again: the inbox absorbs it
    assert len(recorder.batches) == 1


def test_a_failing_batch_is_applied_one_event_at_a_time_and_only_the_bad_event_waits() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    recorder = Recorder(bad="order.created")
    recorder.subscribe(commerce, *TYPES)

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    # The batch failed, so each event went through alone: all but the bad one.
    assert recorder.batches == []
    assert sorted(recorder.singles) == sorted(set(TYPES) - {"order.created"})
    with commerce.ports.uow() as uow:
        assert uow.outbox.stats()["pending"] == 1  # due again after a backoff
        seen = {e.type: uow.inbox.seen(recorder.name, e.id) for e in every_event(uow)
                if e.type in TYPES}
    assert seen == {t: t != "order.created" for t in TYPES}
