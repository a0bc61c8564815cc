"""`GET /orders/{id}/events` over a real HTTP server, on SQLite with the in-process bus: a client
connected from the start sees every step in order, a reconnecting one resumes after its last
event without a gap or a duplicate, only the order's owners (and staff) may follow it, and a
client that falls behind is told to reconnect."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from attrs import frozen
from fastapi import FastAPI

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import LocalFeed
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from entrypoints.http.order_events import streams_of
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, assert_problem, seed_shop
from tests.sse_support import EventStream, Message, serving, wait_for

PRINCIPALS = {
    "alice": Principal(kind="customer", subject="u-alice", customer_id="cus-alice"),
    "bob": Principal(kind="customer", subject="u-bob", customer_id="cus-bob"),
    "viewer": Principal(kind="staff", subject="u-viewer", permissions=frozenset({"audit.read"})),
    "clerk": Principal(kind="staff", subject="u-clerk", permissions=frozenset({"orders.read"})),
}


class Bearers:
    def authenticate(self, credential: str) -> Principal | None:
        return PRINCIPALS.get(credential)


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}"}


@frozen
class Shop:
    commerce: Commerce
    app: FastAPI
    base: str
    http: httpx.Client

    def url(self, order_id: str) -> str:
        return f"{self.base}/orders/{order_id}/events"

    def place_order(self, headers: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
        """A guest order (or the bearer's): its id and the headers that reach it."""
        opened = self.http.post("/carts", json={}, headers=headers or {})
        assert opened.status_code == 201, opened.text
        cart = opened.json()
        reach = dict(headers) if headers else {"X-Cart-Token": cart["access_token"]}
        added = self.http.post(f"/carts/{cart['id']}/items",
                               json={"sku": "LINEN-SHIRT-M", "quantity": 1}, headers=reach)
        assert added.status_code == 201, added.text
        placed = self.http.post("/orders", json={"cart_id": cart["id"], "email": "an@example.vn"},
                                headers=reach)
        assert placed.status_code == 201, placed.text
        return str(placed.json()["order_id"]), reach

    def capture(self, order_id: str) -> None:
        captured = self.http.post(f"/admin/orders/{order_id}/capture", headers=ADMIN)
        assert captured.status_code == 200, captured.text

    def timeline(self, order_id: str) -> list[EventEnvelope]:
        """What the stream should carry for the order, from the outbox, in id order."""
        timeline = self.commerce.ports.timeline
        assert timeline is not None
        rules = streams_of(self.app).rules
        return [e for e in timeline.events(order_id, after=None, limit=1000)
                if rules.admits(e, order_id)]


@contextmanager
def shop_at(tmp_path: Path, **overrides: Any) -> Iterator[Shop]:
    from adapters import sql

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    commerce = Commerce(sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                   ids=Uuid7Generator()))
    seed_shop(commerce)
    settings = Settings(database_url=url, operator_token=OPERATOR_TOKEN,
                        order_stream_heartbeat_seconds=0.2, **overrides)
    app = create_app(commerce, settings, authenticators=[Bearers()])
    with serving(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        yield Shop(commerce, app, base, http)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    with shop_at(tmp_path) as opened:
        yield opened


def _ids(messages: list[Message]) -> list[str]:
    return [str(m.id) for m in messages]


def _position(types: list[str], wanted: str) -> int:
    assert wanted in types, f"{wanted} not in {types}"
    return types.index(wanted)


def test_a_client_connected_from_the_start_receives_every_step_in_order(shop: Shop) -> None:
    order_id, reach = shop.place_order()
    placed = shop.timeline(order_id)

    with EventStream(shop.url(order_id), reach) as stream:
        assert stream.status == 200
        assert stream.response_headers is not None
        assert stream.response_headers["content-type"].startswith("text/event-stream")
        assert stream.response_headers["cache-control"] == "no-cache"
        assert stream.response_headers["x-accel-buffering"] == "no"
        history = stream.take(len(placed))  # what happened before the client connected
        shop.capture(order_id)  # then, live: the capture, the order paid, fulfillment begins
        live = stream.until(lambda m: m.type == "fulfillment.status_changed")
        live += stream.quiet(0.5)  # the rest of fulfillment's first steps, and nothing twice
        assert stream.retry == 3000
        wait_for(lambda: "keep-alive" in stream.comments)

    received = history + live
    assert _ids(history) == [e.id for e in placed]
    assert _ids(received) == [e.id for e in shop.timeline(order_id)]
    types = [m.type for m in received]
    assert (_position(types, "order.created") < _position(types, "order.confirmed")
            < _position(types, "payment.captured") < _position(types, "order.paid")
            < _position(types, "fulfillment.status_changed"))
    assert {m.type for m in live} >= {"payment.captured", "order.paid",
                                      "fulfillment.status_changed"}
    assert not any(t.startswith(("inventory.", "checkout.", "cart.")) for t in types)

    paid = next(m.json() for m in received if m.type == "order.paid")
    assert set(paid) == {"id", "type", "occurred_at", "data"}
    assert paid["data"]["total"] == {"amount": 350_000, "currency": "VND"}
    assert paid["data"]["payment_method"] == "card"
    statuses = [m.json()["data"]["new_status"] for m in received
                if m.type == "order.status_changed"]
    assert statuses == ["pending", "confirmed", "paid"]
    for message in received:
        body = message.data
        assert message.id == message.json()["id"]
        for private in ("an@example.vn", "customer_id", "reservation", "items", "checkout"):
            assert private not in body
        datetime.fromisoformat(message.json()["occurred_at"])

    # Hanging up ends the stream on the server: nothing is left subscribed.
    feed = streams_of(shop.app).feed
    assert isinstance(feed, LocalFeed)
    wait_for(lambda: streams_of(shop.app).open == 0 and feed.listeners == 0)


def test_a_client_resuming_with_last_event_id_gets_only_what_followed(shop: Shop) -> None:
    order_id, reach = shop.place_order()
    shop.capture(order_id)
    before = shop.timeline(order_id)
    confirmed = next(e for e in before if e.type == "order.confirmed")
    missed = [e.id for e in before if e.id > confirmed.id]
    assert missed  # the capture's events came after the confirmation

    with EventStream(shop.url(order_id), {**reach, "Last-Event-ID": confirmed.id}) as stream:
        replayed = stream.take(len(missed))
        cancelled = shop.http.post(f"/orders/{order_id}/cancel", json={}, headers=reach)
        assert cancelled.status_code == 200, cancelled.text
        stream.until(lambda m: m.type == "order.cancelled")
        stream.quiet(0.5)  # the cancellation's reactions, if any, and nothing twice

    assert _ids(replayed) == missed
    received = _ids(stream.received)
    assert len(received) == len(set(received))  # no duplicates
    assert all(event_id > confirmed.id for event_id in received)
    assert received == [e.id for e in shop.timeline(order_id) if e.id > confirmed.id]
    assert "order.cancelled" in [m.type for m in stream.received[len(replayed):]]


def test_a_resumed_stream_with_nothing_missed_waits_for_what_comes(shop: Shop) -> None:
    order_id, reach = shop.place_order()
    last = shop.timeline(order_id)[-1]

    with EventStream(shop.url(order_id), {**reach, "Last-Event-ID": last.id}) as stream:
        assert stream.quiet(0.4) == []
        shop.capture(order_id)
        first = stream.next()

    assert first.type == "payment.captured"
    assert str(first.id) > last.id


def test_only_the_orders_owners_and_staff_may_follow_it(shop: Shop) -> None:
    guest_order, reach = shop.place_order()
    alices_order, alice = shop.place_order(bearer("alice"))
    _, someone_elses = shop.place_order()

    refused = {
        "anonymous": (guest_order, {}),
        "another guest's token": (guest_order, someone_elses),
        "another customer": (alices_order, bearer("bob")),
        "staff on the shopper route": (alices_order, bearer("clerk")),
    }
    for who, (order_id, headers) in refused.items():
        response = shop.http.get(f"/orders/{order_id}/events", headers=headers)
        assert response.status_code == 404, who
        assert_problem(response, 404, "ordering.order_not_found")

    unknown = shop.http.get("/admin/orders/nope/events", headers=bearer("clerk"))
    assert_problem(unknown, 404, "ordering.order_not_found")
    assert_problem(shop.http.get(f"/admin/orders/{alices_order}/events"), 401,
                   "auth.unauthenticated")
    assert_problem(shop.http.get(f"/admin/orders/{alices_order}/events",
                                 headers=bearer("viewer")), 403, "auth.forbidden")
    bad_resume = shop.http.get(f"/orders/{guest_order}/events",
                               headers={**reach, "Last-Event-ID": "not-an-event"})
    assert_problem(bad_resume, 422, "order_stream.invalid_last_event_id")

    admitted = {
        "the guest with the cart's token": (shop.url(guest_order), reach),
        "the customer who owns it": (shop.url(alices_order), alice),
        "staff holding orders.read": (f"{shop.base}/admin/orders/{alices_order}/events",
                                      bearer("clerk")),
    }
    for who, (url, headers) in admitted.items():
        with EventStream(url, headers) as stream:
            assert stream.status == 200, who
            assert stream.next().type == "order.created", who


def test_a_client_address_holds_a_bounded_number_of_streams(tmp_path: Path) -> None:
    with shop_at(tmp_path, order_stream_max_per_client=2) as shop:
        order_id, reach = shop.place_order()
        with EventStream(shop.url(order_id), reach) as first, \
                EventStream(shop.url(order_id), reach) as second:
            assert (first.status, second.status) == (200, 200)
            third = shop.http.get(f"/orders/{order_id}/events", headers=reach)
            assert_problem(third, 429, "order_stream.too_many_streams")
            assert third.headers["retry-after"]
        slots = streams_of(shop.app).slots
        wait_for(lambda: slots.held("127.0.0.1") == 0)
        with EventStream(shop.url(order_id), reach) as again:
            assert again.status == 200


def test_a_client_that_falls_behind_is_told_to_resume_and_let_go(tmp_path: Path) -> None:
    with shop_at(tmp_path, order_stream_queue_size=2) as shop:
        order_id, reach = shop.place_order()
        history = len(shop.timeline(order_id))
        feed = streams_of(shop.app).feed
        assert isinstance(feed, LocalFeed)
        with EventStream(shop.url(order_id), reach) as stream:
            stream.take(history)
            # A burst larger than the client's queue, handed over in one go.
            feed.publish([_status_event(order_id, n) for n in range(5)])
            messages = stream.until(lambda m: m.event == "reconnect")
            assert stream.ended.wait(5)  # the server ended the stream

        assert len(messages) <= 3  # at most the queue's worth before the notice
        assert messages[-1].id is None  # the notice keeps the client's Last-Event-ID
        assert "Last-Event-ID" in messages[-1].json()["detail"]
        wait_for(lambda: streams_of(shop.app).open == 0 and feed.listeners == 0)


def _status_event(order_id: str, n: int) -> EventEnvelope:
    return EventEnvelope(
        id=Uuid7Generator().new_id(), type="order.status_changed", version=1,
        occurred_at=datetime.now(UTC), aggregate_id=order_id,
        payload={"order_id": order_id, "new_status": f"step-{n}"},
    )
