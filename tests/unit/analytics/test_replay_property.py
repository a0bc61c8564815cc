"""Replaying a day's events twice and in any order gives the metrics of one in-order pass, and
revenue is captured minus refunded per currency (hypothesis over orderings and duplicates)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commerce_core import Commerce
from commerce_core.shared.events import EventEnvelope
from tests.unit.analytics.support import ANALYTICS, DAY1, Events, day, shop

STATUSES = ("confirmed", "paid", "processing", "shipped", "delivered", "completed",
            "cancelled")
SHIPMENT_STATUSES = ("picked_up", "in_transit", "delivered", "delivery_failed")


@st.composite
def a_day_of_events(draw: st.DrawFn) -> list[EventEnvelope]:
    e = Events()
    minute = st.integers(0, 24 * 60 - 1)

    def at() -> Any:
        return DAY1.replace(hour=0) + timedelta(minutes=draw(minute))

    events: list[EventEnvelope] = []
    for n in range(draw(st.integers(1, 6))):
        order = f"o{n}"
        customer = draw(st.sampled_from(["c1", "c2", "c3", None]))
        currency = draw(st.sampled_from(["VND", "USD"]))
        events.append(e.order_created(order, at(), customer=customer, currency=currency))
        for status in draw(st.lists(st.sampled_from(STATUSES), max_size=4)):
            events.append(e.status(order, status, at(), customer=customer))
        for k in range(draw(st.integers(0, 2))):
            amount = draw(st.integers(1, 5_000_000))
            events.append(e.captured(f"p{n}", order, amount, at(), currency=currency,
                                     total=amount + k * 10_000_000))
            if draw(st.booleans()):
                events.append(e.refunded(f"p{n}", order, draw(st.integers(1, amount)), at(),
                                         refund=f"r{n}-{k}", currency=currency))
        if draw(st.booleans()):
            events.append(e.shipment_created(f"s{n}", order, at(),
                                             carrier=draw(st.sampled_from(["ghn", "grab"]))))
            for status in draw(st.lists(st.sampled_from(SHIPMENT_STATUSES), max_size=3)):
                events.append(e.shipment_status(f"s{n}", order, status, at()))
        if draw(st.booleans()):
            events.append(e.return_requested(f"ret{n}", order, at()))
            events.append(e.return_completed(f"ret{n}", order, 1_000, at()))
        cart = f"cart{n}"
        events += [e.cart("cart.created", cart, at(), customer_id=customer),
                   e.cart("cart.item_added", cart, at(), product_id="p", quantity=1)]
        if draw(st.booleans()):
            events.append(e.cart("cart.converted", cart, at(), order_id=order,
                                 customer_id=customer, cart_total={"amount": 1,
                                                                   "currency": currency}))
    return events


def reports(commerce: Commerce) -> list[Any]:
    a, period = commerce.analytics, day(DAY1.date())
    commerce.ports.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    a.build_rollups()
    return [a.overview(period), a.revenue(period), a.orders(period), a.funnel(period),
            a.fulfilment(period), a.shipping(period), a.returns(period), a.cohorts(period),
            a.rfm(period), a.series("hour", period), a.series("day", period)]


def in_order(events: list[EventEnvelope]) -> list[EventEnvelope]:
    return sorted(events, key=lambda e: (e.occurred_at, e.id))


@settings(max_examples=40, deadline=None)
@given(events=a_day_of_events(), data=st.data())
def test_replaying_twice_and_out_of_order_gives_the_metrics_of_one_in_order_pass(
        events: list[EventEnvelope], data: st.DataObject) -> None:
    once, _ = shop()
    once.analytics.record(in_order(events))
    replayed, _ = shop()
    shuffled = data.draw(st.permutations(events + events))
    half = len(shuffled) // 2

    for event in shuffled[:half]:
        replayed.bus.deliver(event, only=ANALYTICS)  # one at a time, through the inbox
    replayed.analytics.record(shuffled[half:])  # the rest as one batch

    assert reports(replayed) == reports(once)


@settings(max_examples=40, deadline=None)
@given(events=a_day_of_events())
def test_revenue_is_captured_minus_refunded_per_currency(events: list[EventEnvelope]) -> None:
    commerce, _ = shop()
    expected: Counter[str] = Counter()
    for event in events:
        if event.type in ("payment.captured", "payment.refunded"):
            sign = 1 if event.type == "payment.captured" else -1
            expected[event.payload["amount"]["currency"]] += sign * \
                event.payload["amount"]["amount"]

    commerce.analytics.record(events)

    revenue = commerce.analytics.revenue(day(DAY1.date()))
    assert {r.currency: r.net for r in revenue.totals} == dict(expected)
    assert all(r.net == r.captured - r.refunded for r in revenue.totals)
