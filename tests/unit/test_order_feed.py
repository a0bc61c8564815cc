"""Following an order's events: which events concern an order and which its followers see, the
public projection, the in-process fan-out and the bus feeding it, a follower's bounded queue,
and where a replay may start."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import LocalFeed, OrderEvents, concerns_order
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http.order_events import Follower, frame, replay_floor
from tests.shop import cart_with, make_commerce, stock_shop

ORDER = "ord-1"
RULES = OrderEvents(["order", "payment", "fulfillment", "shipping", "returns"])


def _event(event_type: str, aggregate_id: str = "x", n: int = 1, **payload: Any) -> EventEnvelope:
    return EventEnvelope(id=str(uuid.UUID(int=n)), type=event_type, version=1,
                         occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                         aggregate_id=aggregate_id, payload=payload)


# -- which events ---------------------------------------------------------------------------------

def test_an_order_is_concerned_by_its_own_events_and_those_naming_it() -> None:
    assert concerns_order(_event("order.paid", ORDER), ORDER)
    assert concerns_order(_event("payment.captured", "pay-1", order_id=ORDER), ORDER)
    assert not concerns_order(_event("payment.captured", "pay-1", order_id="ord-2"), ORDER)
    assert not concerns_order(_event("audit.noted", "a-1", detail={"order_id": ORDER}), ORDER)


def test_followers_see_the_streamed_contexts_of_any_event_type_that_names_the_order() -> None:
    # Event types this code base does not define yet join as soon as they name the order.
    for event_type in ("order.confirmed", "payment.refunded", "fulfillment.status_changed",
                       "shipping.shipment_delivered", "returns.return_received"):
        assert RULES.admits(_event(event_type, "agg", order_id=ORDER), ORDER), event_type
    assert not RULES.admits(_event("shipping.shipment_delivered", order_id="ord-2"), ORDER)


def test_other_contexts_and_internal_facts_are_not_streamed() -> None:
    for event_type in ("inventory.reservation_confirmed", "fraud.risk_assessed",
                       "checkout.completed", "notification.sent", "cart.converted",
                       "fulfillment.sla_breached", "fulfillment.qc_failed",
                       "payment.collection_mismatched"):
        assert not RULES.admits(_event(event_type, order_id=ORDER), ORDER), event_type
    assert OrderEvents([" order ", ""]).streams == {"order"}


# -- what they see --------------------------------------------------------------------------------

def test_the_projection_keeps_only_allow_listed_fields() -> None:
    envelope = _event(
        "order.paid", ORDER, n=7, order_id=ORDER, order_number="ORD-1", status="paid",
        total={"amount": 350_000, "currency": "VND", "display": "350,000 VND"},
        email="an@example.vn", customer_id="cus-1", access_token="secret",
        ship_to={"line1": "1 Le Loi", "city": "HCM"}, card_last4="4242", reason="mine",
        tracking_number=None, items=[{"sku": "SHIRT"}],
    )

    view = RULES.view(envelope)

    assert view == {
        "id": str(uuid.UUID(int=7)), "type": "order.paid",
        "occurred_at": "2026-01-02T03:04:05+00:00",
        "data": {"status": "paid", "order_number": "ORD-1",
                 "total": {"amount": 350_000, "currency": "VND"}},
    }


def test_a_frame_is_one_sse_message_with_the_event_id() -> None:
    text = frame(_event("shipping.shipment_shipped", "shp-1", n=9, order_id=ORDER,
                        tracking_number="VN123", carrier="fake"), RULES)

    assert text == (f"id: {uuid.UUID(int=9)}\ndata: "
                    f'{{"id":"{uuid.UUID(int=9)}","type":"shipping.shipment_shipped",'
                    '"occurred_at":"2026-01-02T03:04:05+00:00",'
                    '"data":{"carrier":"fake","tracking_number":"VN123"}}\n\n')


# -- the in-process feed --------------------------------------------------------------------------

def test_the_local_feed_fans_out_to_every_listener_until_it_leaves() -> None:
    feed = LocalFeed()
    first: list[str] = []
    second: list[str] = []

    def broken(batch: Sequence[EventEnvelope]) -> None:
        raise RuntimeError("a follower with a bug")

    leave_first = feed.subscribe(lambda batch: first.extend(e.type for e in batch))
    feed.subscribe(broken)
    feed.subscribe(lambda batch: second.extend(e.type for e in batch))
    feed.publish([_event("order.paid"), _event("order.cancelled")])
    leave_first()
    leave_first()  # twice is harmless
    feed.publish([_event("order.created")])

    assert first == ["order.paid", "order.cancelled"]
    assert second == ["order.paid", "order.cancelled", "order.created"]
    assert feed.listeners == 2


def test_the_bus_hands_the_feed_every_committed_event_including_reactions() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, ("LINEN-SHIRT-M", 1))
    feed = LocalFeed()
    commerce.bus.observe(feed.publish)
    seen: list[EventEnvelope] = []
    feed.subscribe(seen.extend)

    placed = commerce.checkout.place_order(cart_id)
    commerce.payments.capture(placed.order_id)

    types = [e.type for e in seen if concerns_order(e, placed.order_id)]
    assert types.index("order.confirmed") < types.index("payment.captured")
    # `order.paid` is committed by a reaction to `payment.captured`, and fulfillment's by a
    # reaction to that: the feed sees what reactions commit, too.
    assert types.index("payment.captured") < types.index("order.paid")
    assert "fulfillment.status_changed" in types
    timeline = commerce.ports.timeline
    assert timeline is not None
    # Every event committed about the order reached the feed, and only those.
    stored = {e.id for e in timeline.events(placed.order_id, after=None, limit=1000)}
    assert {e.id for e in seen if concerns_order(e, placed.order_id)} == stored


def test_a_failing_observer_does_not_fail_the_command() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    def broken(batch: Sequence[EventEnvelope]) -> None:
        raise RuntimeError("an observer with a bug")

    commerce.bus.observe(broken)
    cart_id = cart_with(commerce, ("LINEN-SHIRT-M", 1))

    assert commerce.checkout.place_order(cart_id).order_id


# -- one follower ---------------------------------------------------------------------------------

def test_a_follower_queues_the_orders_events_from_any_thread_up_to_its_capacity() -> None:
    async def follow() -> list[object]:
        follower = Follower(asyncio.get_running_loop(), ORDER, RULES, capacity=2)
        burst = [_event("order.status_changed", ORDER, n=n) for n in range(1, 6)]
        other = _event("order.paid", "ord-2", n=9)
        publisher = threading.Thread(target=follower.deliver, args=([other, *burst],))
        publisher.start()
        publisher.join()
        found = [await follower.next(1.0) for _ in range(3)]
        follower.deliver([_event("order.paid", ORDER, n=10)])  # after the overflow: dropped
        found.append(await follower.next(0.1))
        assert follower.overflowed
        return found

    first, second, marker, after = asyncio.run(follow())

    assert isinstance(first, EventEnvelope)
    assert isinstance(second, EventEnvelope)
    assert [first.id, second.id] == [str(uuid.UUID(int=1)), str(uuid.UUID(int=2))]
    assert not isinstance(marker, EventEnvelope)
    assert marker is not None
    assert after is None  # quiet: nothing more is taken


# -- where a replay starts ------------------------------------------------------------------------

def test_a_uuid7_order_bounds_where_its_history_starts() -> None:
    order_id = Uuid7Generator().new_id()
    floor = replay_floor(order_id)

    assert floor is not None
    assert floor < order_id
    ms = uuid.UUID(order_id).int >> 80
    assert uuid.UUID(floor).int >> 80 == ms - 60_000
    assert replay_floor(str(uuid.UUID(int=5))) is None  # not time-ordered: no bound
    assert replay_floor("ORD-1") is None
